// Plaintext injected before TLS on the proxy's backend connections: bytes that arrive with the
// backend's greeting, before the TLS handshake, must never be read as if TLS had carried them.
// A fake backend on loopback sends its greeting and a forged OK in one write, then completes a
// real TLS handshake (with a certificate the proxy trusts, for the name it checks) and stays
// silent: only the forged OK could log the proxy in.
#include <gtest/gtest.h>

#include <chrono>

#include "config/config.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/tls/tls_context.hpp"
#include "tests/proxy/fake_tls_server.hpp"
#include "tests/proxy/test_pki.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::proxy {
namespace {

using test::FakeTlsServer;

struct Outcome {
  bool connected = false;
  BackendFailure failure;
};

BackendCredentials app_creds() {
  BackendCredentials c;
  c.user = "app";
  c.password = "app-pass";
  c.client_caps = protocol::Capabilities{protocol::kClientProtocol41 | protocol::kClientPluginAuth |
                                         protocol::kClientSecureConnection};
  return c;
}

// The proxy's login to `port` under verify_identity for "localhost", trusting `ca_file`.
Outcome login_with_tls(std::uint16_t port, const std::string& ca_file) {
  config::BackendTlsConfig tls;
  tls.mode = config::BackendTlsMode::kVerifyIdentity;
  tls.ca_file = ca_file;
  auto context = make_backend_context(tls);
  EXPECT_TRUE(context.context) << context.error;
  BackendTarget target{"primary", "127.0.0.1", port};
  target.tls = context.context;
  target.tls_server_name = "localhost";
  target.tls_check_name = true;
  Outcome outcome;
  asio::io_context io;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto opened = co_await BackendConnection::open(target, app_creds(), std::chrono::seconds(5), 1u << 24);
        outcome.connected = opened.connection != nullptr;
        outcome.failure = std::move(opened.failure);
      },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  return outcome;
}

class BackendTlsInjection : public ::testing::Test {
 protected:
  test::TestCa ca_;
  test::TempDir dir_;
  std::string ca_file_ = dir_.write("ca.pem", ca_.cert_pem());
  test::TestKeyAndCertificate server_ = ca_.issue("localhost", "DNS:localhost,IP:127.0.0.1");
};

TEST_F(BackendTlsInjection, AForgedOkSentWithTheGreetingIsRefused) {
  FakeTlsServer::Options options;
  // The login is greeting 0, SSLRequest 1, handshake response 2: the server's answer is 3.
  options.sent_with_greeting = FakeTlsServer::ok_packet(3);
  options.answer_login = false;
  FakeTlsServer server({server_}, options);
  const Outcome outcome = login_with_tls(server.port(), ca_file_);
  EXPECT_FALSE(outcome.connected) << "logged in on a forged OK";
  // Refused before anything was sent: no SSLRequest, no TLS, no login.
  EXPECT_EQ(server.tls_handshakes(), 0);
  EXPECT_EQ(server.logins(), 0);
  ASSERT_GT(outcome.failure.server_error.size(), 3u);
  EXPECT_EQ(outcome.failure.server_error[0], 0xff);
  EXPECT_EQ(outcome.failure.server_error[1] | (outcome.failure.server_error[2] << 8), 1429);
  EXPECT_NE(outcome.failure.detail.find("11 bytes after its greeting, before TLS started"), std::string::npos)
      << outcome.failure.detail;
}

TEST_F(BackendTlsInjection, EvenOneStrayByteIsRefused) {
  FakeTlsServer::Options options;
  options.sent_with_greeting = {0x00};
  FakeTlsServer server({server_}, options);
  const Outcome outcome = login_with_tls(server.port(), ca_file_);
  EXPECT_FALSE(outcome.connected);
  EXPECT_EQ(server.tls_handshakes(), 0);
  EXPECT_NE(outcome.failure.detail.find("before TLS started"), std::string::npos) << outcome.failure.detail;
}

// The same server without the stray bytes: the login goes through TLS to the server's own OK.
TEST_F(BackendTlsInjection, AnHonestServerLogsTheProxyIn) {
  FakeTlsServer server({server_}, FakeTlsServer::Options{});
  const Outcome outcome = login_with_tls(server.port(), ca_file_);
  EXPECT_TRUE(outcome.connected) << outcome.failure.detail << " " << outcome.failure.ec.message();
  EXPECT_EQ(server.logins(), 1);
}

}  // namespace
}  // namespace mysqlproxy::proxy
