// Automatic failover on a cluster of its own (scripts/cluster.sh with another CLUSTER_DIR and port
// base, semi-synchronous replication as the script sets it up): two proxy processes with
// failover.automatic watch it while eight clients insert sequential ids through them, and the
// primary is killed with SIGKILL. Exactly one proxy promotes a replica; writes work again soon
// (the time is reported); every id a client saw acknowledged is on the new primary; the old
// primary, started again, is fenced and rejoins as a replica. And an old primary that took a write
// of its own while no proxy could see it is kept out as diverged, with that write's GTID listed.
// The cluster is removed at the end.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/metrics_text.hpp"
#include "support/proxy_process.hpp"
#include "support/test_env.hpp"

namespace itest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

long long ms(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

class AutoFailoverTest : public IntegrationTest {
 protected:
  void TearDown() override {
    writers_stop_ = true;
    for (auto& t : writers_) t.join();
    proxies_.clear();
    if (started_) {
      std::string out;
      if (run_cluster_command(fo_, "reset", &out) != 0) ADD_FAILURE() << "removing the failover cluster: " << out;
    }
    IntegrationTest::TearDown();
  }

  // A fresh three-node cluster next to the shared one. False (with the reason) when it can't start.
  bool start_cluster() {
    fo_ = cluster_env();
    fo_.dir = cluster_env().dir + "-failover";
    fo_.port_base = cluster_env().port_base + 20;
    fo_.primary_port = fo_.port_base;
    fo_.replica1_port = fo_.port_base + 1;
    fo_.replica2_port = fo_.port_base + 2;
    std::string out;
    run_cluster_command(fo_, "reset", &out);
    started_ = true;
    if (run_cluster_command(fo_, "start", &out) != 0) {
      ADD_FAILURE() << "starting the failover cluster: " << out;
      return false;
    }
    return true;
  }

  std::unique_ptr<ProxyProcess> start_proxy() {
    ProxyOptions o;
    o.consistency = "eventual";
    o.health_interval = "200ms";
    o.failover = "{ automatic: true, primary_down_after: 2s, catchup_timeout: 5s, switchover_timeout: 10s, "
                 "replication_user: repl, replication_password: repl-pass }";
    auto p = std::make_unique<ProxyProcess>(fo_, o);
    std::string error;
    if (!p->start(&error)) {
      ADD_FAILURE() << error;
      return nullptr;
    }
    return p;
  }

  // Fields of SHOW SLAVE STATUS on a node ("" when it replicates from nobody): 3 Master_Port,
  // 10 Slave_IO_Running, 11 Slave_SQL_Running.
  std::string slave_field(const std::string& node, std::size_t index) {
    const std::string row = cluster_sql(node, "SHOW SLAVE STATUS") + "\t";
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t tab; (tab = row.find('\t', start)) != std::string::npos; start = tab + 1) {
      fields.push_back(row.substr(start, tab - start));
    }
    return fields.size() > index ? fields[index] : "";
  }
  std::string source_port(const std::string& node) { return slave_field(node, 3); }
  // It replicates from `port` with both threads running.
  bool replicates_from(const std::string& node, int port) {
    return source_port(node) == std::to_string(port) && slave_field(node, 10) == "Yes" && slave_field(node, 11) == "Yes";
  }

  std::string cluster_sql(const std::string& node, const std::string& sql) {
    std::string out;
    if (run_cluster_command(fo_, "sql " + node + " \"" + sql + "\"", &out) != 0) return "ERROR: " + out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  // The lines of both proxies' logs about roles and failover (what a failure message needs).
  std::string failover_log() {
    std::string out;
    for (auto& p : proxies_) {
      std::ifstream in(p->log_path());
      for (std::string line; std::getline(in, line);) {
        if (line.find("failover") != std::string::npos || line.find("fencing") != std::string::npos ||
            line.find("primary") != std::string::npos) {
          out += "  | " + line + "\n";
        }
      }
      out += "  ----\n";
    }
    return out;
  }

  double metric_on(const ProxyProcess& p, const std::string& name, const std::string& filter) {
    const HttpReply r = http_request("127.0.0.1", p.admin_port(), "GET", "/metrics");
    return r.status == 200 ? metric_sum(r.body, name, filter) : -1;
  }

  // Eight clients, four per proxy, inserting ids n*1000000 + 1, 2, ... in autocommit. An error
  // closes the connection and the client goes on with the next id on a new one: whether the
  // failed insert committed is unknown, so it is neither counted acknowledged nor retried.
  void start_writers(const std::string& table) {
    for (int n = 0; n < 8; ++n) {
      writers_.emplace_back([this, n, table] {
        const ProxyProcess& p = *proxies_[n % 2];
        std::optional<Client> c;
        long long next = static_cast<long long>(n) * 1000000 + 1;
        while (!writers_stop_) {
          if (!c) {
            c.emplace();
            c->set_read_timeout(10);
            if (!c->connect(p.host(), p.port(), "app", "app-pass", "proxytest")) {
              c.reset();
              std::this_thread::sleep_for(20ms);
              continue;
            }
          }
          const long long id = next++;
          if (c->exec("INSERT INTO " + table + " (id) VALUES (" + std::to_string(id) + ")")) {
            std::lock_guard lock(mu_);
            acknowledged_.insert(id);
            last_ok_ = Clock::now();
            if (killed_at_ && !first_ok_after_kill_) first_ok_after_kill_ = Clock::now();
          } else {
            std::lock_guard lock(mu_);
            ++errors_;
            c.reset();
          }
        }
      });
    }
  }

  ClusterEnv fo_;
  bool started_ = false;
  std::vector<std::unique_ptr<ProxyProcess>> proxies_;
  std::vector<std::thread> writers_;
  std::atomic<bool> writers_stop_{false};
  std::mutex mu_;
  std::set<long long> acknowledged_;
  std::optional<Clock::time_point> killed_at_;
  std::optional<Clock::time_point> first_ok_after_kill_;
  Clock::time_point last_ok_{};
  long long errors_ = 0;
};

TEST_F(AutoFailoverTest, PrimaryKilledUnderEightWritersOneProxyPromotesNothingAcknowledgedIsLost) {
  if (ProxyProcess* shared = shared_proxy(); shared != nullptr && shared->direct()) {
    GTEST_SKIP() << "this is the proxy's own job";
  }
  ASSERT_TRUE(start_cluster());
  ASSERT_EQ(cluster_sql("primary", "SELECT @@rpl_semi_sync_master_enabled"), "1");
  ASSERT_EQ(cluster_sql("primary", "CREATE TABLE proxytest.seq (id BIGINT PRIMARY KEY)"), "");
  for (int i = 0; i < 2; ++i) {
    auto p = start_proxy();
    ASSERT_TRUE(p);
    proxies_.push_back(std::move(p));
  }
  start_writers("seq");
  std::this_thread::sleep_for(2s);
  {
    std::lock_guard lock(mu_);
    ASSERT_GT(acknowledged_.size(), 50u) << "the writers are not writing; errors: " << errors_;
    ASSERT_EQ(cluster_sql("primary", "SHOW STATUS LIKE 'Rpl_semi_sync_master_status'"), "Rpl_semi_sync_master_status\tON");
  }
  std::string out;
  ASSERT_EQ(run_cluster_command(fo_, "kill primary", &out), 0) << out;
  {
    std::lock_guard lock(mu_);
    killed_at_ = Clock::now();
  }
  // Writes back within 5 s of the kill.
  const auto deadline = *killed_at_ + 15s;
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(mu_);
      if (first_ok_after_kill_) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  std::optional<Clock::duration> back;
  {
    std::lock_guard lock(mu_);
    if (first_ok_after_kill_) back = *first_ok_after_kill_ - *killed_at_;
  }
  ASSERT_TRUE(back) << "no write succeeded within 15 s of the kill\n" << failover_log();
  std::printf("[ failover ] writes back %lld ms after the kill\n", ms(*back));
  RecordProperty("writes_back_after_kill_ms", std::to_string(ms(*back)));
  EXPECT_LE(*back, 5s);
  std::this_thread::sleep_for(2s);  // more writes on the new primary
  writers_stop_ = true;
  for (auto& t : writers_) t.join();
  writers_.clear();

  // Exactly one failover, by one of the two proxies.
  double done = 0;
  for (auto& p : proxies_) done += metric_on(*p, "mysql_proxy_failover_events_total", "kind=\"failover\",outcome=\"done\"");
  EXPECT_EQ(done, 1) << failover_log();

  // The new primary: the one writable replica.
  std::string promoted;
  for (const char* node : {"replica1", "replica2"}) {
    if (cluster_sql(node, "SELECT @@read_only") == "0") {
      EXPECT_TRUE(promoted.empty()) << "two writable replicas";
      promoted = node;
    }
  }
  ASSERT_FALSE(promoted.empty()) << "no replica was promoted";
  const std::string other = promoted == "replica1" ? "replica2" : "replica1";

  // Every acknowledged id is on the new primary.
  std::set<long long> missing;
  {
    Client c;
    ASSERT_TRUE(c.connect(fo_.host, fo_.port_of(promoted), "app", "app-pass", "proxytest")) << c.describe_error();
    std::set<long long> present;
    for (const auto& row : must_query(c, "SELECT id FROM seq")) present.insert(std::stoll(row[0].value_or("0")));
    std::lock_guard lock(mu_);
    for (long long id : acknowledged_) {
      if (!present.count(id)) missing.insert(id);
    }
    std::printf("[ failover ] %zu writes acknowledged, %zu lost, %lld client errors\n", acknowledged_.size(),
                missing.size(), errors_);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " acknowledged ids are not on the new primary, first "
                               << *missing.begin();

  // The other replica follows the new primary.
  for (const auto deadline = Clock::now() + 10s; !replicates_from(other, fo_.port_of(promoted)) && Clock::now() < deadline;) {
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(replicates_from(other, fo_.port_of(promoted))) << cluster_sql(other, "SHOW SLAVE STATUS");

  // The old primary comes back writable (its config says so): fenced, then a replica of the new one.
  ASSERT_EQ(run_cluster_command(fo_, "start-node primary", &out), 0) << out;
  const auto rejoin_deadline = Clock::now() + 20s;
  bool rejoined = false;
  while (!rejoined && Clock::now() < rejoin_deadline) {
    rejoined = cluster_sql("primary", "SELECT @@read_only") == "1" && replicates_from("primary", fo_.port_of(promoted));
    if (!rejoined) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(rejoined) << cluster_sql("primary", "SHOW SLAVE STATUS") << "\n" << failover_log();
}

TEST_F(AutoFailoverTest, OldPrimaryWithAWriteOfItsOwnIsKeptOutAsDiverged) {
  if (ProxyProcess* shared = shared_proxy(); shared != nullptr && shared->direct()) {
    GTEST_SKIP() << "this is the proxy's own job";
  }
  ASSERT_TRUE(start_cluster());
  ASSERT_EQ(cluster_sql("primary", "CREATE TABLE proxytest.seq (id BIGINT PRIMARY KEY)"), "");
  auto p = start_proxy();
  ASSERT_TRUE(p);
  proxies_.push_back(std::move(p));
  ProxyProcess& proxy = *proxies_[0];
  Client c;
  ASSERT_TRUE(c.connect(proxy.host(), proxy.port(), "app", "app-pass", "proxytest")) << c.describe_error();
  must_exec(c, "INSERT INTO seq VALUES (1)");
  std::string out;
  ASSERT_EQ(run_cluster_command(fo_, "wait-sync 30", &out), 0) << out;

  ASSERT_EQ(run_cluster_command(fo_, "kill primary", &out), 0) << out;
  bool written = false;
  for (const auto deadline = Clock::now() + 15s; !written && Clock::now() < deadline;) {
    Client w;
    written = w.connect(proxy.host(), proxy.port(), "app", "app-pass", "proxytest") && w.exec("INSERT INTO seq VALUES (2)");
    if (!written) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(written) << "no failover within 15 s\n" << failover_log();

  // The old primary returns while the proxy is frozen, and takes a write nobody else gets.
  proxy.signal(SIGSTOP);
  const bool started = run_cluster_command(fo_, "start-node primary", &out) == 0;
  const std::string own_write = cluster_sql("primary", "INSERT INTO proxytest.seq VALUES (1000)");
  const std::string errant = cluster_sql("primary", "SELECT @@gtid_binlog_pos");
  proxy.signal(SIGCONT);
  ASSERT_TRUE(started) << out;
  ASSERT_EQ(own_write, "");

  // Fenced (read-only), not re-pointed, and listed as diverged with that write's GTID.
  std::string listed;
  for (const auto deadline = Clock::now() + 15s; Clock::now() < deadline; std::this_thread::sleep_for(200ms)) {
    const HttpReply r = http_request("127.0.0.1", proxy.admin_port(), "GET", "/api/v1/pool", "itest-token");
    if (r.status != 200) continue;
    const auto view = boost::json::parse(r.body).as_object();
    for (const auto& d : view.at("failover").at("diverged").as_array()) {
      if (d.at("name").as_string() != "primary") continue;
      for (const auto& g : d.at("errant_gtids").as_array()) listed += std::string(g.as_string()) + " ";
    }
    if (!listed.empty()) break;
  }
  EXPECT_EQ(listed, errant + " ") << failover_log();
  EXPECT_EQ(cluster_sql("primary", "SELECT @@read_only"), "1");
  EXPECT_EQ(source_port("primary"), "") << "a diverged server must not be made a replica";
  EXPECT_EQ(metric_on(proxy, "mysql_proxy_failover_events_total", "kind=\"fence\",outcome=\"done\""), 1);
  // Its own write reached nobody: the new primary has rows 1 and 2 only.
  std::string promoted = cluster_sql("replica1", "SELECT @@read_only") == "0" ? "replica1" : "replica2";
  EXPECT_EQ(cluster_sql(promoted, "SELECT GROUP_CONCAT(id ORDER BY id) FROM proxytest.seq"), "1,2");
}

}  // namespace
}  // namespace itest
