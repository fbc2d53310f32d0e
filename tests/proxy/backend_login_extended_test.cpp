// The proxy's login to a MariaDB backend with the extended capabilities its client negotiated,
// against the exchange captured from MariaDB 10.11 (tests/protocol/testdata/login_extended_metadata.hex),
// and the pool keeping connections logged in with and without extended metadata apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "protocol/handshake.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::proxy {
namespace {

using Bytes = std::vector<std::uint8_t>;

const std::vector<Bytes>& captured() {
  static const std::vector<Bytes> packets = [] {
    const auto path = std::filesystem::path(__FILE__).parent_path().parent_path() / "protocol" / "testdata" /
                      "login_extended_metadata.hex";
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return test::split_frames(test::hex(text.str()));
  }();
  return packets;
}

Bytes frame(const Bytes& payload, std::uint8_t seq) {
  Bytes out = {static_cast<std::uint8_t>(payload.size()), static_cast<std::uint8_t>(payload.size() >> 8),
               static_cast<std::uint8_t>(payload.size() >> 16), seq};
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// The captured response as a client without extended caps gets it: CLIENT_MYSQL set, bytes 28..31 zero.
Bytes plain_response() {
  Bytes r = captured().at(1);
  r[0] |= 0x01;
  std::fill(r.begin() + 28, r.begin() + 32, 0);
  return r;
}

// A MariaDB server's side of one login: the captured greeting, then OK to whatever response
// comes, which it keeps. The socket stays open while the proxy holds the connection.
awaitable<void> serve_login(tcp::socket socket, std::vector<Bytes>& responses) {
  const Bytes greeting = frame(captured().at(0), 0);
  auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(greeting), kUseTuple);
  if (wec) co_return;
  std::uint8_t header[4];
  auto [hec, hn] = co_await asio::async_read(socket, asio::buffer(header), kUseTuple);
  if (hec) co_return;
  Bytes payload(header[0] | (header[1] << 8) | (header[2] << 16));
  auto [pec, pn] = co_await asio::async_read(socket, asio::buffer(payload), kUseTuple);
  if (pec) co_return;
  responses.push_back(payload);
  const Bytes ok = frame(captured().at(2), 2);
  auto [oec, on] = co_await asio::async_write(socket, asio::buffer(ok), kUseTuple);
  if (oec) co_return;
  std::uint8_t byte;
  co_await socket.async_read_some(asio::buffer(&byte, 1), kUseTuple);
}

// Every connection accepted gets a login of its own.
awaitable<void> serve_logins(tcp::acceptor& acceptor, std::vector<Bytes>& responses) {
  for (;;) {
    auto [aec, socket] = co_await acceptor.async_accept(kUseTuple);
    if (aec) co_return;
    asio::co_spawn(acceptor.get_executor(), serve_login(std::move(socket), responses), asio::detached);
  }
}

BackendCredentials app_creds(std::uint32_t extended_caps) {
  BackendCredentials c;
  c.user = "app";
  c.password = "app-pass";
  // What a mariadb CLI client negotiates with the proxy (CLIENT_MYSQL clear).
  c.client_caps = protocol::Capabilities{0x01bfa204};
  c.client_extended_caps = extended_caps;
  c.collation = 45;
  return c;
}

struct Login {
  Bytes response;
  std::uint32_t extended_caps = 0xffffffff;
  protocol::Capabilities caps;
  bool negotiated_as_asked = false;
};

Login login_with(std::uint32_t client_extended_caps) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const BackendTarget target{"primary", "127.0.0.1", acceptor.local_endpoint().port()};
  std::vector<Bytes> responses;
  Login login;
  asio::co_spawn(io, serve_logins(acceptor, responses), asio::detached);
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto opened = co_await BackendConnection::open(target, app_creds(client_extended_caps), std::chrono::seconds(5),
                                                       1u << 24);
        EXPECT_TRUE(opened.connection) << opened.failure.ec.message();
        if (opened.connection) {
          login.extended_caps = opened.connection->extended_caps();
          login.caps = opened.connection->caps();
          login.negotiated_as_asked = answers_as_negotiated(*opened.connection, client_extended_caps);
          opened.connection->close();
        }
        // Ends the server's accept too, so the context runs out of work: destroying it with an
        // accept still pending is a use-after-free on io_uring.
        acceptor.close();
      },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  if (!responses.empty()) login.response = responses.front();
  return login;
}

TEST(BackendLoginMariaDb, SendsTheClientsExtendedMetadataWithClientMysqlClear) {
  const Login login = login_with(protocol::kMariaDbClientExtendedMetadata);
  // Byte for byte what the capture's client sent (the same scramble gives the same answer).
  EXPECT_EQ(test::to_hex(login.response), test::to_hex(captured().at(1)));
  EXPECT_EQ(login.extended_caps, protocol::kMariaDbClientExtendedMetadata);
  EXPECT_FALSE(login.caps.has(protocol::kClientLongPassword));
  EXPECT_TRUE(login.negotiated_as_asked);
}

TEST(BackendLoginMariaDb, AClientWithoutExtendedCapsLogsInAsAMysqlClient) {
  const Login login = login_with(0);
  EXPECT_EQ(test::to_hex(login.response), test::to_hex(plain_response()));
  EXPECT_EQ(login.extended_caps, 0u);
  EXPECT_TRUE(login.caps.has(protocol::kClientLongPassword));
}

TEST(BackendLoginMariaDb, ExtendedCapsTheServerLacksAreNotAskedFor) {
  // COM_MULTI (bit 1) is not in the captured greeting's 0x1d.
  const Login login = login_with(protocol::kMariaDbClientExtendedMetadata | protocol::kMariaDbClientComMulti);
  EXPECT_EQ(login.extended_caps, protocol::kMariaDbClientExtendedMetadata);
}

// ---------------------------------------------------------------- the pool

config::Config pool_config() {
  config::Config cfg;
  cfg.pool.max_connections_per_backend = 10;
  cfg.pool.acquire_timeout = std::chrono::seconds(2);
  cfg.timeouts.connect = std::chrono::seconds(5);
  return cfg;
}

TEST(BackendPoolExtendedMetadata, ConnectionsWithAndWithoutItNeverServeEachOther) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const BackendTarget target{"primary", "127.0.0.1", acceptor.local_endpoint().port()};
  std::vector<Bytes> responses;
  ConnectionCounters counters;
  const config::Config cfg = pool_config();
  BackendPool pool(counters, cfg);
  std::vector<std::uint32_t> served;  // extended caps of the connection each lease got
  asio::co_spawn(io, serve_logins(acceptor, responses), asio::detached);
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        // An extended-metadata client, a plain one, then each again: two logins, each reused.
        for (const std::uint32_t ext : {protocol::kMariaDbClientExtendedMetadata, 0u,
                                        protocol::kMariaDbClientExtendedMetadata, 0u}) {
          AcquireRequest req;
          req.key = pool_key(1, "app", protocol::Capabilities{0x01bfa204}, ext, 45);
          req.target = target;
          req.credentials = app_creds(ext);
          auto got = co_await pool.acquire(req);
          EXPECT_TRUE(got.connection);
          if (!got.connection) break;
          served.push_back(got.connection->extended_caps());
          pool.release(std::move(got.connection));
        }
        // Closes the pooled connections and the accept, so the context runs out of work (see
        // login_with).
        pool.sweep(std::chrono::steady_clock::now(), [](std::uint32_t) { return false; });
        acceptor.close();
      },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(served, (std::vector<std::uint32_t>{protocol::kMariaDbClientExtendedMetadata, 0u,
                                                protocol::kMariaDbClientExtendedMetadata, 0u}));
  ASSERT_EQ(responses.size(), 2u) << "each kind of client should reuse its own connection";
  EXPECT_EQ(test::to_hex(responses[0]), test::to_hex(captured().at(1)));
  EXPECT_EQ(test::to_hex(responses[1]), test::to_hex(plain_response()));
}

}  // namespace
}  // namespace mysqlproxy::proxy
