// The health monitor against the real cluster (scripts/cluster.sh): it drives HealthMonitor
// directly (no proxy) and breaks the cluster on purpose: replication delay, a killed replica, a
// stopped SQL thread, a promotion, both replicas down, DNS names that gain and lose addresses.
// Every test puts the cluster back as it found it, even when it fails. Detection and recovery
// times are printed ("[ health ] ...") and recorded as test properties.
#include "proxy/health/health_monitor.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/validate.hpp"
#include "proxy/health/state_names.hpp"
#include "support/client.hpp"
#include "support/cluster_env.hpp"
#include "support/hosts_entries.hpp"
#include "support/tcp_forwarder.hpp"
#include "support/test_env.hpp"

namespace itest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using mysqlproxy::proxy::BackendRole;
using mysqlproxy::proxy::BackendState;
using mysqlproxy::proxy::BackendStatus;
using mysqlproxy::proxy::HealthMonitor;
using mysqlproxy::proxy::PoolSnapshot;
using mysqlproxy::proxy::PoolSnapshotCell;
using mysqlproxy::proxy::state_name;
namespace config = mysqlproxy::config;

constexpr auto kInterval = 200ms;

long long ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::string describe(const PoolSnapshot& s) {
  std::ostringstream out;
  out << "snapshot v" << s.version
      << " primary=" << (s.primary_status() ? s.primary_status()->name : std::string("none"))
      << " fallback=" << s.reads_fall_back_to_primary << "\n";
  for (const BackendStatus& b : s.backends) {
    out << "  #" << b.id << " " << b.name << " " << b.host << ":" << b.port << " "
        << state_name(b.state) << (b.role == BackendRole::kPrimary ? " primary" : "")
        << " lag=" << (b.lag_seconds ? std::to_string(*b.lag_seconds) : std::string("-"))
        << " gtid=" << b.gtid_position << " error=" << b.last_error << "\n";
  }
  return out.str();
}

const BackendStatus* find(const PoolSnapshot& s, std::string_view name) {
  for (const BackendStatus& b : s.backends) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

bool in_state(const PoolSnapshot& s, std::string_view name, BackendState state) {
  const BackendStatus* b = find(s, name);
  return b != nullptr && b->state == state;
}

bool primary_is(const PoolSnapshot& s, std::string_view name) {
  return s.primary_status() != nullptr && s.primary_status()->name == name;
}

bool all_up(const PoolSnapshot& s) {
  for (const BackendStatus& b : s.backends) {
    if (b.state != BackendState::kUp || b.last_check == std::chrono::system_clock::time_point{}) {
      return false;
    }
  }
  return !s.backends.empty();
}

class HealthMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    const ClusterEnv* env = cluster(&error);
    ASSERT_NE(env, nullptr) << error;
    env_ = *env;
  }

  void TearDown() override {
    stop_monitor();
    // Restores run last-registered first, whatever happened above.
    for (auto it = restores_.rbegin(); it != restores_.rend(); ++it) (*it)();
    if (HasFailure()) {
      std::fprintf(stderr, "---- state changes seen:\n");
      std::lock_guard lock(events_mu_);
      for (const std::string& e : events_) std::fprintf(stderr, "  %s\n", e.c_str());
    }
  }

  void stop_monitor() {
    if (monitor_) monitor_->stop();
    monitor_.reset();
  }

  config::Config make_config() {
    config::Config cfg;
    cfg.source = "health_monitor_test";
    cfg.backends = {
        {"primary", "127.0.0.1", static_cast<std::uint16_t>(env_.primary_port),
         config::BackendRole::kPrimary, 1},
        {"replica1", "127.0.0.1", static_cast<std::uint16_t>(env_.replica1_port),
         config::BackendRole::kReplica, 1},
        {"replica2", "127.0.0.1", static_cast<std::uint16_t>(env_.replica2_port),
         config::BackendRole::kReplica, 1},
    };
    cfg.users = {{"app", "app-pass"}};
    cfg.health.interval = kInterval;
    cfg.health.timeout = 500ms;
    cfg.health.user = "monitor";
    cfg.health.password = "monitor-pass";
    cfg.health.max_replication_lag = 1s;
    cfg.health.down_after = 3;
    cfg.health.up_after = 2;
    cfg.health.lagging_after = 2;
    cfg.health.recover_after = 3;
    cfg.health.heartbeat.table = heartbeat_table();
    cfg.health.discovery_interval = 300ms;
    return cfg;
  }

  static std::string heartbeat_table() { return "mysql_proxy." + unique_name("hb_itest"); }

  void start_monitor(const config::Config& cfg) {
    auto valid = config::validate_config(cfg);
    ASSERT_TRUE(valid) << valid.error().message;
    auto shared = std::make_shared<const config::Config>(cfg);
    monitor_ = std::make_unique<HealthMonitor>(shared, cell_);
    monitor_->set_state_callback([this](const BackendStatus& b, BackendState from, BackendState to,
                                        std::string_view reason) {
      std::lock_guard lock(events_mu_);
      events_.push_back("+" + std::to_string(ms(Clock::now() - started_)) + "ms " + b.name + " " +
                        std::string(state_name(from)) + " -> " + std::string(state_name(to)) +
                        ": " + std::string(reason));
    });
    started_ = Clock::now();
    monitor_->start();
  }

  std::shared_ptr<const PoolSnapshot> snapshot() const { return cell_.get(); }

  // Polls the published snapshot until `pred` holds; the time it took since `from`, or nullopt
  // (with a test failure showing the last snapshot) after `timeout`.
  std::optional<Clock::duration> wait_for(const std::string& what,
                                          const std::function<bool(const PoolSnapshot&)>& pred,
                                          Clock::duration timeout,
                                          Clock::time_point from = Clock::now()) {
    const auto deadline = from + timeout;
    while (true) {
      auto s = snapshot();
      if (pred(*s)) return Clock::now() - from;
      if (Clock::now() >= deadline) {
        ADD_FAILURE() << "timed out after " << ms(timeout) << "ms waiting for " << what << "\n"
                      << describe(*s);
        return std::nullopt;
      }
      std::this_thread::sleep_for(5ms);
    }
  }

  void wait_all_up() {
    ASSERT_TRUE(wait_for("every backend checked and UP", all_up, 5s)) << "cluster not healthy";
  }

  void cluster_cmd(const std::string& args) {
    std::string out;
    int rc = run_cluster_command(env_, args, &out);
    ASSERT_EQ(rc, 0) << "cluster.sh " << args << " failed:\n" << out;
  }

  // Runs in TearDown; failures there are reported but do not stop the other restores.
  void on_teardown(std::function<void()> restore) { restores_.push_back(std::move(restore)); }

  // Every node up, replication running and caught up: how the suite expects the cluster.
  void restore_cluster() {
    std::string out;
    if (run_cluster_command(env_, "start", &out) != 0) {
      ADD_FAILURE() << "cluster.sh start failed:\n" << out;
      return;
    }
    if (run_cluster_command(env_, "wait-sync 30", &out) != 0) {
      ADD_FAILURE() << "cluster.sh wait-sync failed:\n" << out;
    }
  }

  void report(const std::string& key, Clock::duration d) {
    RecordProperty(key, std::to_string(ms(d)));
    std::printf("[ health ] %s: %s = %lld ms\n",
                ::testing::UnitTest::GetInstance()->current_test_info()->name(), key.c_str(),
                ms(d));
    std::fflush(stdout);
  }

  // Waits up to a second: the publisher (it also runs on its own every interval) can show a new
  // state before the checking thread has logged the change and called back.
  bool saw_event(std::string_view needle) {
    const auto deadline = Clock::now() + 1s;
    for (;;) {
      {
        std::lock_guard lock(events_mu_);
        for (const std::string& e : events_) {
          if (e.find(needle) != std::string::npos) return true;
        }
      }
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
  }

  ClusterEnv env_;
  PoolSnapshotCell cell_;
  std::unique_ptr<HealthMonitor> monitor_;
  Clock::time_point started_;
  std::mutex events_mu_;
  std::vector<std::string> events_;
  std::vector<std::function<void()>> restores_;
};

TEST_F(HealthMonitorTest, PublishesTheConfigBeforeAnyCheck) {
  config::Config cfg = make_config();
  cfg.backends[0].host = "127.0.0.1";
  auto shared = std::make_shared<const config::Config>(cfg);
  HealthMonitor monitor(shared, cell_);  // not started
  auto s = snapshot();
  ASSERT_EQ(s->backends.size(), 3u) << describe(*s);
  EXPECT_GE(s->version, 1u);
  EXPECT_TRUE(primary_is(*s, "primary")) << describe(*s);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s->backends[i].id, i);
    EXPECT_EQ(s->backends[i].state, BackendState::kUp);
    EXPECT_EQ(s->backends[i].role, i == 0 ? BackendRole::kPrimary : BackendRole::kReplica);
  }
  EXPECT_FALSE(s->reads_fall_back_to_primary);
}

TEST_F(HealthMonitorTest, HealthyClusterIsPrimaryAndTwoUpReplicasWithGtids) {
  start_monitor(make_config());
  auto took = wait_for(
      "primary + 2 UP replicas with GTID positions",
      [](const PoolSnapshot& s) {
        if (!all_up(s) || !primary_is(s, "primary")) return false;
        for (const BackendStatus& b : s.backends) {
          if (b.gtid_position.empty()) return false;
          if (b.role == BackendRole::kReplica && !b.lag_seconds) return false;
        }
        return true;
      },
      2s);
  ASSERT_TRUE(took);
  report("healthy_after_start_ms", *took);
  auto s = snapshot();
  EXPECT_FALSE(s->reads_fall_back_to_primary);
  EXPECT_EQ(find(*s, "replica1")->role, BackendRole::kReplica);
  EXPECT_LT(*find(*s, "replica1")->lag_seconds, 1.0) << describe(*s);
  EXPECT_EQ(find(*s, "primary")->lag_seconds, std::nullopt);
  for (const BackendStatus& b : s->backends) {
    EXPECT_GT(b.check_duration.count(), 0) << b.name;
    EXPECT_LT(b.check_duration, 500ms) << b.name;
    EXPECT_EQ(b.last_error, "") << b.name;
  }
  EXPECT_EQ(monitor_->split_brain_detected_total(), 0u);

  // An idle cluster still gets a fresh snapshot every interval (check times move on).
  std::uint64_t version = snapshot()->version;
  std::this_thread::sleep_for(3 * kInterval);
  EXPECT_GT(snapshot()->version, version);

  // stop() with every server answering is quick.
  auto before = Clock::now();
  monitor_->stop();
  report("stop_ms", Clock::now() - before);
  EXPECT_LT(Clock::now() - before, 600ms);
}

// health.keep_connection: kept, the monitor's logins on a server stay flat while it checks; not
// kept, every check logs in anew (and the backends are as healthy either way).
TEST_F(HealthMonitorTest, KeepConnectionDecidesWhetherEachCheckLogsIn) {
  const auto logins = [this] {
    std::string out;
    const int rc = run_cluster_command(
        env_, "sql replica2 \"SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'CONNECTIONS'\"",
        &out);
    EXPECT_EQ(rc, 0) << out;
    return std::atoll(out.c_str());
  };
  constexpr int kChecks = 10;
  for (const bool keep : {true, false}) {
    config::Config cfg = make_config();
    cfg.health.keep_connection = keep;
    start_monitor(cfg);
    wait_all_up();
    ASSERT_FALSE(HasFatalFailure());
    const long long before = logins();
    std::this_thread::sleep_for(kChecks * kInterval);
    const long long grew = logins() - before;  // counts the reading session too
    std::printf("[ health ] keep_connection=%d: %lld logins on replica2 in %d intervals\n", keep, grew, kChecks);
    if (keep) {
      EXPECT_LE(grew, 2);
    } else {
      EXPECT_GE(grew, kChecks / 2);
    }
    EXPECT_TRUE(all_up(*snapshot())) << describe(*snapshot());
    stop_monitor();
  }
}

TEST_F(HealthMonitorTest, DelayedReplicaGoesLaggingByHeartbeatAndComesBack) {
  on_teardown([this] {
    std::string out;
    if (run_cluster_command(env_, "delay replica1 0", &out) != 0) ADD_FAILURE() << out;
    run_cluster_command(env_, "sql primary \"DROP TABLE IF EXISTS " + heartbeat_table() + "\"",
                        &out);
    restore_cluster();
  });
  config::Config cfg = make_config();
  cfg.health.heartbeat.enabled = true;
  start_monitor(cfg);
  ASSERT_TRUE(wait_for(
      "heartbeat lag on both replicas",
      [](const PoolSnapshot& s) {
        return all_up(s) && find(s, "replica1")->lag_seconds && find(s, "replica2")->lag_seconds &&
               *find(s, "replica1")->lag_seconds < 1.0 && *find(s, "replica1")->lag_seconds > 0;
      },
      5s));
  // Heartbeat lag is fractional: proof that it, not the whole seconds of
  // Seconds_Behind_Master, is what the snapshot shows.

  // A stream of writes on the primary while replica1 falls behind.
  std::atomic<bool> writing{true};
  std::string table = "proxytest." + unique_name("health_writes");
  std::thread writer([&] {
    Client c;
    if (!c.connect("127.0.0.1", env_.primary_port, "app", "app-pass", "proxytest")) return;
    c.exec("CREATE TABLE IF NOT EXISTS " + table + " (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
    while (writing) {
      c.exec("INSERT INTO " + table + " (v) VALUES (1)");
      std::this_thread::sleep_for(50ms);
    }
    c.exec("DROP TABLE IF EXISTS " + table);
  });
  struct JoinWriter {
    std::atomic<bool>& flag;
    std::thread& t;
    ~JoinWriter() {
      flag = false;
      if (t.joinable()) t.join();
    }
  } join_writer{writing, writer};

  cluster_cmd("delay replica1 3");
  // When did the lag cross 1 s? Estimated from the first snapshot that shows it over the limit:
  // that many seconds of lag beyond 1 s ago.
  std::optional<Clock::time_point> crossed;
  auto lagging = wait_for(
      "replica1 LAGGING",
      [&](const PoolSnapshot& s) {
        const BackendStatus* r1 = find(s, "replica1");
        if (!crossed && r1->lag_seconds && *r1->lag_seconds > 1.0) {
          auto over = std::chrono::duration<double>(*r1->lag_seconds - 1.0);
          crossed = Clock::now() - std::chrono::duration_cast<Clock::duration>(over);
        }
        return r1->state == BackendState::kLagging;
      },
      10s);
  ASSERT_TRUE(lagging);
  ASSERT_TRUE(crossed) << "LAGGING without the lag ever crossing the limit:\n"
                       << describe(*snapshot());
  auto detection = Clock::now() - *crossed;
  report("lag_detection_after_crossing_ms", detection);
  report("lagging_after_delay_command_ms", *lagging);
  EXPECT_LE(detection, kInterval + 1s);
  EXPECT_TRUE(saw_event("replica1 UP -> LAGGING: ")) << "the change was logged";
  EXPECT_TRUE(in_state(*snapshot(), "replica2", BackendState::kUp)) << describe(*snapshot());
  EXPECT_FALSE(snapshot()->reads_fall_back_to_primary);

  // It stays LAGGING while delayed, with a lag close to the delay.
  ASSERT_TRUE(wait_for(
      "replica1 lag near 3s",
      [](const PoolSnapshot& s) {
        const BackendStatus* r1 = find(s, "replica1");
        return r1->lag_seconds && *r1->lag_seconds > 2.5;
      },
      5s));
  EXPECT_TRUE(in_state(*snapshot(), "replica1", BackendState::kLagging));

  cluster_cmd("delay replica1 0");
  auto recovered = wait_for(
      "replica1 UP again",
      [](const PoolSnapshot& s) { return in_state(s, "replica1", BackendState::kUp); }, 15s);
  ASSERT_TRUE(recovered);
  report("lag_recovery_after_delay_removed_ms", *recovered);
  EXPECT_LT(*find(*snapshot(), "replica1")->lag_seconds, 1.0);
}

TEST_F(HealthMonitorTest, KilledReplicaIsDownThenUpAgain) {
  on_teardown([this] { restore_cluster(); });
  start_monitor(make_config());
  wait_all_up();
  ASSERT_FALSE(HasFatalFailure());

  cluster_cmd("kill replica2");
  auto down = wait_for(
      "replica2 DOWN",
      [](const PoolSnapshot& s) { return in_state(s, "replica2", BackendState::kDown); }, 5s);
  ASSERT_TRUE(down);
  report("down_detection_ms", *down);
  EXPECT_LE(*down, 2s);
  EXPECT_TRUE(saw_event("replica2 UP -> DOWN: 3 failed checks: ")) << "reason names the checks";
  auto s = snapshot();
  EXPECT_NE(find(*s, "replica2")->last_error, "") << describe(*s);
  EXPECT_TRUE(in_state(*s, "replica1", BackendState::kUp)) << "one dead replica delays no other";
  EXPECT_FALSE(s->reads_fall_back_to_primary);

  // The node accepts connections somewhere inside start-node (which also waits for it to be
  // ready): report from both ends of the command.
  auto starting = Clock::now();
  cluster_cmd("start-node replica2");
  auto returned = Clock::now() - starting;
  auto up = wait_for(
      "replica2 UP",
      [](const PoolSnapshot& s) { return in_state(s, "replica2", BackendState::kUp); }, 15s,
      starting);
  ASSERT_TRUE(up);
  report("start_node_command_ms", returned);
  report("up_after_start_node_began_ms", *up);
  report("up_after_start_node_returned_ms", *up > returned ? *up - returned : 0ms);
}

TEST_F(HealthMonitorTest, StoppedSqlThreadIsLaggingThenUp) {
  on_teardown([this] { restore_cluster(); });
  start_monitor(make_config());
  wait_all_up();
  ASSERT_FALSE(HasFatalFailure());

  cluster_cmd("stop-sql-thread replica1");
  auto lagging = wait_for(
      "replica1 LAGGING",
      [](const PoolSnapshot& s) { return in_state(s, "replica1", BackendState::kLagging); }, 5s);
  ASSERT_TRUE(lagging);
  report("sql_thread_stop_detection_ms", *lagging);
  EXPECT_LE(*lagging, 1s);
  EXPECT_TRUE(saw_event("replica1 UP -> LAGGING: SQL thread stopped"));
  EXPECT_EQ(find(*snapshot(), "replica1")->last_error, "SQL thread stopped");

  cluster_cmd("start-sql-thread replica1");
  auto up = wait_for(
      "replica1 UP",
      [](const PoolSnapshot& s) { return in_state(s, "replica1", BackendState::kUp); }, 10s);
  ASSERT_TRUE(up);
  report("sql_thread_start_recovery_ms", *up);
}

TEST_F(HealthMonitorTest, BothReplicasDownMeansReadsFallBackToPrimary) {
  on_teardown([this] { restore_cluster(); });
  start_monitor(make_config());
  wait_all_up();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_FALSE(snapshot()->reads_fall_back_to_primary);

  auto started = Clock::now();
  cluster_cmd("kill replica1");
  cluster_cmd("kill replica2");
  auto fallback = wait_for(
      "reads_fall_back_to_primary",
      [](const PoolSnapshot& s) { return s.reads_fall_back_to_primary; }, 5s, started);
  ASSERT_TRUE(fallback);
  report("fallback_detection_ms", *fallback);
  auto s = snapshot();
  EXPECT_TRUE(primary_is(*s, "primary")) << describe(*s);
  EXPECT_TRUE(in_state(*s, "primary", BackendState::kUp));
  EXPECT_TRUE(in_state(*s, "replica1", BackendState::kDown) ||
              in_state(*s, "replica2", BackendState::kDown));

  auto starting = Clock::now();
  cluster_cmd("start-node replica1");
  auto returned = Clock::now() - starting;
  auto first_back = wait_for(
      "reads on a replica again",
      [](const PoolSnapshot& s) { return !s.reads_fall_back_to_primary; }, 15s, starting);
  ASSERT_TRUE(first_back);
  report("start_node_command_ms", returned);
  report("reads_on_replica_after_start_node_began_ms", *first_back);
  cluster_cmd("start-node replica2");
  ASSERT_TRUE(wait_for(
      "both replicas UP",
      [](const PoolSnapshot& s) {
        return in_state(s, "replica1", BackendState::kUp) &&
               in_state(s, "replica2", BackendState::kUp);
      },
      15s));
}

TEST_F(HealthMonitorTest, DrainEnableAndReload) {
  config::Config cfg = make_config();
  start_monitor(cfg);
  wait_all_up();
  ASSERT_FALSE(HasFatalFailure());
  const std::uint32_t replica2_id = find(*snapshot(), "replica2")->id;

  EXPECT_FALSE(monitor_->drain("nope"));
  ASSERT_TRUE(monitor_->drain("replica2"));
  ASSERT_TRUE(wait_for(
      "replica2 DRAINING",
      [](const PoolSnapshot& s) { return in_state(s, "replica2", BackendState::kDraining); }, 1s));
  std::this_thread::sleep_for(3 * kInterval);  // checks go on underneath; it stays drained
  EXPECT_TRUE(in_state(*snapshot(), "replica2", BackendState::kDraining));
  ASSERT_TRUE(monitor_->enable("replica2"));
  ASSERT_TRUE(wait_for(
      "replica2 UP after enable",
      [](const PoolSnapshot& s) { return in_state(s, "replica2", BackendState::kUp); }, 1s));
  EXPECT_TRUE(saw_event("replica2 UP -> DRAINING: drained by operator"));
  EXPECT_TRUE(saw_event("replica2 DRAINING -> UP: enabled by operator"));

  // Reload without replica2: DRAINING for one discovery interval, then gone.
  config::Config without = cfg;
  without.backends.pop_back();
  auto reloaded = Clock::now();
  monitor_->update_config(std::make_shared<const config::Config>(without));
  ASSERT_TRUE(wait_for(
      "replica2 DRAINING after reload",
      [](const PoolSnapshot& s) { return in_state(s, "replica2", BackendState::kDraining); }, 1s,
      reloaded));
  auto gone = wait_for(
      "replica2 dropped", [](const PoolSnapshot& s) { return s.backends.size() == 2; }, 3s,
      reloaded);
  ASSERT_TRUE(gone);
  report("removed_backend_dropped_ms", *gone);

  // And back: it starts DOWN, joins after up_after good checks, and has its old id.
  reloaded = Clock::now();
  monitor_->update_config(std::make_shared<const config::Config>(cfg));
  ASSERT_TRUE(wait_for(
      "replica2 back", [](const PoolSnapshot& s) { return find(s, "replica2") != nullptr; }, 1s,
      reloaded));
  EXPECT_NE(find(*snapshot(), "replica2")->state, BackendState::kUp) << "joins only after checks";
  auto joined = wait_for(
      "replica2 UP after reload",
      [](const PoolSnapshot& s) { return in_state(s, "replica2", BackendState::kUp); }, 3s,
      reloaded);
  ASSERT_TRUE(joined);
  report("added_backend_up_ms", *joined);
  EXPECT_EQ(find(*snapshot(), "replica2")->id, replica2_id);
}

TEST_F(HealthMonitorTest, HungServerTimesOutAndStopIsBounded) {
  // A server that accepts TCP (the kernel's backlog) but never says hello.
  int hung = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::bind(hung, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(hung, 16), 0);
  socklen_t len = sizeof addr;
  ::getsockname(hung, reinterpret_cast<sockaddr*>(&addr), &len);
  struct CloseFd {
    int fd;
    ~CloseFd() { ::close(fd); }
  } close_hung{hung};

  config::Config cfg = make_config();
  cfg.backends[2].host = "127.0.0.1";
  cfg.backends[2].port = ntohs(addr.sin_port);
  cfg.health.timeout = 300ms;
  cfg.health.down_after = 1;
  start_monitor(cfg);
  auto down = wait_for(
      "the hung server DOWN",
      [](const PoolSnapshot& s) { return in_state(s, "replica2", BackendState::kDown); }, 5s,
      started_);
  ASSERT_TRUE(down);
  report("hung_server_down_ms", *down);
  EXPECT_NE(find(*snapshot(), "replica2")->last_error.find("timed out after"), std::string::npos)
      << describe(*snapshot());
  EXPECT_TRUE(in_state(*snapshot(), "replica1", BackendState::kUp)) << "the others go on";

  // Its worker is stuck in a connect; stop() waits at most the timeout for it.
  std::this_thread::sleep_for(100ms);
  auto before = Clock::now();
  monitor_->stop();
  auto took = Clock::now() - before;
  report("stop_with_hung_server_ms", took);
  EXPECT_LT(took, 300ms + 150ms);
}

TEST_F(HealthMonitorTest, DnsNameGainsAndLosesAnAddress) {
  const std::string name = unique_name("health-itest") + ".test";
  HostsEntries hosts(name);
  std::string error;
  if (!hosts.set({"127.0.0.1"}, &error)) GTEST_SKIP() << error;
  // replica1 also answers on 127.0.0.2 through a forwarder (the cluster binds 127.0.0.1 only).
  TcpForwarder forwarder;
  ASSERT_TRUE(forwarder.start("127.0.0.2", env_.replica1_port, &error)) << error;

  config::Config cfg = make_config();
  cfg.backends.pop_back();
  cfg.backends[1].name = "replicas";
  cfg.backends[1].host = name;
  start_monitor(cfg);
  // Before the first resolution the backend is published by its host name; then the endpoint
  // is keyed by its address, keeping its id.
  const std::uint32_t id = find(*snapshot(), "replicas")->id;
  ASSERT_TRUE(wait_for(
      "replicas resolved and UP",
      [](const PoolSnapshot& s) {
        const BackendStatus* b = find(s, "replicas");
        return b != nullptr && b->host == "127.0.0.1" && b->state == BackendState::kUp;
      },
      3s, started_));
  EXPECT_EQ(find(*snapshot(), "replicas")->id, id);

  // A second address: the pool grows; the new one starts DOWN and joins after good checks.
  ASSERT_TRUE(hosts.set({"127.0.0.1", "127.0.0.2"}, &error)) << error;
  auto grown_at = Clock::now();
  std::optional<BackendState> first_seen;
  auto seen = wait_for(
      "replicas/127.0.0.2 discovered",
      [&](const PoolSnapshot& s) {
        const BackendStatus* b = find(s, "replicas/127.0.0.2");
        if (b != nullptr && !first_seen) first_seen = b->state;
        return b != nullptr;
      },
      3s, grown_at);
  ASSERT_TRUE(seen);
  report("new_address_discovered_ms", *seen);
  EXPECT_EQ(first_seen, BackendState::kDown) << "new addresses join only after passing checks";
  auto joined = wait_for(
      "replicas/127.0.0.2 UP",
      [](const PoolSnapshot& s) {
        return in_state(s, "replicas/127.0.0.2", BackendState::kUp) &&
               in_state(s, "replicas/127.0.0.1", BackendState::kUp);
      },
      3s, grown_at);
  ASSERT_TRUE(joined);
  report("new_address_up_ms", *joined);
  auto s = snapshot();
  ASSERT_EQ(s->backends.size(), 3u) << describe(*s);
  EXPECT_EQ(find(*s, "replicas/127.0.0.1")->id, id) << "the first address keeps the id";
  EXPECT_EQ(find(*s, "replicas/127.0.0.2")->host, "127.0.0.2");
  EXPECT_NE(find(*s, "replicas/127.0.0.2")->id, id);

  // The address goes away: DRAINING for one discovery interval, then dropped.
  ASSERT_TRUE(hosts.set({"127.0.0.1"}, &error)) << error;
  auto shrunk_at = Clock::now();
  auto draining = wait_for(
      "replicas/127.0.0.2 DRAINING",
      [](const PoolSnapshot& s) {
        return in_state(s, "replicas/127.0.0.2", BackendState::kDraining);
      },
      3s, shrunk_at);
  ASSERT_TRUE(draining);
  report("vanished_address_draining_ms", *draining);
  auto dropped = wait_for(
      "the pool shrunk back",
      [](const PoolSnapshot& s) {
        return s.backends.size() == 2 && in_state(s, "replicas", BackendState::kUp);
      },
      3s, shrunk_at);
  ASSERT_TRUE(dropped);
  report("vanished_address_dropped_ms", *dropped);
  EXPECT_EQ(find(*snapshot(), "replicas")->id, id);
}

// Last in the file: it stops the primary. It restores the cluster itself and, whatever
// happens, again in TearDown.
TEST_F(HealthMonitorTest, PromotionMovesThePrimaryAndSplitBrainKeepsIt) {
  on_teardown([this] {
    std::string out;
    run_cluster_command(env_, "start-node primary", &out);
    if (run_cluster_command(env_, "sql replica1 \"SET GLOBAL read_only = 1\"", &out) != 0) {
      ADD_FAILURE() << "cannot make replica1 read-only again:\n" << out;
    }
    restore_cluster();
  });
  start_monitor(make_config());  // heartbeat off: nothing may be written to the promoted replica
  wait_all_up();
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(primary_is(*snapshot(), "primary"));

  cluster_cmd("stop-node primary");
  cluster_cmd("sql replica1 \"SET GLOBAL read_only = 0\"");
  auto promoted = wait_for(
      "replica1 primary", [](const PoolSnapshot& s) { return primary_is(s, "replica1"); }, 3s);
  ASSERT_TRUE(promoted);
  report("promotion_detected_ms", *promoted);
  EXPECT_LE(*promoted, 2 * kInterval);
  auto s = snapshot();
  EXPECT_EQ(s->primary_status()->state, BackendState::kUp) << describe(*s);
  EXPECT_EQ(find(*s, "primary")->role, BackendRole::kReplica);

  // The old primary comes back writable: two writable servers. The monitor keeps replica1,
  // logs and counts it, and never publishes two primaries.
  cluster_cmd("start-node primary");
  auto counted = wait_for(
      "split brain counted",
      [this](const PoolSnapshot&) { return monitor_->split_brain_detected_total() > 0; }, 5s);
  ASSERT_TRUE(counted);
  report("split_brain_detected_ms", *counted);
  std::this_thread::sleep_for(3 * kInterval);
  s = snapshot();
  EXPECT_TRUE(primary_is(*s, "replica1")) << describe(*s);
  int primaries = 0;
  for (const BackendStatus& b : s->backends) primaries += b.role == BackendRole::kPrimary;
  EXPECT_EQ(primaries, 1);
  EXPECT_GE(monitor_->split_brain_detected_total(), 2u) << "counted at every check";

  // The orchestrator demotes replica1: the primary moves back.
  cluster_cmd("sql replica1 \"SET GLOBAL read_only = 1\"");
  auto back = wait_for(
      "primary back", [](const PoolSnapshot& s) { return primary_is(s, "primary"); }, 3s);
  ASSERT_TRUE(back);
  report("demotion_detected_ms", *back);
  EXPECT_LE(*back, 2 * kInterval);

  // Replication resumes (the replicas reconnect to the restarted primary).
  cluster_cmd("wait-sync 30");
  auto healthy = wait_for("all UP again", all_up, 15s);
  ASSERT_TRUE(healthy);
  report("replicas_up_after_restore_ms", *healthy);
}

}  // namespace
}  // namespace itest
