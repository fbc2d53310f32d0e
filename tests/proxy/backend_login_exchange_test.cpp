// The proxy's login to a MySQL 8.4 backend (caching_sha2_password by default, native passwords
// off): exchanges a MySQL 8.4 server has with a client, replayed byte for byte by a scripted
// server on loopback, against the real BackendConnection::open. No MySQL 8 server runs here, so
// these exchanges are the only check of those paths.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/read.hpp>

#include "protocol/auth.hpp"
#include "protocol/handshake.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/tls/rsa_key_pair.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::proxy {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::string_view kPassword = "s3cret-pw";

Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// MySQL 8.4.3's greeting: protocol 10, version, connection id 15, the 20-byte scramble
// "abcdefghijklmnopqrst" in its two parts, capabilities 0xdfffffff, utf8mb4_0900_ai_ci (255),
// autocommit, and the default plugin.
Bytes greeting(std::string_view plugin) {
  Bytes payload = test::hex(
      "0a 38 2e 34 2e 33 00"      // 10, "8.4.3"
      "0f 00 00 00"               // connection id
      "61 62 63 64 65 66 67 68 00"  // scramble part 1 + filler
      "ff ff ff 02 00 ff df"      // caps low, collation, status, caps high
      "15 00 00 00 00 00 00 00 00 00 00"                   // scramble length 21, reserved
      "69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 00");           // scramble part 2 + NUL
  payload.insert(payload.end(), plugin.begin(), plugin.end());
  payload.push_back(0);
  return payload;
}

const Bytes kScramble = to_bytes("abcdefghijklmnopqrst");

Bytes frame(const Bytes& payload, std::uint8_t seq) {
  Bytes out = {static_cast<std::uint8_t>(payload.size()), static_cast<std::uint8_t>(payload.size() >> 8),
               static_cast<std::uint8_t>(payload.size() >> 16), seq};
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// One step of the server's side: bytes to send, or a packet to receive and check.
struct Step {
  Bytes send;                                              // wire bytes, framed
  std::function<void(const Bytes& payload, std::uint8_t seq)> expect;  // set: receive one packet
  bool expect_close = false;                               // the proxy hangs up, sending nothing
};

Step send(Bytes wire) { return Step{std::move(wire), nullptr}; }
Step expect(std::function<void(const Bytes&, std::uint8_t)> check) { return Step{{}, std::move(check)}; }
Step expect_close() { return Step{{}, nullptr, true}; }
// A packet whose wire bytes must be exactly these.
Step expect_wire(const std::string& wire_hex) {
  const Bytes want = test::hex(wire_hex);
  return expect([want](const Bytes& payload, std::uint8_t seq) { EXPECT_EQ(frame(payload, seq), want); });
}

awaitable<void> serve(tcp::acceptor& acceptor, std::vector<Step> script) {
  auto [aec, socket] = co_await acceptor.async_accept(kUseTuple);
  EXPECT_FALSE(aec);
  if (aec) co_return;
  for (Step& step : script) {
    if (step.expect_close) {
      std::uint8_t byte = 0;
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1), kUseTuple);
      EXPECT_TRUE(ec) << "the proxy went on sending (" << n << " bytes)";
      continue;
    }
    if (!step.expect) {
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(step.send), kUseTuple);
      EXPECT_FALSE(ec) << ec.message();
      continue;
    }
    std::uint8_t header[4];
    auto [hec, hn] = co_await asio::async_read(socket, asio::buffer(header), kUseTuple);
    EXPECT_FALSE(hec) << "the proxy sent nothing more: " << hec.message();
    if (hec) co_return;
    Bytes payload(header[0] | (header[1] << 8) | (header[2] << 16));
    auto [pec, pn] = co_await asio::async_read(socket, asio::buffer(payload), kUseTuple);
    EXPECT_FALSE(pec);
    step.expect(payload, header[3]);
  }
}

struct Outcome {
  bool connected = false;
  Bytes server_error;
  std::string detail;
};

// How the proxy may encrypt a password for caching_sha2_password without TLS (BackendTarget).
struct RsaSettings {
  protocol::RsaPublicKey pinned;       // rsa_public_key_file
  bool get_server_public_key = false;
};

// `tls`: the backend's TLS context, null for plain TCP.
Outcome run_login(std::vector<Step> script, BackendCredentials creds,
                  std::shared_ptr<asio::ssl::context> tls = nullptr, RsaSettings rsa = {}) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  BackendTarget target{"mysql84", "127.0.0.1", acceptor.local_endpoint().port()};
  target.tls = std::move(tls);
  target.rsa_public_key = rsa.pinned;
  target.get_server_public_key = rsa.get_server_public_key;
  Outcome outcome;
  asio::co_spawn(io, serve(acceptor, std::move(script)), asio::detached);
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto opened = co_await BackendConnection::open(target, creds, std::chrono::seconds(5), 1u << 24);
        outcome.connected = opened.connection != nullptr;
        outcome.server_error = opened.failure.server_error;
        outcome.detail = opened.failure.detail;
      },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  return outcome;
}

BackendCredentials app_creds() {
  BackendCredentials c;
  c.user = "app";
  c.password = std::string(kPassword);
  c.client_caps = protocol::Capabilities{protocol::kClientProtocol41 | protocol::kClientPluginAuth |
                                         protocol::kClientSecureConnection | protocol::kClientDeprecateEof};
  c.collation = 45;
  return c;
}

// The handshake response: user app, caching_sha2_password's 32-byte scramble answer.
Step expect_sha2_handshake_response() {
  return expect([](const Bytes& payload, std::uint8_t seq) {
    EXPECT_EQ(seq, 1);
    auto response = protocol::decode_handshake_response(payload);
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->username, "app");
    EXPECT_EQ(response->auth_plugin_name, "caching_sha2_password");
    const Bytes answer(response->auth_response.begin(), response->auth_response.end());
    EXPECT_EQ(answer, protocol::scramble_caching_sha2(kPassword, kScramble));
  });
}

constexpr const char* kOkAt2 = "07 00 00 02 00 00 00 02 00 00 00";

TEST(BackendLoginMysql84, CachingSha2FastPath) {
  auto outcome = run_login({send(frame(greeting("caching_sha2_password"), 0)), expect_sha2_handshake_response(),
                            send(test::hex("02 00 00 02 01 03")),  // fast auth success
                            send(test::hex("07 00 00 03 00 00 00 02 00 00 00"))},
                           app_creds());
  EXPECT_TRUE(outcome.connected) << test::to_hex(outcome.server_error);
}

// The RSA pair a MySQL 8.4 server would have, and its public key as the server sends it.
struct ServerKeys {
  RsaKeyResult keys = load_or_generate_rsa_keys("");
  Bytes key_packet() const {
    Bytes packet = {0x01};
    packet.insert(packet.end(), keys.keys.public_pem.begin(), keys.keys.public_pem.end());
    return packet;
  }
  // Checks that `payload` is the password, encrypted with this pair's public key.
  void expect_password(const Bytes& payload) const {
    EXPECT_EQ(payload.size(), 256u);  // one RSA-2048 block
    auto password = protocol::rsa_decrypt_password(payload, kScramble, keys.keys.private_key);
    ASSERT_TRUE(password) << password.error().message();
    EXPECT_EQ(*password, kPassword);
  }
};

// get_server_public_key: true. The key is asked for and taken as the server sends it.
TEST(BackendLoginMysql84, CachingSha2FullAuthenticationWithTheServersKeyWhenAllowed) {
  const ServerKeys server;
  ASSERT_TRUE(server.keys.error.empty()) << server.keys.error;
  auto outcome = run_login(
      {send(frame(greeting("caching_sha2_password"), 0)), expect_sha2_handshake_response(),
       send(test::hex("02 00 00 02 01 04")),  // perform full authentication
       expect_wire("01 00 00 03 02"),         // no TLS: the client asks for the public key
       send(frame(server.key_packet(), 4)),
       expect([&](const Bytes& payload, std::uint8_t seq) {
         EXPECT_EQ(seq, 5);
         server.expect_password(payload);
       }),
       send(test::hex("07 00 00 06 00 00 00 02 00 00 00"))},
      app_creds(), nullptr, RsaSettings{{}, true});
  EXPECT_TRUE(outcome.connected) << test::to_hex(outcome.server_error);
}

// rsa_public_key_file: the password goes encrypted with the configured key at once; the server
// is never asked for its key (what it would send could be anyone's).
TEST(BackendLoginMysql84, CachingSha2FullAuthenticationWithThePinnedKey) {
  const ServerKeys server;
  auto pinned = protocol::RsaPublicKey::from_pem(server.keys.keys.public_pem);
  ASSERT_TRUE(pinned);
  auto outcome = run_login(
      {send(frame(greeting("caching_sha2_password"), 0)), expect_sha2_handshake_response(),
       send(test::hex("02 00 00 02 01 04")),  // perform full authentication
       expect([&](const Bytes& payload, std::uint8_t seq) {
         EXPECT_EQ(seq, 3);
         server.expect_password(payload);
       }),
       send(test::hex("07 00 00 04 00 00 00 02 00 00 00"))},
      app_creds(), nullptr, RsaSettings{*pinned, true});
  EXPECT_TRUE(outcome.connected) << test::to_hex(outcome.server_error);
}

// Neither a key nor get_server_public_key: the login fails, as from MySQL's own clients, and no
// form of the password leaves.
TEST(BackendLoginMysql84, CachingSha2FullAuthenticationWithoutTlsOrKeyIsRefused) {
  auto outcome = run_login({send(frame(greeting("caching_sha2_password"), 0)), expect_sha2_handshake_response(),
                            send(test::hex("02 00 00 02 01 04")),  // perform full authentication
                            expect_close()},
                           app_creds());
  EXPECT_FALSE(outcome.connected);
  ASSERT_GT(outcome.server_error.size(), 3u);
  EXPECT_EQ(outcome.server_error[1] | (outcome.server_error[2] << 8), 1429);
  EXPECT_NE(outcome.detail.find("Authentication requires secure connection"), std::string::npos) << outcome.detail;
}

// A server (or someone on the path) that sends a public key the proxy did not ask for gets no
// password encrypted with it.
TEST(BackendLoginMysql84, APublicKeyNobodyAskedForIsRefused) {
  const ServerKeys attacker;
  for (const bool allowed : {false, true}) {
    auto outcome = run_login({send(frame(greeting("caching_sha2_password"), 0)), expect_sha2_handshake_response(),
                              send(frame(attacker.key_packet(), 2)), expect_close()},
                             app_creds(), nullptr, RsaSettings{{}, allowed});
    EXPECT_FALSE(outcome.connected) << "get_server_public_key " << allowed;
  }
}

TEST(BackendLoginMysql84, AuthSwitchToCachingSha2) {
  const Bytes fresh = to_bytes("ABCDEFGHIJKLMNOPQRST");
  Bytes sw = to_bytes(std::string("\xfe" "caching_sha2_password") + '\0');
  sw.insert(sw.end(), fresh.begin(), fresh.end());
  sw.push_back(0);
  auto outcome = run_login(
      {send(frame(greeting("mysql_native_password"), 0)),
       expect([](const Bytes& payload, std::uint8_t) {
         auto response = protocol::decode_handshake_response(payload);
         ASSERT_TRUE(response);
         EXPECT_EQ(response->auth_plugin_name, "mysql_native_password");
         const Bytes answer(response->auth_response.begin(), response->auth_response.end());
         EXPECT_EQ(answer, protocol::scramble_native_password(kPassword, kScramble));
       }),
       send(frame(sw, 2)),
       expect([&](const Bytes& payload, std::uint8_t seq) {
         EXPECT_EQ(seq, 3);
         EXPECT_EQ(payload, protocol::scramble_caching_sha2(kPassword, fresh));
       }),
       send(test::hex("02 00 00 04 01 03")), send(test::hex("07 00 00 05 00 00 00 02 00 00 00"))},
      app_creds());
  EXPECT_TRUE(outcome.connected) << test::to_hex(outcome.server_error);
}

TEST(BackendLoginMysql84, AccessDeniedComesBackAsTheServersErr) {
  const Bytes err = test::hex(
      "ff 15 04 23 32 38 30 30 30"  // 1045, #28000
      "41 63 63 65 73 73 20 64 65 6e 69 65 64");  // "Access denied"
  auto outcome = run_login(
      {send(frame(greeting("caching_sha2_password"), 0)), expect_sha2_handshake_response(), send(frame(err, 2))},
      app_creds());
  EXPECT_FALSE(outcome.connected);
  EXPECT_EQ(outcome.server_error, err);
}

TEST(BackendLoginMysql84, HashedPasswordOffersNativeAndExplainsASwitchToSha2) {
  BackendCredentials creds = app_creds();
  creds.password.clear();
  const Bytes client_scramble = to_bytes("0123456789abcdefghij");
  creds.native_stage1 = protocol::recover_native_stage1(protocol::scramble_native_password(kPassword, client_scramble),
                                                        client_scramble, protocol::native_password_stage2(kPassword));
  ASSERT_TRUE(creds.native_stage1);
  Bytes sw = to_bytes(std::string("\xfe" "caching_sha2_password") + '\0');
  sw.insert(sw.end(), kScramble.begin(), kScramble.end());
  sw.push_back(0);
  auto outcome = run_login({send(frame(greeting("caching_sha2_password"), 0)),
                            expect([](const Bytes& payload, std::uint8_t) {
                              auto response = protocol::decode_handshake_response(payload);
                              ASSERT_TRUE(response);
                              // caching_sha2 can't be answered from the hash: native is offered.
                              EXPECT_EQ(response->auth_plugin_name, "mysql_native_password");
                              const Bytes answer(response->auth_response.begin(), response->auth_response.end());
                              EXPECT_EQ(answer, protocol::scramble_native_password(kPassword, kScramble));
                            }),
                            send(frame(sw, 2))},
                           creds);
  EXPECT_FALSE(outcome.connected);
  ASSERT_GT(outcome.server_error.size(), 3u);
  EXPECT_EQ(outcome.server_error[0], 0xff);
  EXPECT_EQ(outcome.server_error[1] | (outcome.server_error[2] << 8), 1251);
}

TEST(BackendLoginMysql84, BackendWithoutTlsIsRefusedWhenTlsIsRequired) {
  // The greeting without CLIENT_SSL (bit 11 cleared in the low capability bytes).
  Bytes hello = greeting("caching_sha2_password");
  hello[7 + 4 + 9 + 1] = 0xf7;
  const auto outcome = run_login({send(frame(hello, 0))}, app_creds(),
                                 std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client));
  EXPECT_FALSE(outcome.connected);
  ASSERT_GT(outcome.server_error.size(), 3u);
  EXPECT_EQ(outcome.server_error[1] | (outcome.server_error[2] << 8), 1429);
}

}  // namespace
}  // namespace mysqlproxy::proxy
