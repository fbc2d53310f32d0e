// TLS between clients and the proxy and between the proxy and its backends, caching_sha2_password
// logins (full and fast, over TLS and through the RSA exchange), users configured by their
// mysql_native_password hash, and require_tls. Clients are libmysqlclient (MariaDB Connector/C).
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <string>
#include <thread>

#include "support/http_client.hpp"
#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

class TlsAuthTest : public OwnProxyTest {
 protected:
  std::string tls_dir() const { return cluster_env().dir + "/tls"; }
  std::string file(const std::string& name) const { return tls_dir() + "/" + name; }

  // TLS to clients with the cluster's test certificate (signed by ca.pem).
  std::string client_tls(const std::string& extra = "") const {
    return "{ cert_file: " + file("server.pem") + ", key_file: " + file("server-key.pem") +
           (extra.empty() ? "" : ", " + extra) + " }";
  }

  // A client that insists on TLS and checks the proxy's certificate against `ca`.
  static void verify_with(Client& c, const std::string& ca) {
    const my_bool yes = 1;
    c.set_option(MYSQL_OPT_SSL_CA, ca.c_str());
    c.set_option(MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
    c.set_option(MYSQL_OPT_SSL_ENFORCE, &yes);
  }

  // A connection made with options, app's password unless told otherwise.
  Client login_with(const std::function<void(Client&)>& setup, const std::string& user = "app",
                      const std::string& password = "app-pass") {
    Client c;
    setup(c);
    c.connect(proxy_->host(), proxy_->port(), user, password, "proxytest");
    return c;
  }

  static bool on_tls(const Client& c) { return mysql_get_ssl_cipher(c.get()) != nullptr; }

  // The value of mysql_proxy_client_logins_total for these labels (0 when the series is absent).
  int logins(const std::string& tls, const std::string& method) {
    return static_cast<int>(metric("mysql_proxy_client_logins_total", "tls=\"" + tls + "\",method=\"" + method + "\""));
  }
};

TEST_F(TlsAuthTest, TlsLoginWithVerifiedCertificate) {
  ProxyOptions options;
  options.tls = client_tls();
  START_OR_SKIP(options);
  Client c = login_with([&](Client& x) { verify_with(x, file("ca.pem")); });
  ASSERT_TRUE(c.connected()) << c.describe_error() << "\n" << proxy_->log_tail();
  EXPECT_TRUE(on_tls(c));
  EXPECT_EQ(c.scalar("SELECT 6 * 7"), "42");
  // Plain connections still work when TLS is only offered.
  Client plain = login_with([](Client&) {});
  ASSERT_TRUE(plain.connected()) << plain.describe_error();
  EXPECT_FALSE(on_tls(plain));
  EXPECT_EQ(plain.scalar("SELECT 1"), "1");
}

TEST_F(TlsAuthTest, ClientTrustingAnotherCaRefusesTheProxy) {
  ProxyOptions options;
  options.tls = client_tls();
  START_OR_SKIP(options);
  Client c = login_with([&](Client& x) { verify_with(x, file("other-ca.pem")); });
  EXPECT_FALSE(c.connected());
  EXPECT_EQ(c.errnum(), 2026u) << c.describe_error();  // CR_SSL_CONNECTION_ERROR
  Client good = login_with([&](Client& x) { verify_with(x, file("ca.pem")); });
  EXPECT_TRUE(good.connected()) << good.describe_error();
}

TEST_F(TlsAuthTest, ProxyWithoutTlsRefusesAClientThatInsists) {
  START_OR_SKIP();
  Client c = login_with([&](Client& x) { verify_with(x, file("ca.pem")); });
  EXPECT_FALSE(c.connected());
  EXPECT_NE(c.errnum(), 0u);
}

TEST_F(TlsAuthTest, RequireTlsPerUserAndPerListener) {
  ProxyOptions options;
  options.tls = client_tls();
  options.users = {"{ name: app, password: app-pass, require_tls: true }", "{ name: app2, password: app2-pass }"};
  START_OR_SKIP(options);
  Client plain = login_with([](Client&) {});
  EXPECT_FALSE(plain.connected());
  EXPECT_EQ(plain.errnum(), 3159u) << plain.describe_error();
  Client tls = login_with([&](Client& x) { verify_with(x, file("ca.pem")); });
  ASSERT_TRUE(tls.connected()) << tls.describe_error();
  EXPECT_EQ(tls.scalar("SELECT CURRENT_USER()"), "app@%");
  Client other = login_with([](Client&) {}, "app2", "app2-pass");
  EXPECT_TRUE(other.connected()) << other.describe_error();

  options.tls = client_tls("require: true");
  ASSERT_TRUE(proxy_->rewrite_config(options));
  proxy_->signal(SIGHUP);
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) {
    Client again = login_with([](Client&) {}, "app2", "app2-pass");
    refused = !again.connected() && again.errnum() == 3159u;
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(refused) << proxy_->log_tail();
}

TEST_F(TlsAuthTest, ReloadTakesANewCertificate) {
  ProxyOptions options;
  options.tls = client_tls();
  START_OR_SKIP(options);
  Client before = login_with([&](Client& x) { verify_with(x, file("other-ca.pem")); });
  EXPECT_FALSE(before.connected());
  options.tls = "{ cert_file: " + file("other-server.pem") + ", key_file: " + file("other-server-key.pem") + " }";
  ASSERT_TRUE(proxy_->rewrite_config(options));
  proxy_->signal(SIGHUP);
  bool renewed = false;
  for (int i = 0; i < 50 && !renewed; ++i) {
    Client after = login_with([&](Client& x) { verify_with(x, file("other-ca.pem")); });
    renewed = after.connected();
    if (!renewed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(renewed) << proxy_->log_tail();
  // A reload naming a key that doesn't exist is refused; the running certificate stays.
  options.tls = "{ cert_file: " + file("server.pem") + ", key_file: " + file("missing-key.pem") + " }";
  ASSERT_TRUE(proxy_->rewrite_config(options));
  proxy_->signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Client still = login_with([&](Client& x) { verify_with(x, file("other-ca.pem")); });
  EXPECT_TRUE(still.connected()) << still.describe_error();
}

TEST_F(TlsAuthTest, CachingSha2FullThenFastOverTls) {
  ProxyOptions options;
  options.tls = client_tls();
  options.users = {"{ name: app, password: app-pass, auth_plugin: caching_sha2_password }"};
  START_OR_SKIP(options);
  for (int round = 0; round < 2; ++round) {
    Client c = login_with([&](Client& x) { verify_with(x, file("ca.pem")); });
    ASSERT_TRUE(c.connected()) << "round " << round << ": " << c.describe_error() << "\n" << proxy_->log_tail();
    EXPECT_EQ(c.scalar("SELECT CURRENT_USER()"), "app@%");
  }
  // The first login proved the password in full over TLS; the second took the fast path.
  EXPECT_EQ(logins("yes", "sha2_full_tls"), 1);
  EXPECT_EQ(logins("yes", "sha2_fast"), 1);
  Client wrong = login_with([&](Client& x) { verify_with(x, file("ca.pem")); }, "app", "not-the-password");
  EXPECT_FALSE(wrong.connected());
  EXPECT_EQ(wrong.errnum(), 1045u) << wrong.describe_error();
}

TEST_F(TlsAuthTest, CachingSha2WithRsaExchangeWithoutTls) {
  ProxyOptions options;
  options.users = {"{ name: app, password: app-pass, auth_plugin: caching_sha2_password }"};
  options.auth = "{ default_plugin: caching_sha2_password }";
  START_OR_SKIP(options);
  Client c = login_with([](Client&) {});
  ASSERT_TRUE(c.connected()) << c.describe_error() << "\n" << proxy_->log_tail();
  EXPECT_FALSE(on_tls(c));
  EXPECT_EQ(c.scalar("SELECT CURRENT_USER()"), "app@%");
  EXPECT_EQ(logins("no", "sha2_full_rsa"), 1);
  Client again = login_with([](Client&) {});
  EXPECT_TRUE(again.connected()) << again.describe_error();
  EXPECT_EQ(logins("no", "sha2_fast"), 1);
  Client wrong = login_with([](Client&) {}, "app", "wrong");
  EXPECT_EQ(wrong.errnum(), 1045u) << wrong.describe_error();
}

TEST_F(TlsAuthTest, HashedPasswordUserReachesTheBackend) {
  if (direct_mode()) GTEST_SKIP() << "this is the proxy's own job";
  Client root = node(cluster_env().primary_port);
  const auto hash = root.scalar("SELECT PASSWORD('app-pass')");
  ASSERT_TRUE(hash && hash->size() == 41) << root.describe_error();
  ProxyOptions options;
  options.users = {"{ name: app, password: \"" + *hash + "\" }"};
  START_OR_SKIP(options);
  EXPECT_EQ(proxy_->config_text().find("app-pass"), std::string::npos);
  Client c = login_with([](Client&) {});
  ASSERT_TRUE(c.connected()) << c.describe_error() << "\n" << proxy_->log_tail();
  // Reads and writes run on backends logged in with what the client's answer proved.
  EXPECT_EQ(c.scalar("SELECT CURRENT_USER()"), "app@%");
  EXPECT_TRUE(c.exec("CREATE TEMPORARY TABLE hashed_login (x INT)")) << c.describe_error();
  EXPECT_EQ(c.scalar("SELECT COUNT(*) FROM hashed_login"), "0");
  ASSERT_EQ(mysql_change_user(c.get(), "app", "app-pass", "proxytest"), 0) << c.describe_error();
  EXPECT_EQ(c.scalar("SELECT 1"), "1") << c.describe_error();
  Client wrong = login_with([](Client&) {}, "app", "app-pas");
  EXPECT_EQ(wrong.errnum(), 1045u) << wrong.describe_error();
}

TEST_F(TlsAuthTest, TlsToBackendsWithVerifiedIdentity) {
  if (direct_mode()) GTEST_SKIP() << "this is the proxy's own job";
  const ClusterEnv& env = cluster_env();
  const std::string tls = "tls: { mode: verify_identity, ca_file: " + file("ca.pem") + " }";
  ProxyOptions options;
  options.backends = {
      "{ name: primary, host: localhost, port: " + std::to_string(env.primary_port) + ", role: primary, " + tls + " }",
      "{ name: replica1, host: localhost, port: " + std::to_string(env.replica1_port) + ", role: replica, " + tls + " }",
  };
  START_OR_SKIP(options);
  Client c = login_with([](Client&) {});
  ASSERT_TRUE(c.connected()) << c.describe_error() << "\n" << proxy_->log_tail();
  // Asked on the backend session: the proxy's connection to the server is encrypted.
  const auto cipher = c.scalar("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                               "WHERE VARIABLE_NAME = 'Ssl_cipher'");
  ASSERT_TRUE(cipher.has_value()) << c.describe_error();
  EXPECT_FALSE(cipher->empty());
  EXPECT_TRUE(c.exec("BEGIN")) << c.describe_error();
  const auto in_trx = c.scalar("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                               "WHERE VARIABLE_NAME = 'Ssl_version'");
  EXPECT_TRUE(in_trx && in_trx->starts_with("TLSv1.")) << (in_trx ? *in_trx : c.describe_error());
  EXPECT_TRUE(c.exec("COMMIT"));
}

TEST_F(TlsAuthTest, BackendWithAnUntrustedCertificateIsRefused) {
  if (direct_mode()) GTEST_SKIP() << "this is the proxy's own job";
  const ClusterEnv& env = cluster_env();
  ProxyOptions options;
  options.backends = {"{ name: primary, host: 127.0.0.1, port: " + std::to_string(env.primary_port) +
                      ", role: primary, tls: { mode: verify_ca, ca_file: " + file("other-ca.pem") + " } }"};
  START_OR_SKIP(options);
  Client c = login_with([](Client&) {});
  // Either the login's database check or the first query fails: never in plain text.
  bool refused = !c.connected();
  if (!refused) refused = !c.scalar("SELECT 1").has_value();
  EXPECT_TRUE(refused);
  EXPECT_EQ(c.errnum(), 1429u) << c.describe_error();  // ER_CONNECT_TO_FOREIGN_DATA_SOURCE
  EXPECT_EQ(c.error(), "Unable to connect to foreign data source: primary") << c.describe_error();
  EXPECT_NE(proxy_->log_tail(400).find("TLS to backend primary failed"), std::string::npos);
}

}  // namespace
}  // namespace itest
