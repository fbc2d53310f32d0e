#include "support/own_proxy_test.hpp"

#include <thread>

#include "support/http_client.hpp"

namespace itest {

void OwnProxyTest::TearDown() {
  for (auto it = restores_.rbegin(); it != restores_.rend(); ++it) (*it)();
  IntegrationTest::TearDown();
  proxy_.reset();
}

bool OwnProxyTest::start(ProxyOptions options) {
  options.consistency = "eventual";
  options.health_interval = "200ms";
  start_own_proxy(proxy_, options);
  if (HasFatalFailure()) return false;
  return !proxy_->direct();
}

Client OwnProxyTest::open(const std::string& db) {
  Client c;
  c.set_read_timeout(30);  // bounded even if the proxy hangs
  EXPECT_TRUE(c.connect(proxy_->host(), proxy_->port(), "app", "app-pass", db)) << c.describe_error();
  return c;
}

Client OwnProxyTest::node(int port) {
  Client c;
  c.set_read_timeout(30);
  EXPECT_TRUE(c.connect(cluster_env().host, port, "app", "app-pass", "proxytest")) << c.describe_error();
  return c;
}

void OwnProxyTest::expect_served(const std::string& after) {
  std::string how;
  ASSERT_TRUE(proxy_->running(&how)) << "proxy " << how << " after " << after;
  Client c = open();
  ASSERT_TRUE(c.connected()) << "after " << after;
  EXPECT_EQ(must_scalar(c, "SELECT 1"), "1") << "after " << after;
  EXPECT_EQ(must_scalar(c, "SELECT COUNT(*) FROM seq_1_to_1000"), "1000") << "after " << after;
}

std::string OwnProxyTest::metrics() {
  const HttpReply r = http_request("127.0.0.1", proxy_->admin_port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200) << r.error;
  return r.body;
}

double OwnProxyTest::wait_metric(const std::string& name, const std::string& filter, double want,
                                 std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  double value = metric(name, filter);
  while (value != want && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    value = metric(name, filter);
  }
  return value;
}

void OwnProxyTest::cluster_cmd(const std::string& args) {
  std::string out;
  ASSERT_EQ(run_cluster_command(cluster_env(), args, &out), 0) << "cluster.sh " << args << " failed:\n" << out;
}

}  // namespace itest
