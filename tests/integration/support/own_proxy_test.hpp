// A fixture for tests that run a proxy of their own (health checks every 200 ms, reads spread
// over the replicas) and may break the cluster: what they register with on_teardown() runs in
// reverse order at the end, whatever happened.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/metrics_text.hpp"
#include "support/test_env.hpp"

namespace itest {

class OwnProxyTest : public IntegrationTest {
 protected:
  void TearDown() override;

  // Starts the proxy (consistency eventual, health interval 200 ms, on top of `options`).
  // False when the test can't go on: a failure was recorded, or direct mode (skipping()).
  bool start(ProxyOptions options = {});
  bool skipping() const { return proxy_ && proxy_->direct(); }

  Client open(const std::string& db = "proxytest");
  // A session straight to a cluster node.
  Client node(int port);
  // The proxy process is alive and a well-behaved client is served (`after`: what came before,
  // for the failure message).
  void expect_served(const std::string& after);
  void cluster_cmd(const std::string& args);
  void on_teardown(std::function<void()> restore) { restores_.push_back(std::move(restore)); }

  // The proxy's /metrics, and the sum of one metric's samples whose labels contain `filter`.
  std::string metrics();
  double metric(const std::string& name, const std::string& filter = "") { return metric_sum(metrics(), name, filter); }
  // Polls /metrics until the sum equals `want`; the last value otherwise.
  double wait_metric(const std::string& name, const std::string& filter, double want,
                     std::chrono::steady_clock::duration timeout);

  std::unique_ptr<ProxyProcess> proxy_;

 private:
  std::vector<std::function<void()>> restores_;
};

// Starts the test's proxy or ends the test (skipped in direct mode: these tests are about the proxy).
#define START_OR_SKIP(...)                                            \
  do {                                                                \
    if (!start(__VA_ARGS__)) {                                        \
      if (skipping()) GTEST_SKIP() << "this is the proxy's own job"; \
      return;                                                         \
    }                                                                 \
  } while (0)

}  // namespace itest
