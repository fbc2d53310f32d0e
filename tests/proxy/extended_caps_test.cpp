// MariaDB extended capabilities: what the proxy presents to clients, the greeting it sends, and
// the pool keeping connections with and without extended metadata apart.
#include "proxy/backend/extended_caps.hpp"

#include <gtest/gtest.h>

#include "protocol/handshake.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/session/client_handshake.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::proxy {
namespace {

using protocol::kMariaDbClientCacheMetadata;
using protocol::kMariaDbClientComMulti;
using protocol::kMariaDbClientExtendedMetadata;
using protocol::kMariaDbClientProgress;
using protocol::kMariaDbClientStmtBulkOperations;

// What MariaDB 10.11 offers (tests/protocol/testdata/login_extended_metadata.hex).
constexpr std::uint32_t kMariaDb1011Extended =
    kMariaDbClientProgress | kMariaDbClientStmtBulkOperations | kMariaDbClientExtendedMetadata | kMariaDbClientCacheMetadata;

config::Config three_backends() {
  config::Config cfg;
  cfg.backends = {{"primary", "127.0.0.1", 3306, config::BackendRole::kPrimary},
                  {"replica1", "127.0.0.1", 3307, config::BackendRole::kReplica},
                  {"replica2", "127.0.0.1", 3308, config::BackendRole::kReplica}};
  cfg.compression.clients = false;  // these greetings are about the extended capabilities alone
  return cfg;
}

ServerIdentity seen(std::vector<BackendExtendedCaps> caps) {
  ServerIdentity id;
  id.extended_caps = std::move(caps);
  return id;
}

TEST(PresentedExtendedCaps, OnlyExtendedMetadataWhenEveryBackendOffersIt) {
  const auto id = seen({{"primary", kMariaDb1011Extended}, {"replica1", kMariaDb1011Extended},
                        {"replica2", kMariaDb1011Extended}});
  EXPECT_EQ(presented_extended_caps(id, three_backends()), kMariaDbClientExtendedMetadata);
}

TEST(PresentedExtendedCaps, NoneWhenOneBackendLacksIt) {
  // A MySQL replica (no extended caps at all) behind a MariaDB primary.
  const auto id = seen({{"primary", kMariaDb1011Extended}, {"replica1", 0}, {"replica2", kMariaDb1011Extended}});
  EXPECT_EQ(presented_extended_caps(id, three_backends()), 0u);
}

TEST(PresentedExtendedCaps, NoneBeforeAnyBackendIsSeen) {
  EXPECT_EQ(presented_extended_caps(seen({}), three_backends()), 0u);
}

TEST(PresentedExtendedCaps, BackendsNotSeenYetDoNotCount) {
  EXPECT_EQ(presented_extended_caps(seen({{"primary", kMariaDb1011Extended}}), three_backends()),
            kMariaDbClientExtendedMetadata);
}

TEST(PresentedExtendedCaps, DiscoveredEndpointsCountForTheirBackend) {
  const auto id = seen({{"primary", kMariaDb1011Extended}, {"replica1/10.0.0.7", 0}});
  EXPECT_EQ(presented_extended_caps(id, three_backends()), 0u);
  const auto other = seen({{"primary", kMariaDb1011Extended}, {"replica10", 0}});  // not replica1's
  EXPECT_EQ(presented_extended_caps(other, three_backends()), kMariaDbClientExtendedMetadata)
      << "replica10 is not replica1";
}

TEST(PresentedExtendedCaps, BackendsNoLongerConfiguredDoNotCount) {
  const auto id = seen({{"primary", kMariaDb1011Extended}, {"old-mysql", 0}});
  EXPECT_EQ(presented_extended_caps(id, three_backends()), kMariaDbClientExtendedMetadata);
}

TEST(NoteExtendedCaps, AddsUpdatesAndSaysWhetherAnythingChanged) {
  std::vector<BackendExtendedCaps> caps;
  EXPECT_TRUE(note_extended_caps(caps, "primary", kMariaDb1011Extended));
  EXPECT_FALSE(note_extended_caps(caps, "primary", kMariaDb1011Extended));
  EXPECT_TRUE(note_extended_caps(caps, "primary", 0));  // replaced by a MySQL server
  EXPECT_EQ(caps, (std::vector<BackendExtendedCaps>{{"primary", 0}}));
}

// ---------------------------------------------------------------- the greeting

HandshakeSettings greeting_settings(const config::Config& cfg, std::vector<BackendExtendedCaps> caps) {
  ServerIdentity id;
  id.version = "5.5.5-10.11.19-MariaDB-0+deb12u1-log";
  id.collation = 45;
  id.backend_caps = protocol::Capabilities{0x81fffffe};  // MariaDB 10.11's, CLIENT_MYSQL clear
  id.extended_caps = std::move(caps);
  HandshakeSettings s;
  s.connection_id = 7;
  s.identity = std::make_shared<const ServerIdentity>(std::move(id));
  s.config = &cfg;
  return s;
}

std::string greeting_hex(const HandshakeSettings& settings) {
  std::vector<std::uint8_t> out;
  protocol::encode_initial_handshake(make_greeting(settings, "abcdefghijklmnopqrst"), out);
  return test::to_hex(out);
}

TEST(ProxyGreeting, PresentsExtendedMetadataWithClientMysqlClear) {
  const auto cfg = three_backends();
  const auto settings = greeting_settings(cfg, {{"primary", kMariaDb1011Extended}, {"replica1", kMariaDb1011Extended},
                                                {"replica2", kMariaDb1011Extended}});
  EXPECT_EQ(greeting_hex(settings), test::to_hex(test::hex(R"(
      0a                                              // protocol 10
      35 2e 35 2e 35 2d 31 30 2e 31 31 2e 31 39 2d 4d 61 72 69 61 44 42
      2d 30 2b 64 65 62 31 32 75 31 2d 6c 6f 67 00    // the primary's version
      07 00 00 00                                     // connection id
      61 62 63 64 65 66 67 68 00                      // scramble part 1, filler
      de b7                                           // caps low: CLIENT_MYSQL (bit 0) clear
      2d 02 00                                        // utf8mb4_general_ci, autocommit
      bf 01                                           // caps high
      15 00 00 00 00 00 00                            // scramble length 21, 6 reserved
      08 00 00 00                                     // extended caps: EXTENDED_METADATA only
      69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 00          // scramble part 2
      6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00)")));
}

TEST(ProxyGreeting, PresentsNoExtendedCapsWhenAReplicaLacksThem) {
  const auto cfg = three_backends();
  const auto settings = greeting_settings(cfg, {{"primary", kMariaDb1011Extended}, {"replica1", 0}});
  EXPECT_EQ(greeting_hex(settings), test::to_hex(test::hex(R"(
      0a
      35 2e 35 2e 35 2d 31 30 2e 31 31 2e 31 39 2d 4d 61 72 69 61 44 42
      2d 30 2b 64 65 62 31 32 75 31 2d 6c 6f 67 00
      07 00 00 00
      61 62 63 64 65 66 67 68 00
      df b7                                           // CLIENT_MYSQL set, as a MySQL server's
      2d 02 00
      bf 01
      15 00 00 00 00 00 00
      00 00 00 00                                     // no extended caps
      69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 00
      6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00)")));
}

// ---------------------------------------------------------------- pool keys

TEST(PoolKeyFor, ExtendedMetadataSeparatesConnections) {
  const protocol::Capabilities caps{protocol::kClientProtocol41 | protocol::kClientDeprecateEof};
  const PoolKey with = pool_key(1, "app", caps, kMariaDbClientExtendedMetadata, 45);
  const PoolKey without = pool_key(1, "app", caps, 0, 45);
  EXPECT_NE(with, without);
  EXPECT_EQ(with.extended_caps, kMariaDbClientExtendedMetadata);
}

TEST(PoolKeyFor, ExtendedCapsThatDoNotShapeAnswersShareConnections) {
  const protocol::Capabilities caps{protocol::kClientProtocol41};
  EXPECT_EQ(pool_key(1, "app", caps, kMariaDbClientExtendedMetadata | kMariaDbClientComMulti, 45),
            pool_key(1, "app", caps, kMariaDbClientExtendedMetadata, 45));
  EXPECT_NE(pool_key(1, "app", caps, kMariaDbClientCacheMetadata, 45), pool_key(1, "app", caps, 0, 45));
  EXPECT_NE(pool_key(1, "app", caps, kMariaDbClientProgress, 45), pool_key(1, "app", caps, 0, 45));
}

}  // namespace
}  // namespace mysqlproxy::proxy
