// The health monitor seen through the proxy: clients keep reading (and writing) while the cluster
// is broken on purpose, and the tests check where their statements land:
// - a replica delayed past max_replication_lag gets no new reads, and gets them again after it
//   caught up;
// - a replica whose SQL thread stops is drained: the query running on it finishes, new reads go
//   elsewhere;
// - with both replicas killed under eight reading clients, reads go on, on the primary;
// - a switchover (primary made read-only, a replica writable) and a promotion (primary stopped)
//   move writes without a restart; pinned sessions follow, or get an error if their transaction
//   lived on the old primary;
// - a DNS name whose answer changes changes the pool;
// - a replica, then the primary, frozen with SIGSTOP (alive, sockets open, answering nothing):
//   statements in flight there are abandoned once the monitor marks it DOWN, reads retried
//   elsewhere without an error, writes answered with an error, none waiting past 5 s.
// Every test puts the cluster back as it found it, even when it fails. Times are printed
// ("[ failover ] ...") and recorded as test properties.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

#include "support/hosts_entries.hpp"
#include "support/http_client.hpp"
#include "support/tcp_forwarder.hpp"
#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kInterval = 200ms;

long long ms(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// Clients reading `SELECT @@port` in a loop through the proxy; remembers when each port last
// answered.
class Readers {
 public:
  Readers(const ProxyProcess& proxy, int count) {
    for (int i = 0; i < count; ++i) {
      auto c = std::make_unique<Client>();
      c->set_read_timeout(30);
      if (!c->connect(proxy.host(), proxy.port(), "app", "app-pass", "proxytest")) {
        ADD_FAILURE() << "reader cannot connect: " << c->describe_error();
        return;
      }
      clients_.push_back(std::move(c));
    }
    for (auto& c : clients_) threads_.emplace_back([this, client = c.get()] { loop(*client); });
  }
  ~Readers() { stop(); }

  void stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  std::optional<Clock::time_point> last_answer_from(int port) const {
    std::lock_guard lock(mu_);
    auto it = last_by_port_.find(std::to_string(port));
    if (it == last_by_port_.end()) return std::nullopt;
    return it->second;
  }

  // Waits until `port` answers after `since`; how long after `since` it did.
  std::optional<Clock::duration> wait_answer_from(int port, Clock::time_point since, Clock::duration timeout) const {
    while (Clock::now() < since + timeout) {
      auto last = last_answer_from(port);
      if (last && *last >= since) return *last - since;
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }

  long reads() const { return reads_; }
  int errors() const { return errors_; }
  std::string first_error() const {
    std::lock_guard lock(mu_);
    return first_error_;
  }

 private:
  void loop(Client& c) {
    while (!stop_) {
      auto port = c.scalar("SELECT @@port");
      std::lock_guard lock(mu_);
      if (!port) {
        if (errors_++ == 0) first_error_ = c.describe_error();
        continue;
      }
      ++reads_;
      last_by_port_[*port] = Clock::now();
    }
  }

  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::map<std::string, Clock::time_point> last_by_port_;
  long reads_ = 0;
  int errors_ = 0;
  std::string first_error_;
};

// Clients running one statement after another through the proxy, each on its own connection
// (a new one after an error); the longest any statement took, and the errors.
class TimedClients {
 public:
  TimedClients(const ProxyProcess& proxy, int count, std::function<std::string(int client, long n)> sql) {
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([this, &proxy, i, sql] {
        std::optional<Client> c;
        for (long n = 0; !stop_; ++n) {
          if (!c) {
            c.emplace();
            c->set_read_timeout(30);
            if (!c->connect(proxy.host(), proxy.port(), "app", "app-pass", "proxytest")) {
              c.reset();
              std::this_thread::sleep_for(20ms);
              continue;
            }
          }
          const auto started = Clock::now();
          const bool ok = c->exec(sql(i, n));
          const auto took = Clock::now() - started;
          std::lock_guard lock(mu_);
          longest_ = std::max(longest_, took);
          ++statements_;
          if (!ok) {
            if (errors_++ == 0) first_error_ = c->describe_error();
            c.reset();
          }
        }
      });
    }
  }
  ~TimedClients() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  Clock::duration longest() const {
    std::lock_guard lock(mu_);
    return longest_;
  }
  long statements() const {
    std::lock_guard lock(mu_);
    return statements_;
  }
  long errors() const {
    std::lock_guard lock(mu_);
    return errors_;
  }
  std::string first_error() const {
    std::lock_guard lock(mu_);
    return first_error_;
  }

 private:
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  Clock::duration longest_{};
  long statements_ = 0;
  long errors_ = 0;
  std::string first_error_;
};

class FailoverTest : public OwnProxyTest {
 protected:
  void SetUp() override {
    OwnProxyTest::SetUp();
    // Last of all, whatever the test did: every node up and caught up.
    on_teardown([this] {
      std::string out;
      if (run_cluster_command(cluster_env(), "start", &out) != 0) ADD_FAILURE() << "cluster.sh start failed:\n" << out;
      if (run_cluster_command(cluster_env(), "wait-sync 30", &out) != 0) {
        ADD_FAILURE() << "cluster.sh wait-sync failed:\n" << out;
      }
    });
  }

  // The port of the backend the proxy sends writes to now.
  std::string primary_port_seen(Client& c) {
    return c.scalar("SELECT @@port /* route=primary */").value_or("error: " + c.describe_error());
  }

  // Polls until the proxy's primary is on `port`; how long after `since` that was.
  std::optional<Clock::duration> wait_primary_on(Client& c, int port, Clock::time_point since, Clock::duration timeout) {
    const std::string want = std::to_string(port);
    std::string seen;
    while (Clock::now() < since + timeout) {
      seen = primary_port_seen(c);
      if (seen == want) return Clock::now() - since;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "writes still go to " << seen << ", not " << want << ", after " << ms(timeout) << " ms";
    return std::nullopt;
  }

  void report(const std::string& key, Clock::duration d) {
    RecordProperty(key, std::to_string(ms(d)));
    std::printf("[ failover ] %s: %s = %lld ms\n", ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                key.c_str(), ms(d));
    std::fflush(stdout);
  }

  // Writes after a promotion land in a replica's own binlog; a GTID domain of the test's own
  // keeps them out of the sequence the primary goes on with (the cluster runs gtid_strict_mode,
  // so the primary must never write in that domain again: each test, each run has another).
  std::string own_gtid_domain() {
    if (gtid_domain_ == 0) {
      static std::uint32_t tests = 0;
      gtid_domain_ = 1000 + (static_cast<std::uint32_t>(::getpid()) % 1000000) * 64 + tests++ % 64;
    }
    return "SET SESSION gtid_domain_id = " + std::to_string(gtid_domain_);
  }
  std::uint32_t gtid_domain_ = 0;
};

TEST_F(FailoverTest, DelayedReplicaLosesReadsAndGetsThemBack) {
  const std::string heartbeat = "mysql_proxy." + unique_name("hb_failover");
  on_teardown([this, heartbeat] {
    std::string out;
    if (run_cluster_command(cluster_env(), "delay replica1 0", &out) != 0) ADD_FAILURE() << out;
    run_cluster_command(cluster_env(), "sql primary \"DROP TABLE IF EXISTS " + heartbeat + "\"", &out);
  });
  ProxyOptions options;
  options.health_extra = "max_replication_lag: 1s, heartbeat: { enabled: true, table: " + heartbeat + " }";
  START_OR_SKIP(options);

  // Lag as the monitor measures it, read straight from replica1: how old its heartbeat row is.
  Client r1 = node(cluster_env().replica1_port);
  const std::string lag_sql = "SELECT TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) / 1e6 FROM " + heartbeat + " WHERE id = 1";
  auto lag = [&]() -> std::optional<double> {
    auto v = r1.scalar(lag_sql);
    if (!v) return std::nullopt;
    return std::stod(*v);
  };
  const auto hb_deadline = Clock::now() + 10s;
  while (!lag() && Clock::now() < hb_deadline) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(lag()) << "no heartbeat row on replica1: " << r1.describe_error();

  Readers readers(*proxy_, 4);
  ASSERT_TRUE(readers.wait_answer_from(cluster_env().replica1_port, Clock::now(), 5s)) << "replica1 takes no reads";

  // A stream of writes through the proxy while replica1 falls behind.
  const std::string t = unique_name("fo_delay");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);
  Client writer = open();
  must_exec(writer, "CREATE TABLE " + t + " (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  std::atomic<bool> writing{true};
  std::atomic<int> write_errors{0};
  auto writes = std::async(std::launch::async, [&] {
    while (writing) {
      if (!writer.exec("INSERT INTO " + t + " (v) VALUES (1)")) ++write_errors;
      std::this_thread::sleep_for(20ms);
    }
  });

  cluster_cmd("delay replica1 3");
  std::optional<Clock::time_point> crossed;
  const auto watch_deadline = Clock::now() + 10s;
  while (!crossed && Clock::now() < watch_deadline) {
    auto l = lag();
    if (l && *l > 1.0) crossed = Clock::now() - std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*l - 1.0));
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(crossed) << "replica1's lag never crossed 1 s";
  std::this_thread::sleep_for(kInterval + 1500ms);  // well past the deadline: reads must have stopped
  const auto last = readers.last_answer_from(cluster_env().replica1_port);
  ASSERT_TRUE(last);
  const auto served_after_crossing = *last - *crossed;
  report("last_read_after_lag_crossed_limit_ms", served_after_crossing);
  EXPECT_LE(served_after_crossing, kInterval + 1s) << "replica1 kept taking reads while lagging";
  EXPECT_GT(Clock::now() - *last, 500ms) << "replica1 still takes reads";
  EXPECT_TRUE(readers.wait_answer_from(cluster_env().replica2_port, Clock::now(), 2s)) << "replica2 should take them";

  // Caught up: reads come back.
  cluster_cmd("delay replica1 0");
  const auto undelayed = Clock::now();
  auto back = readers.wait_answer_from(cluster_env().replica1_port, undelayed, 20s);
  ASSERT_TRUE(back) << "replica1 never took reads again";
  report("reads_back_after_delay_removed_ms", *back);
  writing = false;
  writes.get();
  readers.stop();
  EXPECT_EQ(readers.errors(), 0) << readers.first_error();
  EXPECT_EQ(write_errors.load(), 0) << writer.describe_error();
}

TEST_F(FailoverTest, ReplicaWithItsSqlThreadStoppedIsDrainedNotKilled) {
  on_teardown([this] {
    std::string out;
    run_cluster_command(cluster_env(), "start-sql-thread replica1", &out);
  });
  START_OR_SKIP();
  Client c = open();
  // Round-robin alternates: find a moment when the next read goes to replica1.
  const std::string r1 = std::to_string(cluster_env().replica1_port);
  for (int i = 0; i < 4 && must_scalar(c, "SELECT @@port") == r1; ++i) {
  }
  auto running = std::async(std::launch::async, [&c] { return c.query("SELECT SLEEP(2), @@port"); });
  std::this_thread::sleep_for(300ms);
  cluster_cmd("stop-sql-thread replica1");
  const auto stopped = Clock::now();

  // New reads leave replica1 within a few checks; the running query finishes there.
  Client other = open();
  bool left = false;
  while (!left && Clock::now() - stopped < 3s) {
    int on_r1 = 0;
    for (int i = 0; i < 6; ++i) on_r1 += must_scalar(other, "SELECT @@port") == r1;
    left = on_r1 == 0;
  }
  EXPECT_TRUE(left) << "replica1 still takes reads with its SQL thread stopped";
  report("reads_left_after_sql_thread_stop_ms", Clock::now() - stopped);
  auto rows = running.get();
  ASSERT_TRUE(rows) << "the query running on replica1 was killed: " << c.describe_error();
  EXPECT_EQ((*rows)[0][1], r1) << "it ran on replica1 to its end";

  cluster_cmd("start-sql-thread replica1");
  const auto started = Clock::now();
  bool back = false;
  while (!back && Clock::now() - started < 5s) back = must_scalar(other, "SELECT @@port") == r1;
  EXPECT_TRUE(back) << "replica1 never took reads again";
  report("reads_back_after_sql_thread_start_ms", Clock::now() - started);
}

TEST_F(FailoverTest, BothReplicasKilledUnderEightReadersReadsGoOnOnThePrimary) {
  START_OR_SKIP();
  Readers readers(*proxy_, 8);
  ASSERT_TRUE(readers.wait_answer_from(cluster_env().replica2_port, Clock::now(), 5s));
  // (TearDown's `cluster.sh start` brings both back.)
  cluster_cmd("kill replica1");
  cluster_cmd("kill replica2");
  const auto killed = Clock::now();
  auto on_primary = readers.wait_answer_from(cluster_env().primary_port, killed, 3s);
  ASSERT_TRUE(on_primary) << "reads never reached the primary";
  report("first_read_on_primary_after_kill_ms", *on_primary);
  std::this_thread::sleep_for(2s);
  EXPECT_LT(Clock::now() - *readers.last_answer_from(cluster_env().primary_port), 500ms) << "reads stopped";
  readers.stop();
  EXPECT_EQ(readers.errors(), 0) << "first error: " << readers.first_error();
  RecordProperty("reads", std::to_string(readers.reads()));
}

TEST_F(FailoverTest, SwitchoverMovesWritesAndPinnedSessionsFollow) {
  on_teardown([this] {
    std::string out;
    if (run_cluster_command(cluster_env(), "sql replica1 \"SET GLOBAL read_only = 1\"", &out) != 0) ADD_FAILURE() << out;
    if (run_cluster_command(cluster_env(), "sql primary \"SET GLOBAL read_only = 0\"", &out) != 0) ADD_FAILURE() << out;
  });
  START_OR_SKIP();
  const int primary = cluster_env().primary_port;
  const int replica1 = cluster_env().replica1_port;
  const std::string t = unique_name("fo_switch");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);

  Client plain = open();
  must_exec(plain, own_gtid_domain());
  must_exec(plain, "CREATE TABLE " + t + " (id INT PRIMARY KEY, port INT)");
  // In a transaction on the primary when it steps down.
  Client in_trx = open();
  must_exec(in_trx, own_gtid_domain());
  must_exec(in_trx, "BEGIN");
  must_exec(in_trx, "INSERT INTO " + t + " VALUES (1, @@port)");
  // Pinned to the primary (autocommit off) with no transaction open.
  Client pinned = open();
  must_exec(pinned, own_gtid_domain());
  must_exec(pinned, "SET autocommit = 0");
  must_exec(pinned, "INSERT INTO " + t + " VALUES (2, @@port)");
  must_exec(pinned, "COMMIT");
  cluster_cmd("wait-sync 30");
  ASSERT_FALSE(HasFatalFailure());

  // The orchestrator's switchover: nothing writes in between (the test waits for the proxy).
  cluster_cmd("sql primary \"SET GLOBAL read_only = 1\"");
  cluster_cmd("sql replica1 \"SET GLOBAL read_only = 0\"");
  const auto promoted = Clock::now();
  auto followed = wait_primary_on(plain, replica1, promoted, 3s);
  ASSERT_TRUE(followed);
  report("writes_follow_switchover_ms", *followed);
  EXPECT_LE(*followed, 2 * kInterval + 300ms);

  must_exec(plain, "INSERT INTO " + t + " VALUES (3, @@port)");
  must_exec(pinned, "INSERT INTO " + t + " VALUES (4, @@port)");
  EXPECT_EQ(must_scalar(pinned, "SELECT @@port"), std::to_string(replica1)) << "the pinned session followed";
  must_exec(pinned, "COMMIT");
  Client fresh = open();
  must_exec(fresh, own_gtid_domain());
  must_exec(fresh, "INSERT INTO " + t + " VALUES (5, @@port)");

  // The transaction lived on the old primary: a clear error, and the session ends with it.
  EXPECT_FALSE(in_trx.exec("INSERT INTO " + t + " VALUES (6, @@port)"));
  EXPECT_EQ(in_trx.errnum(), 1158u) << in_trx.describe_error();
  EXPECT_EQ(in_trx.error(), "Got an error reading communication packets");
  EXPECT_NE(proxy_->log_tail(400).find("primary moved from"), std::string::npos);
  EXPECT_FALSE(in_trx.query("SELECT 1")) << "the session should have ended with its transaction";

  // Where each row landed.
  Client on_r1 = node(replica1);
  EXPECT_EQ(must_query(on_r1, "SELECT id, port FROM " + t + " ORDER BY id"),
            (Rows{{"2", std::to_string(primary)}, {"3", std::to_string(replica1)}, {"4", std::to_string(replica1)},
                  {"5", std::to_string(replica1)}}));
  Client on_primary = node(primary);
  EXPECT_EQ(must_scalar(on_primary, "SELECT COUNT(*) FROM " + t), "1") << "nothing was written to the old primary after it stepped down";

  // And back.
  cluster_cmd("sql replica1 \"SET GLOBAL read_only = 1\"");
  cluster_cmd("sql primary \"SET GLOBAL read_only = 0\"");
  auto returned = wait_primary_on(plain, primary, Clock::now(), 3s);
  ASSERT_TRUE(returned);
  report("writes_follow_switch_back_ms", *returned);
}

TEST_F(FailoverTest, PromotionAfterThePrimaryStopsMovesWrites) {
  on_teardown([this] {
    std::string out;
    run_cluster_command(cluster_env(), "start-node primary", &out);
    if (run_cluster_command(cluster_env(), "sql replica1 \"SET GLOBAL read_only = 1\"", &out) != 0) ADD_FAILURE() << out;
  });
  START_OR_SKIP();
  const int replica1 = cluster_env().replica1_port;
  const std::string t = unique_name("fo_promote");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);
  Client writer = open();
  must_exec(writer, own_gtid_domain());
  must_exec(writer, "CREATE TABLE " + t + " (id INT AUTO_INCREMENT PRIMARY KEY, port INT)");
  Client in_trx = open();
  must_exec(in_trx, "BEGIN");
  must_exec(in_trx, "INSERT INTO " + t + " (port) VALUES (@@port)");
  cluster_cmd("wait-sync 30");
  ASSERT_FALSE(HasFatalFailure());

  cluster_cmd("stop-node primary");
  // With no primary, a write is refused quickly (and the session lives on).
  const auto refused_at = Clock::now();
  EXPECT_FALSE(writer.exec("INSERT INTO " + t + " (port) VALUES (@@port)"));
  EXPECT_LT(Clock::now() - refused_at, 2s);
  cluster_cmd("sql replica1 \"SET GLOBAL read_only = 0\"");
  const auto promoted = Clock::now();
  bool written = false;
  while (!written && Clock::now() - promoted < 5s) {
    written = writer.exec("INSERT INTO " + t + " (port) VALUES (@@port)");
    if (!written) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(written) << writer.describe_error();
  report("first_write_after_promotion_ms", Clock::now() - promoted);
  EXPECT_LE(Clock::now() - promoted, 2 * kInterval + 300ms);
  EXPECT_EQ(must_scalar(writer, "SELECT port FROM " + t + " /* route=primary */ ORDER BY id DESC LIMIT 1"),
            std::to_string(replica1));
  EXPECT_EQ(primary_port_seen(writer), std::to_string(replica1));
  Client fresh = open();
  must_exec(fresh, own_gtid_domain());
  must_exec(fresh, "INSERT INTO " + t + " (port) VALUES (@@port)");
  EXPECT_EQ(must_scalar(fresh, "SELECT COUNT(*) FROM " + t + " /* route=primary */ WHERE port = " + std::to_string(replica1)),
            "2");
  // The transaction died with the old primary.
  EXPECT_FALSE(in_trx.exec("COMMIT"));
  EXPECT_EQ(in_trx.errnum(), 1158u) << in_trx.describe_error();
}

TEST_F(FailoverTest, FrozenReplicaUnderEightReadersNoReadWaitsPastFiveSecondsAndNoneFails) {
  on_teardown([this] {
    std::string out;
    run_cluster_command(cluster_env(), "thaw replica1", &out);
  });
  START_OR_SKIP();
  TimedClients readers(*proxy_, 8, [](int, long) { return std::string("SELECT @@port, SLEEP(0.01)"); });
  std::this_thread::sleep_for(1s);
  const long before = readers.statements();
  ASSERT_GT(before, 0) << readers.first_error();
  cluster_cmd("freeze replica1");
  std::this_thread::sleep_for(15s);
  cluster_cmd("thaw replica1");
  std::this_thread::sleep_for(1s);
  readers.stop();
  report("longest_read_with_a_replica_frozen", readers.longest());
  EXPECT_LT(readers.longest(), 5s) << "a read waited on the frozen replica";
  EXPECT_EQ(readers.errors(), 0) << readers.first_error();
  EXPECT_GT(readers.statements(), before + 100) << "reads went on on the other replica";
  EXPECT_GE(metric("mysql_proxy_statements_abandoned_total"), 1) << "no read was in flight on the frozen replica";
}

TEST_F(FailoverTest, FrozenPrimaryEveryWriteInFlightIsAnsweredWithinFiveSeconds) {
  on_teardown([this] {
    std::string out;
    run_cluster_command(cluster_env(), "thaw primary", &out);
  });
  START_OR_SKIP();
  const std::string t = unique_name("fo_frozen");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);
  {
    Client c = open();
    must_exec(c, "CREATE TABLE " + t + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) DEFAULT NOW(6))");
  }
  TimedClients writers(*proxy_, 4, [t](int, long) { return "INSERT INTO " + t + " () VALUES ()"; });
  std::this_thread::sleep_for(1s);
  ASSERT_GT(writers.statements(), 0) << writers.first_error();
  cluster_cmd("freeze primary");
  std::this_thread::sleep_for(8s);
  const auto longest_while_frozen = writers.longest();
  cluster_cmd("thaw primary");
  writers.stop();
  report("longest_write_with_the_primary_frozen", longest_while_frozen);
  EXPECT_LT(longest_while_frozen, 5s) << "a write waited on the frozen primary";
  EXPECT_GT(writers.errors(), 0) << "writes to a frozen primary can only fail";
  EXPECT_GE(metric("mysql_proxy_statements_abandoned_total"), 1);
}

TEST_F(FailoverTest, DnsAnswerChangesThePool) {
  const std::string name = unique_name("failover-itest") + ".test";
  HostsEntries hosts(name);
  std::string error;
  if (!hosts.set({"127.0.0.1"}, &error)) GTEST_SKIP() << error;
  // The name answers with replica1; 127.0.0.2 at replica1's port reaches replica2.
  TcpForwarder forwarder;
  ASSERT_TRUE(forwarder.start("127.0.0.2", cluster_env().replica1_port, &error, cluster_env().replica2_port)) << error;
  ProxyOptions options;
  options.health_extra = "discovery_interval: 300ms";
  options.backends = {
      "{ name: primary, host: 127.0.0.1, port: " + std::to_string(cluster_env().primary_port) + ", role: primary }",
      "{ name: replicas, host: " + name + ", port: " + std::to_string(cluster_env().replica1_port) + ", role: replica }"};
  START_OR_SKIP(options);
  Readers readers(*proxy_, 2);
  ASSERT_TRUE(readers.wait_answer_from(cluster_env().replica1_port, Clock::now(), 5s));
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(readers.last_answer_from(cluster_env().replica2_port)) << "replica2 is not in the pool yet";

  ASSERT_TRUE(hosts.set({"127.0.0.1", "127.0.0.2"}, &error)) << error;
  const auto grown = Clock::now();
  auto joined = readers.wait_answer_from(cluster_env().replica2_port, grown, 10s);
  ASSERT_TRUE(joined) << "the new address never took reads; pool: "
                      << http_request("127.0.0.1", proxy_->admin_port(), "GET", "/api/v1/pool", "itest-token").body;
  report("new_address_takes_reads_ms", *joined);

  ASSERT_TRUE(hosts.set({"127.0.0.1"}, &error)) << error;
  const auto shrunk = Clock::now();
  std::this_thread::sleep_for(2s);
  auto last = readers.last_answer_from(cluster_env().replica2_port);
  ASSERT_TRUE(last);
  report("vanished_address_last_read_ms", *last > shrunk ? *last - shrunk : 0ms);
  EXPECT_LT(*last - shrunk, 1500ms) << "the vanished address still took reads";
  EXPECT_TRUE(readers.wait_answer_from(cluster_env().replica1_port, Clock::now(), 1s));
  readers.stop();
  EXPECT_EQ(readers.errors(), 0) << readers.first_error();
}

}  // namespace
}  // namespace itest
