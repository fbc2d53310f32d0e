// The health monitor's TLS to the real cluster (MariaDB 10.11 with the test certificates of
// scripts/gen-test-certs.sh: signed by ca.pem, for localhost and 127.0.0.1): each
// backends[].tls.mode checks what it says, the monitor connecting to addresses. A backend whose
// certificate fails the check is DOWN, so the monitor's answers (which choose the primary) never
// come from a server it could not authenticate.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "config/validate.hpp"
#include "proxy/health/health_monitor.hpp"
#include "proxy/health/monitor_connection.hpp"
#include "proxy/health/state_names.hpp"
#include "support/cluster_env.hpp"
#include "support/test_env.hpp"

namespace itest {
namespace {

using namespace std::chrono_literals;
using mysqlproxy::proxy::BackendState;
using mysqlproxy::proxy::ConnectionSettings;
using mysqlproxy::proxy::HealthMonitor;
using mysqlproxy::proxy::MonitorConnection;
using mysqlproxy::proxy::PoolSnapshotCell;
namespace config = mysqlproxy::config;

class MonitorTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    const ClusterEnv* env = cluster(&error);
    ASSERT_NE(env, nullptr) << error;
    env_ = *env;
    if (env_.dir.empty()) GTEST_SKIP() << "CLUSTER_DIR is not set: the cluster's certificates are unknown";
  }

  void TearDown() override {
    if (monitor_) monitor_->stop();
  }

  std::string file(const std::string& name) const { return env_.dir + "/tls/" + name; }

  config::BackendTlsConfig tls(config::BackendTlsMode mode, const std::string& ca = "",
                               const std::string& server_name = "") const {
    config::BackendTlsConfig t;
    t.mode = mode;
    t.ca_file = ca.empty() ? "" : file(ca);
    t.server_name = server_name;
    return t;
  }

  // The monitor's connection to the primary, by address, with `t`: its error, or "" when connected.
  std::string connect(const config::BackendTlsConfig& t) {
    ConnectionSettings s{"127.0.0.1", static_cast<std::uint16_t>(env_.primary_port), "monitor", "monitor-pass", 3s};
    s.tls = t;
    MonitorConnection c;
    if (auto error = c.connect(s)) return *error;
    auto cipher = c.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    if (!cipher.result || cipher.result->rows.empty() || !cipher.result->rows[0].at(1) ||
        cipher.result->rows[0].at(1)->empty()) {
      return "connected without TLS";
    }
    return "";
  }

  ClusterEnv env_;
  PoolSnapshotCell cell_;
  std::unique_ptr<HealthMonitor> monitor_;
};

TEST_F(MonitorTlsTest, RequiredEncryptsWithoutChecks) {
  EXPECT_EQ(connect(tls(config::BackendTlsMode::kRequired)), "");
  EXPECT_EQ(connect(tls(config::BackendTlsMode::kRequired, "other-ca.pem")), "");  // the CA is not looked at
}

TEST_F(MonitorTlsTest, VerifyCaChecksTheChain) {
  EXPECT_EQ(connect(tls(config::BackendTlsMode::kVerifyCa, "ca.pem")), "");
  EXPECT_NE(connect(tls(config::BackendTlsMode::kVerifyCa, "other-ca.pem")), "");
  // No ca_file: the system's CAs, which did not sign the cluster's certificate.
  EXPECT_NE(connect(tls(config::BackendTlsMode::kVerifyCa)), "");
}

TEST_F(MonitorTlsTest, VerifyIdentityChecksTheNameNotTheAddress) {
  EXPECT_EQ(connect(tls(config::BackendTlsMode::kVerifyIdentity, "ca.pem", "localhost")), "");
  const std::string wrong = connect(tls(config::BackendTlsMode::kVerifyIdentity, "ca.pem", "db.example.com"));
  EXPECT_NE(wrong.find("TLS identity check (db.example.com)"), std::string::npos) << wrong;
  EXPECT_NE(connect(tls(config::BackendTlsMode::kVerifyIdentity, "other-ca.pem", "localhost")), "");
}

// Through HealthMonitor, as the proxy runs it: the backend whose certificate does not name what
// the config says is DOWN, the others UP.
TEST_F(MonitorTlsTest, ABackendFailingItsCertificateCheckIsDown) {
  config::Config cfg;
  cfg.source = "monitor_tls_test";
  cfg.backends = {
      {"primary", "localhost", static_cast<std::uint16_t>(env_.primary_port), config::BackendRole::kPrimary, 1},
      {"replica1", "localhost", static_cast<std::uint16_t>(env_.replica1_port), config::BackendRole::kReplica, 1},
  };
  cfg.backends[0].tls = tls(config::BackendTlsMode::kVerifyIdentity, "ca.pem");  // the host: localhost
  cfg.backends[1].tls = tls(config::BackendTlsMode::kVerifyIdentity, "ca.pem", "replica1.example.com");
  cfg.users = {{"app", "app-pass"}};
  cfg.health.interval = 200ms;
  cfg.health.timeout = 1s;
  cfg.health.user = "monitor";
  cfg.health.password = "monitor-pass";
  cfg.health.down_after = 2;
  cfg.health.up_after = 1;
  auto valid = config::validate_config(cfg);
  ASSERT_TRUE(valid) << valid.error().message;
  monitor_ = std::make_unique<HealthMonitor>(std::make_shared<const config::Config>(cfg), cell_);
  monitor_->start();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string seen;
  for (;;) {
    auto snap = cell_.get();
    bool primary_up = false;
    bool replica_down = false;
    seen.clear();
    for (const auto& b : snap->backends) {
      seen += b.name + " " + std::string(mysqlproxy::proxy::state_name(b.state)) + " (" + b.last_error + ")\n";
      if (b.name == "primary" && b.state == BackendState::kUp && b.last_error.empty() &&
          b.last_check != std::chrono::system_clock::time_point{}) {
        primary_up = true;
      }
      if (b.name == "replica1" && b.state == BackendState::kDown &&
          b.last_error.find("TLS identity check (replica1.example.com)") != std::string::npos) {
        replica_down = true;
      }
    }
    if (primary_up && replica_down) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << seen;
    std::this_thread::sleep_for(50ms);
  }
}

}  // namespace
}  // namespace itest
