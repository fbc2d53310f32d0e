// A backend dies under a running query. `scripts/cluster.sh kill <replica>` SIGKILLs the replica
// that answers the session:
// - inside a transaction the client gets an error quickly (not a hang), and since its
//   transaction died with the server the proxy ends the session, as the server would have;
//   a new connection works at once;
// - under an autocommit read, the proxy retries the read on the other replica and the client
//   sees no error at all.
// Routing is the proxy's job, so these tests don't run in direct mode.
#include <gtest/gtest.h>

#include <chrono>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "support/http_client.hpp"
#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

using Clock = std::chrono::steady_clock;

struct QueryOutcome {
  int rc = 0;
  unsigned err = 0;
  std::string sqlstate, message;
  std::optional<Rows> rows;
  Clock::time_point finished;
};

class BackendFailureTest : public OwnProxyTest {
 protected:
  void SetUp() override {
    OwnProxyTest::SetUp();
    if (HasFatalFailure()) return;
    // Always bring the killed node back, whatever happened below.
    on_teardown([this] {
      if (killed_.empty()) return;
      std::string out;
      int rc = run_cluster_command(cluster_env(), "start-node " + killed_, &out);
      if (rc != 0) ADD_FAILURE() << "cluster.sh start-node " << killed_ << " failed (" << rc << "):\n" << out;
      run_cluster_command(cluster_env(), "wait-sync 30", &out);
    });
    if (!start() && skipping()) GTEST_SKIP() << "failover between backends is the proxy's job";
  }

  // The cluster node listening on `port`.
  std::string node_on(const std::string& port) {
    return port == std::to_string(cluster_env().replica1_port) ? "replica1" : "replica2";
  }

  void kill(const std::string& node) {
    killed_ = node;
    cluster_cmd("kill " + node);
  }

  static std::future<QueryOutcome> run_async(Client& c, std::string sql) {
    return std::async(std::launch::async, [&c, sql] {
      QueryOutcome o;
      o.rows = c.query(sql);
      o.rc = o.rows ? 0 : 1;
      o.err = c.errnum();
      o.sqlstate = c.sqlstate();
      o.message = c.error();
      o.finished = Clock::now();
      return o;
    });
  }

  std::string killed_;
};

TEST_F(BackendFailureTest, ReplicaKilledInsideATransactionGivesAnErrorNotAHang) {
  Client c = open();
  ASSERT_TRUE(c.connected());
  must_exec(c, "START TRANSACTION READ ONLY");
  const std::string port = must_scalar(c, "SELECT @@port");
  ASSERT_NE(port, std::to_string(cluster_env().primary_port)) << "a read-only transaction should run on a replica";

  auto pending = run_async(c, "SELECT SLEEP(10)");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto kill_time = Clock::now();
  kill(node_on(port));
  if (HasFatalFailure()) return;

  ASSERT_EQ(pending.wait_for(std::chrono::seconds(35)), std::future_status::ready) << "query never returned";
  const QueryOutcome o = pending.get();
  const double after_kill = std::chrono::duration<double>(o.finished - kill_time).count();
  EXPECT_NE(o.rc, 0) << "SELECT SLEEP(10) succeeded although its backend was killed inside a transaction";
  EXPECT_LE(after_kill, 3.0) << "the error came " << after_kill << " s after the kill (hang?)";
  EXPECT_EQ(o.err, 1158u) << o.message;
  EXPECT_EQ(o.sqlstate, "08S01");
  // The server's own words to the client; which backend, and why, go to the proxy's log.
  EXPECT_EQ(o.message, "Got an error reading communication packets");
  if (proxy_ && !proxy_->direct()) {
    EXPECT_NE(proxy_->log_tail(400).find("lost connection to backend"), std::string::npos);
  }
  RecordProperty("error", "[" + std::to_string(o.err) + " " + o.sqlstate + "] " + o.message);

  // The transaction is gone, so the session is too; a new connection works at once.
  EXPECT_FALSE(c.query("SELECT 1").has_value()) << "the session should have ended with its transaction";
  Client again = open();
  EXPECT_EQ(must_scalar(again, "SELECT 'reconnected'"), "reconnected");
}

TEST_F(BackendFailureTest, ReplicaKilledUnderAnAutocommitReadIsRetriedOnTheOther) {
  Client c = open();
  ASSERT_TRUE(c.connected());
  // Round-robin alternates: learn which replica the next read goes to.
  const std::string first = must_scalar(c, "SELECT @@port");
  const std::string next = first == std::to_string(cluster_env().replica1_port)
                               ? std::to_string(cluster_env().replica2_port)
                               : std::to_string(cluster_env().replica1_port);
  auto pending = run_async(c, "SELECT SLEEP(2), @@port");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  kill(node_on(next));
  if (HasFatalFailure()) return;
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(35)), std::future_status::ready) << "query never returned";
  const QueryOutcome o = pending.get();
  ASSERT_EQ(o.rc, 0) << "the read should have been retried: [" << o.err << " " << o.sqlstate << "] " << o.message;
  ASSERT_EQ(o.rows->size(), 1u);
  EXPECT_EQ((*o.rows)[0][1], first) << "the retry should have run on the replica still alive";
  EXPECT_EQ(must_scalar(c, "SELECT 'still here'"), "still here");
}

TEST_F(BackendFailureTest, EightReadingClientsSeeNoErrorWhenAReplicaIsKilled) {
  constexpr int kClients = 8;
  std::vector<Client> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(open());
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::atomic<long> reads{0};
  std::mutex m;
  std::string first_error;
  std::map<std::string, Clock::time_point> last_read_by_port;
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      while (!stop) {
        auto port = clients[i].scalar("SELECT @@port");
        if (!port) {
          ++errors;
          std::lock_guard lock(m);
          if (first_error.empty()) first_error = clients[i].describe_error();
          continue;
        }
        ++reads;
        std::lock_guard lock(m);
        last_read_by_port[*port] = Clock::now();
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  kill("replica2");
  const auto kill_time = Clock::now();  // the script has sent SIGKILL when it returns
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0) << "first error: " << first_error;
  EXPECT_GT(reads.load(), 100);
  const auto dead = std::to_string(cluster_env().replica2_port);
  ASSERT_TRUE(last_read_by_port.count(dead)) << "replica2 never answered before the kill";
  const double served_after_kill = std::chrono::duration<double>(last_read_by_port[dead] - kill_time).count();
  EXPECT_LE(served_after_kill, 0.0) << "replica2 answered after it was killed?";
  EXPECT_TRUE(last_read_by_port.count(std::to_string(cluster_env().replica1_port)));
  RecordProperty("reads", std::to_string(reads.load()));
}

TEST_F(BackendFailureTest, WithThePrimaryDownReadsGoOnAndWritesFailFast) {
  Client before = open();  // a session opened while the primary was up
  const std::string t = unique_name("bf_primary");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);
  must_exec(before, "CREATE TABLE " + t + " (id INT PRIMARY KEY)");
  std::string out;
  ASSERT_EQ(run_cluster_command(cluster_env(), "wait-sync 30", &out), 0) << out;

  // A second proxy whose readiness does not need the primary (the Kubernetes setting).
  std::unique_ptr<ProxyProcess> reads_only_ready;
  ProxyOptions options;
  options.consistency = "eventual";
  options.health_interval = "200ms";
  options.admin_extra = "readiness_requires_primary: false";
  start_own_proxy(reads_only_ready, options);
  if (HasFatalFailure()) return;
  const auto readyz = [](const ProxyProcess& p) {
    return http_request("127.0.0.1", p.admin_port(), "GET", "/readyz");
  };
  ASSERT_EQ(readyz(*proxy_).status, 200) << readyz(*proxy_).body;

  kill("primary");
  if (HasFatalFailure()) return;
  // Not ready by default once the primary is DOWN, with the reason; the other stays ready.
  HttpReply not_ready;
  const auto killed_at = Clock::now();
  while (Clock::now() - killed_at < std::chrono::seconds(3)) {
    not_ready = readyz(*proxy_);
    if (not_ready.status == 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(not_ready.status, 503) << not_ready.body;
  EXPECT_NE(not_ready.body.find("primary"), std::string::npos) << "the reason names the primary: " << not_ready.body;
  const HttpReply still_ready = readyz(*reads_only_ready);
  EXPECT_EQ(still_ready.status, 200) << still_ready.body;
  // Reads keep working, for open and new sessions (logins need no primary).
  EXPECT_EQ(must_scalar(before, "SELECT COUNT(*) FROM " + t), "0");
  Client after = open();
  ASSERT_TRUE(after.connected());
  EXPECT_EQ(must_scalar(after, "SELECT COUNT(*) FROM " + t), "0");
  // Each write gets an error packet, quickly, and the session survives it.
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    EXPECT_FALSE(before.exec("INSERT INTO " + t + " VALUES (" + std::to_string(i) + ")"));
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    EXPECT_LT(took, 2.0) << "a write waited " << took << " s for the dead primary";
    EXPECT_TRUE(before.errnum() == 1105u || before.errnum() == 1158u) << before.describe_error();
  }
  EXPECT_EQ(must_scalar(before, "SELECT 'still here'"), "still here");

  // The primary returns: writes work again within a few checks.
  ASSERT_EQ(run_cluster_command(cluster_env(), "start-node primary", &out), 0) << out;
  killed_.clear();
  const auto back = Clock::now();
  bool written = false;
  while (!written && Clock::now() - back < std::chrono::seconds(10)) {
    written = before.exec("INSERT INTO " + t + " VALUES (100)");
    if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(written) << "writes did not resume within 10 s of the primary's return: " << before.describe_error();
  // Ready again once the primary is UP (it takes writes a check or two before: up_after).
  HttpReply ready_again;
  const auto wrote_at = Clock::now();
  while (Clock::now() - wrote_at < std::chrono::seconds(3)) {
    ready_again = readyz(*proxy_);
    if (ready_again.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(ready_again.status, 200) << ready_again.body;
  RecordProperty("writes_resumed_after_s",
                 std::to_string(std::chrono::duration<double>(Clock::now() - back).count()));
  ASSERT_EQ(run_cluster_command(cluster_env(), "wait-sync 30", &out), 0) << out;
}

}  // namespace
}  // namespace itest
