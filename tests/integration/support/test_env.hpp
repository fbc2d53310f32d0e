// Shared fixture for the gtest integration suite.
//
// One proxy process per test binary (started on first use, stopped at exit);
// with MYSQLPROXY_TEST_DIRECT=1 the tests talk to the cluster's primary
// instead. Tests derive from IntegrationTest and connect with connect().
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/client.hpp"
#include "support/cluster_env.hpp"
#include "support/proxy_process.hpp"

namespace itest {

struct Target {
  std::string host;
  int port = 0;
};

// The cluster env, or nullptr with *error explaining what is missing.
const ClusterEnv* cluster(std::string* error);

// Where tests connect: the shared proxy (started on first call, restarted if
// it died) or, in direct mode, the primary. port == 0 with *error on failure.
Target shared_target(std::string* error);

// The shared proxy, or nullptr when none runs (direct mode, not started).
ProxyProcess* shared_proxy();

// Per-process unique name: "<prefix>_<pid>".
std::string unique_name(const std::string& prefix);

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Connects to target() as user (default app) to db (default proxytest) and
  // records a test failure when that fails. Check client.connected().
  Client connect(const std::string& user = "app", const std::string& password = "app-pass",
                 const std::string& db = "proxytest", unsigned long flags = 0);
  // Same, with options applied by `prepare` before connecting.
  template <typename F>
  Client connect_with(F&& prepare, const std::string& user = "app", const std::string& password = "app-pass",
                      const std::string& db = "proxytest", unsigned long flags = 0) {
    Client c;
    prepare(c);
    if (!c.connect(target_.host, target_.port, user, password, db, flags)) {
      ADD_FAILURE() << "connect as " << user << " to " << target_.host << ":" << target_.port
                    << " failed: " << c.describe_error();
    }
    return c;
  }

  // Runs SQL, expecting success; returns its rows (empty on error).
  Rows must_query(Client& c, const std::string& sql);
  void must_exec(Client& c, const std::string& sql);
  // First column of the first row (expects exactly one row). "<NULL>" for NULL.
  std::string must_scalar(Client& c, const std::string& sql);

  // SQL run on a fresh connection in TearDown, even when the test failed
  // (e.g. "DROP TABLE IF EXISTS proxytest.t").
  void cleanup(const std::string& sql) { cleanup_sql_.push_back(sql); }

  const ClusterEnv& cluster_env() const { return cluster_; }
  const Target& target() const { return target_; }

  // Starts a proxy of the test's own with `options` (its log is printed if the test fails);
  // records a fatal failure if it doesn't come up.
  void start_own_proxy(std::unique_ptr<ProxyProcess>& proxy, const ProxyOptions& options);

  // Set by tests that start their own proxy so a failure prints its log too.
  ProxyProcess* extra_proxy_ = nullptr;

 private:
  std::vector<std::string> cleanup_sql_;
  ClusterEnv cluster_;
  Target target_;
};

// Prints the last lines of a proxy's log (used on failure).
void print_proxy_log(ProxyProcess& proxy, const char* what);

}  // namespace itest
