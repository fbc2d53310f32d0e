// The proxy's backend dies in the middle of a query.
//
// A dedicated proxy uses replica2 (a separate mariadbd) as its primary
// backend; `scripts/cluster.sh kill replica2` SIGKILLs it while the client
// waits for a SLEEP(10) sent to the primary with a route hint (a read the
// application sent to the primary on purpose is not retried elsewhere). The
// client must get an error quickly (not a hang) and, once replica2 is back,
// the proxy's client connection must work again. Directly against MariaDB the client connection is simply dead, so in
// direct mode the test asserts that reconnecting works instead.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "support/test_env.hpp"

namespace itest {
namespace {

using Clock = std::chrono::steady_clock;

struct QueryOutcome {
  int rc = 0;
  unsigned err = 0;
  std::string sqlstate, message;
  Clock::time_point finished;
};

class BackendFailureTest : public IntegrationTest {
 protected:
  void TearDown() override {
    // Always bring replica2 back, whatever happened above.
    if (killed_) {
      std::string out;
      int rc = run_cluster_command(cluster_env(), "start-node replica2", &out);
      if (rc != 0) ADD_FAILURE() << "cluster.sh start-node replica2 failed (" << rc << "):\n" << out;
    }
    IntegrationTest::TearDown();
    proxy_.reset();
  }

  void kill_replica2() {
    killed_ = true;
    std::string out;
    int rc = run_cluster_command(cluster_env(), "kill replica2", &out);
    ASSERT_EQ(rc, 0) << "cluster.sh kill replica2 failed:\n" << out;
  }

  void start_replica2() {
    std::string out;
    int rc = run_cluster_command(cluster_env(), "start-node replica2", &out);
    ASSERT_EQ(rc, 0) << "cluster.sh start-node replica2 failed:\n" << out;
    killed_ = false;
  }

  std::unique_ptr<ProxyProcess> proxy_;
  bool killed_ = false;
};

TEST_F(BackendFailureTest, BackendKilledMidQueryGivesErrorAndConnectionRecovers) {
  // replica2 may still be down after an earlier run that was itself killed
  // (e.g. by a CTest timeout); start-node is a no-op when it is up.
  start_replica2();
  if (HasFatalFailure()) return;
  ProxyOptions options;
  options.primary_node = "replica2";
  proxy_ = std::make_unique<ProxyProcess>(cluster_env(), options);
  extra_proxy_ = proxy_.get();
  std::string error;
  ASSERT_TRUE(proxy_->start(&error)) << error;
  const bool direct = proxy_->direct();

  Client c;
  c.set_read_timeout(30);  // bounded even if the proxy hangs
  ASSERT_TRUE(c.connect(proxy_->host(), proxy_->port(), "app", "app-pass", "proxytest")) << c.describe_error();
  // The session really lives on replica2.
  EXPECT_EQ(must_scalar(c, "/* route=primary */ SELECT @@port"), std::to_string(cluster_env().replica2_port));
  EXPECT_EQ(must_scalar(c, "SELECT 'before'"), "before");

  auto started = Clock::now();
  auto pending = std::async(std::launch::async, [&c] {
    QueryOutcome o;
    o.rc = mysql_query(c.get(), "/* route=primary */ SELECT SLEEP(10)");
    if (o.rc == 0) {
      if (MYSQL_RES* res = mysql_store_result(c.get())) mysql_free_result(res);
    }
    o.err = c.errnum();
    o.sqlstate = c.sqlstate();
    o.message = c.error();
    o.finished = Clock::now();
    return o;
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto kill_time = Clock::now();
  kill_replica2();
  if (HasFatalFailure()) {
    pending.wait();
    return;
  }

  ASSERT_EQ(pending.wait_for(std::chrono::seconds(35)), std::future_status::ready) << "query never returned";
  QueryOutcome o = pending.get();
  double after_kill = std::chrono::duration<double>(o.finished - kill_time).count();
  EXPECT_NE(o.rc, 0) << "SELECT SLEEP(10) succeeded although its backend was killed";
  EXPECT_LE(after_kill, 3.0) << "the error came " << after_kill << " s after the kill (hang?)";
  EXPECT_LT(std::chrono::duration<double>(o.finished - started).count(), 9.0);
  bool connection_error = (o.err >= 2000 && o.err < 3000) || o.sqlstate == "08S01";  // 20xx directly, 08S01 via the proxy
  EXPECT_TRUE(connection_error) << "expected a 20xx / 08S01 error, got [" << o.err << " " << o.sqlstate << "] "
                                << o.message;
  if (!direct) {
    // The proxy answers ERR 1158 / 08S01 "Lost connection to backend ...": a
    // server-range code, since Connector/C reports an ERR packet carrying a
    // client-range code (2000-2999) as 2027 "Received malformed packet".
    bool proxy_error = o.err == 1158u && o.sqlstate == "08S01" &&
                       o.message.find("Lost connection to backend") != std::string::npos;
    EXPECT_TRUE(proxy_error) << "expected the proxy's 1158/08S01 'Lost connection to backend' error, got ["
                             << o.err << " " << o.sqlstate << "] " << o.message;
  }
  RecordProperty("error", "[" + std::to_string(o.err) + " " + o.sqlstate + "] " + o.message);

  start_replica2();
  if (HasFatalFailure()) return;

  if (direct) {
    // Against MariaDB itself the client connection died with the server:
    // ping fails (no auto-reconnect), and a new connection works.
    EXPECT_NE(mysql_ping(c.get()), 0);
    EXPECT_TRUE(c.errnum() == 2006u || c.errnum() == 2013u) << c.describe_error();
    Client again;
    ASSERT_TRUE(again.connect(proxy_->host(), proxy_->port(), "app", "app-pass", "proxytest"))
        << again.describe_error();
    EXPECT_EQ(must_scalar(again, "SELECT 'reconnected'"), "reconnected");
    return;
  }

  // Through the proxy the client connection survives: like a real client,
  // ping and then retry the query for a few seconds.
  mysql_ping(c.get());
  auto deadline = Clock::now() + std::chrono::seconds(10);
  std::optional<Rows> rows;
  std::string last_error;
  int attempts = 0;
  while (Clock::now() < deadline) {
    ++attempts;
    rows = c.query("/* route=primary */ SELECT 'recovered', @@port");
    if (rows) break;
    last_error = c.describe_error();
    ASSERT_NE(c.errnum(), 2006u) << "the proxy closed the client connection: " << last_error;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(rows.has_value()) << "no successful query on the same connection within 10 s after replica2 came "
                                   "back; last error: "
                                << last_error;
  EXPECT_EQ(*rows, (Rows{{"recovered", std::to_string(cluster_env().replica2_port)}})) << attempts << " attempts";
}

}  // namespace
}  // namespace itest
