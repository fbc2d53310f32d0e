// The health monitor's own connections (libmysqlclient, i.e. MariaDB Connector/C) under each
// backends[].tls.mode, against a fake TLS server on loopback with certificates made here:
// plaintext injected with the greeting is refused; verify_ca checks the chain (the system's CAs
// when ca_file is empty); verify_identity checks the configured name although the monitor
// connects to an address, and the connection that logs in must show the certificate checked.
#include "proxy/health/monitor_connection.hpp"

#include <gtest/gtest.h>

#include "tests/proxy/fake_tls_server.hpp"
#include "tests/proxy/test_pki.hpp"

namespace mysqlproxy::proxy {
namespace {

using test::FakeTlsServer;

class MonitorConnectionTls : public ::testing::Test {
 protected:
  ConnectionSettings settings(std::uint16_t port, config::BackendTlsMode mode, const std::string& ca_file = "",
                              const std::string& server_name = "") const {
    ConnectionSettings s;
    s.host = "127.0.0.1";  // an address, as the monitor connects once it resolved the backend's name
    s.port = port;
    s.user = "monitor";
    s.password = "monitor-pass";
    s.timeout = std::chrono::seconds(3);
    s.tls.mode = mode;
    s.tls.ca_file = ca_file;
    s.tls.server_name = server_name;
    return s;
  }

  test::TestCa ca_;
  test::TestCa other_ca_{"an unrelated CA"};
  test::TempDir dir_;
  std::string ca_file_ = dir_.write("ca.pem", ca_.cert_pem());
  std::string other_ca_file_ = dir_.write("other-ca.pem", other_ca_.cert_pem());
  // Names the host the config gives, not the address connected to.
  test::TestKeyAndCertificate server_ = ca_.issue("db1.internal", "DNS:db1.internal");
};

// ---- plaintext injected before TLS ----

TEST_F(MonitorConnectionTls, AForgedLoginSentWithTheGreetingIsRefused) {
  FakeTlsServer::Options options;
  // The library's login: greeting 0, SSLRequest 1, handshake response 2, OK 3; then its init
  // command (SET time_zone) and the OK for it.
  FakeTlsServer::Bytes forged = FakeTlsServer::ok_packet(3);
  const FakeTlsServer::Bytes init_ok = FakeTlsServer::ok_packet(1);
  forged.insert(forged.end(), init_ok.begin(), init_ok.end());
  options.sent_with_greeting = forged;
  options.answer_login = false;  // only the forged bytes could log the monitor in
  FakeTlsServer server({server_}, options);
  MonitorConnection connection;
  const auto error = connection.connect(settings(server.port(), config::BackendTlsMode::kRequired));
  ASSERT_TRUE(error.has_value()) << "logged in on forged packets";
  EXPECT_NE(error->find("sent 22 bytes after its greeting, before TLS started"), std::string::npos) << *error;
  EXPECT_FALSE(connection.connected());
  // Nothing went out after the greeting: not even the SSLRequest.
  EXPECT_EQ(server.tls_handshakes(), 0);
  EXPECT_EQ(server.logins(), 0);
}

TEST_F(MonitorConnectionTls, AnHonestServerIsReachedOverTls) {
  FakeTlsServer server({server_}, FakeTlsServer::Options{});
  MonitorConnection connection;
  const auto error = connection.connect(settings(server.port(), config::BackendTlsMode::kRequired));
  EXPECT_FALSE(error.has_value()) << *error;
  EXPECT_TRUE(connection.connected());
  EXPECT_EQ(server.logins(), 1);
}

// ---- verify_ca ----

TEST_F(MonitorConnectionTls, VerifyCaAcceptsTheTrustedCa) {
  FakeTlsServer server({server_}, FakeTlsServer::Options{});
  MonitorConnection connection;
  const auto error = connection.connect(settings(server.port(), config::BackendTlsMode::kVerifyCa, ca_file_));
  EXPECT_FALSE(error.has_value()) << *error;
}

TEST_F(MonitorConnectionTls, VerifyCaRefusesACertificateFromAnotherCa) {
  FakeTlsServer server({server_}, FakeTlsServer::Options{});
  MonitorConnection connection;
  const auto error = connection.connect(settings(server.port(), config::BackendTlsMode::kVerifyCa, other_ca_file_));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(server.logins(), 0) << "the login went out before the certificate was refused";
}

// No ca_file: the system's CAs, which know nothing of this test's CA.
TEST_F(MonitorConnectionTls, VerifyCaWithoutCaFileChecksAgainstTheSystemsCas) {
  FakeTlsServer server({server_}, FakeTlsServer::Options{});
  MonitorConnection connection;
  const auto error = connection.connect(settings(server.port(), config::BackendTlsMode::kVerifyCa));
  ASSERT_TRUE(error.has_value()) << "a private CA's certificate passed as trusted";
  EXPECT_EQ(server.logins(), 0);
}

// ---- verify_identity ----

TEST_F(MonitorConnectionTls, VerifyIdentityAcceptsTheConfiguredNameAtAnAddress) {
  FakeTlsServer server({server_}, FakeTlsServer::Options{});
  MonitorConnection connection;
  const auto error =
      connection.connect(settings(server.port(), config::BackendTlsMode::kVerifyIdentity, ca_file_, "db1.internal"));
  EXPECT_FALSE(error.has_value()) << *error;
  EXPECT_EQ(server.logins(), 1);
}

TEST_F(MonitorConnectionTls, VerifyIdentityRefusesACertificateForAnotherName) {
  FakeTlsServer server({server_}, FakeTlsServer::Options{});
  MonitorConnection connection;
  const auto error =
      connection.connect(settings(server.port(), config::BackendTlsMode::kVerifyIdentity, ca_file_, "db2.internal"));
  ASSERT_TRUE(error.has_value()) << "a certificate for db1.internal passed for db2.internal";
  EXPECT_NE(error->find("TLS identity check (db2.internal)"), std::string::npos) << *error;
  EXPECT_EQ(server.logins(), 0);
}

// Someone on the path lets the check through to the real server and answers the next connection
// itself, with another certificate of the same CA: the library must refuse it before logging in.
TEST_F(MonitorConnectionTls, VerifyIdentityRefusesAServerShowingAnotherCertificateThanTheOneChecked) {
  const auto impostor = ca_.issue("db9.internal", "DNS:db9.internal");
  FakeTlsServer::Options options;
  options.certificate_for = [](int connection) { return connection == 0 ? std::size_t{0} : std::size_t{1}; };
  FakeTlsServer server({server_, impostor}, options);
  MonitorConnection connection;
  const auto error =
      connection.connect(settings(server.port(), config::BackendTlsMode::kVerifyIdentity, ca_file_, "db1.internal"));
  ASSERT_TRUE(error.has_value()) << "logged in to a server whose certificate names db9.internal";
  EXPECT_EQ(server.logins(), 0);
}

// A certificate once checked is not checked again at every connect; a renewed one is.
TEST_F(MonitorConnectionTls, VerifyIdentityChecksAgainOnlyWhenTheCertificateChanges) {
  const auto renewed = ca_.issue("db1.internal", "DNS:db1.internal");
  std::atomic<bool> renew{false};
  FakeTlsServer::Options options;
  options.certificate_for = [&renew](int) { return renew ? std::size_t{1} : std::size_t{0}; };
  FakeTlsServer server({server_, renewed}, options);
  const auto s = settings(server.port(), config::BackendTlsMode::kVerifyIdentity, ca_file_, "db1.internal");
  MonitorConnection first;
  ASSERT_FALSE(first.connect(s).has_value());
  EXPECT_EQ(server.connections(), 2);  // the check, then the library's connection
  MonitorConnection second;
  ASSERT_FALSE(second.connect(s).has_value());
  EXPECT_EQ(server.connections(), 3);  // the library's connection alone
  renew = true;
  // Refused for the old certificate, checked again, connected: all in one connect.
  MonitorConnection third;
  const auto error = third.connect(s);
  EXPECT_FALSE(error.has_value()) << *error;
  EXPECT_EQ(server.connections(), 6);  // refused at the fingerprint, the check, the connection
  EXPECT_EQ(server.logins(), 3);       // the refused one never logged in
}

// ---- a backend some milliseconds away ----

// The client library waits for TLS I/O with its timeouts in seconds taken as milliseconds (3 ms
// for a 3 s timeout): the monitor's own wait must give the handshake and every answer the whole
// timeout.
TEST_F(MonitorConnectionTls, ABackendSlowerThanAFewMillisecondsIsReachedAndQueried) {
  FakeTlsServer::Options options;
  options.answer_delay = std::chrono::milliseconds(60);
  FakeTlsServer server({server_}, options);
  for (const auto mode : {config::BackendTlsMode::kVerifyCa, config::BackendTlsMode::kVerifyIdentity}) {
    for (int round = 0; round < 2; ++round) {  // verify_identity: checked, then pinned
      MonitorConnection connection;
      const auto error = connection.connect(settings(server.port(), mode, ca_file_, "db1.internal"));
      ASSERT_FALSE(error.has_value()) << *error;
      const auto outcome = connection.query("DO 1");
      EXPECT_TRUE(outcome.result.has_value()) << outcome.error.message;
      EXPECT_TRUE(connection.connected());
    }
  }
}

// The wait still ends at the timeout: a server that never answers the handshake fails the
// connect in about the timeout, not never.
TEST_F(MonitorConnectionTls, AServerSlowerThanTheTimeoutFailsTheConnectInTime) {
  FakeTlsServer::Options options;
  options.answer_delay = std::chrono::seconds(5);
  FakeTlsServer server({server_}, options);
  MonitorConnection connection;
  auto s = settings(server.port(), config::BackendTlsMode::kRequired);
  s.timeout = std::chrono::milliseconds(1000);
  const auto started = std::chrono::steady_clock::now();
  const auto error = connection.connect(s);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(error.has_value());
  EXPECT_LT(took, std::chrono::milliseconds(2500)) << *error;
  EXPECT_GE(took, std::chrono::milliseconds(900)) << *error;
}

}  // namespace
}  // namespace mysqlproxy::proxy
