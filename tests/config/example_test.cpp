// config/example.yaml is documentation; it must also stay a valid config.
#include <gtest/gtest.h>

#include <stdlib.h>  // setenv

#include <filesystem>

#include "config/load.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using namespace std::chrono_literals;
using test_support::error_of;

std::string example_path() {
  // No compile definition carries the source dir, so go from this file: tests/config/ -> config/.
  return (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "config" / "example.yaml")
      .lexically_normal()
      .string();
}

TEST(ExampleConfig, LoadsAndIsValid) {
  setenv("APP_PASSWORD", "app-secret", 1);
  auto result = load_config_file(example_path());
  ASSERT_TRUE(result) << error_of(result);
  const Config& config = *result;

  EXPECT_EQ(config.listen.address, "0.0.0.0");
  EXPECT_EQ(config.listen.port, 3306);
  EXPECT_EQ(config.workers, 0u);
  EXPECT_EQ(config.server_version, "");
  EXPECT_EQ(config.max_packet_size, 64u << 20);

  ASSERT_EQ(config.backends.size(), 3u);
  ASSERT_NE(primary_backend(config), nullptr);
  EXPECT_EQ(primary_backend(config)->name, "primary");
  EXPECT_EQ(config.backends[1].role, BackendRole::kReplica);
  EXPECT_EQ(config.backends[2].role, BackendRole::kReplica);

  ASSERT_NE(find_user(config, "app"), nullptr);
  EXPECT_EQ(find_user(config, "app")->password, "app-secret");
  ASSERT_EQ(config.users.size(), 2u);
  EXPECT_FALSE(config.users[1].password.empty());

  EXPECT_EQ(config.timeouts.connect, 2s);
  EXPECT_EQ(config.timeouts.handshake, 10s);
  EXPECT_EQ(config.timeouts.idle, 8h);
  EXPECT_EQ(config.timeouts.query, 0ms);
  EXPECT_EQ(config.timeouts.client_stall, 60s);
  EXPECT_EQ(config.logging.level, "info");
  EXPECT_EQ(config.logging.format, LogFormat::kText);
}

TEST(ExampleConfig, ShowsEveryDefault) {
  // The example documents defaults, so the values it spells out must be the schema's defaults
  // wherever it does not say otherwise.
  setenv("APP_PASSWORD", "app-secret", 1);
  auto result = load_config_file(example_path());
  ASSERT_TRUE(result) << error_of(result);
  Config defaults;
  EXPECT_EQ(result->listen.address, defaults.listen.address);
  EXPECT_EQ(result->listen.port, defaults.listen.port);
  EXPECT_EQ(result->workers, defaults.workers);
  EXPECT_EQ(result->max_packet_size, defaults.max_packet_size);
  EXPECT_EQ(result->timeouts.connect, defaults.timeouts.connect);
  EXPECT_EQ(result->timeouts.handshake, defaults.timeouts.handshake);
  EXPECT_EQ(result->timeouts.idle, defaults.timeouts.idle);
  EXPECT_EQ(result->timeouts.query, defaults.timeouts.query);
  EXPECT_EQ(result->timeouts.client_stall, defaults.timeouts.client_stall);
  EXPECT_EQ(result->logging.level, defaults.logging.level);
  EXPECT_EQ(result->logging.format, defaults.logging.format);

  const HealthConfig& h = result->health;
  EXPECT_EQ(h.interval, defaults.health.interval);
  EXPECT_EQ(h.timeout, defaults.health.timeout);
  EXPECT_EQ(h.user, defaults.health.user);
  EXPECT_EQ(h.password, defaults.health.password);
  EXPECT_EQ(h.max_replication_lag, defaults.health.max_replication_lag);
  EXPECT_EQ(h.down_after, defaults.health.down_after);
  EXPECT_EQ(h.up_after, defaults.health.up_after);
  EXPECT_EQ(h.lagging_after, defaults.health.lagging_after);
  EXPECT_EQ(h.recover_after, defaults.health.recover_after);
  EXPECT_EQ(h.heartbeat.enabled, defaults.health.heartbeat.enabled);
  EXPECT_EQ(h.heartbeat.table, defaults.health.heartbeat.table);
  EXPECT_EQ(h.keep_connection, defaults.health.keep_connection);
  EXPECT_EQ(h.discovery_interval, defaults.health.discovery_interval);

  const FailoverConfig& f = result->failover;
  EXPECT_EQ(f.automatic, defaults.failover.automatic);
  EXPECT_EQ(f.primary_down_after, defaults.failover.primary_down_after);
  EXPECT_EQ(f.max_candidate_lag, defaults.failover.max_candidate_lag);
  EXPECT_EQ(f.catchup_timeout, defaults.failover.catchup_timeout);
  EXPECT_EQ(f.switchover_timeout, defaults.failover.switchover_timeout);

  const RoutingConfig& r = result->routing;
  EXPECT_EQ(r.reads_fallback_to_primary, defaults.routing.reads_fallback_to_primary);
  EXPECT_EQ(r.consistency, defaults.routing.consistency);
  EXPECT_EQ(r.consistency_timeout, defaults.routing.consistency_timeout);
  EXPECT_EQ(r.honor_hints, defaults.routing.honor_hints);
  EXPECT_EQ(r.read_only_transactions_on_replica,
            defaults.routing.read_only_transactions_on_replica);

  const PoolConfig& p = result->pool;
  EXPECT_EQ(p.max_connections_per_backend, defaults.pool.max_connections_per_backend);
  EXPECT_EQ(p.acquire_timeout, defaults.pool.acquire_timeout);
  EXPECT_EQ(p.idle_timeout, defaults.pool.idle_timeout);
  EXPECT_EQ(p.max_prepared_statements, defaults.pool.max_prepared_statements);

  const LimitsConfig& l = result->limits;
  EXPECT_EQ(l.max_client_connections, defaults.limits.max_client_connections);
  EXPECT_EQ(l.max_user_connections, defaults.limits.max_user_connections);
  EXPECT_EQ(l.login_failures, defaults.limits.login_failures);
  EXPECT_EQ(l.login_failure_window, defaults.limits.login_failure_window);
  EXPECT_EQ(l.login_block_time, defaults.limits.login_block_time);
  EXPECT_TRUE(l.login_throttle_exempt.empty());
  EXPECT_FALSE(result->users[0].max_connections);
  EXPECT_EQ(result->users[1].max_connections, 20u);

  const CompressionConfig& c = result->compression;
  EXPECT_EQ(c.clients, defaults.compression.clients);
  EXPECT_EQ(c.zstd, defaults.compression.zstd);
  EXPECT_EQ(c.backends, defaults.compression.backends);
}

TEST(ExampleConfig, FailsClearlyWithoutAppPassword) {
  unsetenv("APP_PASSWORD");
  std::string path = example_path();
  std::string message = error_of(load_config_file(path));
  EXPECT_NE(message.find(path + ":"), std::string::npos) << message;
  EXPECT_NE(
      message.find(": users[0].password_env: environment variable \"APP_PASSWORD\" is not set"),
      std::string::npos)
      << message;
}

}  // namespace
}  // namespace mysqlproxy::config
