#include "proxy/session/consistency.hpp"

#include <gtest/gtest.h>

#include "tests/support/hex.hpp"
#include "tests/support/packets.hpp"

namespace mysqlproxy::proxy {
namespace {

TEST(GtidFromSessionState, ReadsMariaDbLastGtid) {
  // The session-state bytes of a real MariaDB 10.11 OK (tests/protocol/testdata/ok_last_gtid_autocommit.hex):
  // autocommit=ON, last_gtid=0-1-8, a state change, transaction state.
  const auto bytes = test::hex(
      "00 0e 0a 61 75 74 6f 63 6f 6d 6d 69 74 02 4f 4e 00 10 09 6c 61 73 74 5f 67 74 69 64 05 30 2d 31 2d 38"
      "02 01 31 05 09 08 5f 5f 5f 5f 5f 5f 5f 5f");
  auto g = gtid_from_session_state(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->to_string(), "0-1-8");
}

TEST(GtidFromSessionState, ReadsMySqlOwnGtid) {
  const std::string gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:23";
  const std::string bytes = test::own_gtid_session_state(gtid);
  auto g = gtid_from_session_state(bytes);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->to_string(), gtid);
}

TEST(GtidFromSessionState, NothingWithoutAGtid) {
  // Only autocommit changed.
  const auto bytes = test::hex("00 0e 0a 61 75 74 6f 63 6f 6d 6d 69 74 02 4f 4e");
  EXPECT_FALSE(gtid_from_session_state(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  EXPECT_FALSE(gtid_from_session_state("garbage"));
}

TEST(WaitForGtidSql, NamesTheFlavoursFunction) {
  const auto g = *GtidPosition::parse("0-1-42");
  EXPECT_EQ(wait_for_gtid_sql(ServerFlavor::kMariaDb, g, std::chrono::milliseconds(1500)),
            "SELECT MASTER_GTID_WAIT('0-1-42', 1.500000)");
  EXPECT_EQ(flavor_of("5.5.5-10.11.19-MariaDB-0+deb12u1-log"), ServerFlavor::kMariaDb);
  EXPECT_EQ(flavor_of("8.4.3"), ServerFlavor::kMySql);
}

TEST(LatestWrite, KeepsTheNewestAcrossSessions) {
  LatestWrite w;
  w.merge(*GtidPosition::parse("0-1-5"));
  w.merge(*GtidPosition::parse("0-1-3"));
  EXPECT_EQ(w.get().to_string(), "0-1-5");
}

}  // namespace
}  // namespace mysqlproxy::proxy
