// The heartbeat's SQL and the parsing of its lag (the I/O is covered by the integration tests).
#include <gtest/gtest.h>

#include "proxy/health/heartbeat.hpp"
#include "proxy/health/state_names.hpp"

namespace mysqlproxy::proxy {
namespace {

TEST(HealthHeartbeatSql, UsesTheConfiguredTable) {
  EXPECT_EQ(heartbeat_create_sql("mysql_proxy.heartbeat"),
            "CREATE TABLE IF NOT EXISTS mysql_proxy.heartbeat "
            "(id INT PRIMARY KEY, ts DATETIME(6) NOT NULL)");
  EXPECT_EQ(heartbeat_write_sql("mysql_proxy.heartbeat"),
            "REPLACE INTO mysql_proxy.heartbeat (id, ts) VALUES (1, NOW(6))");
  EXPECT_EQ(heartbeat_read_sql("hb"),
            "SELECT TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) FROM hb WHERE id = 1");
}

TEST(HealthHeartbeatLag, ConvertsMicrosecondsToSeconds) {
  EXPECT_EQ(heartbeat_lag_from(std::string("0")), 0.0);
  EXPECT_EQ(heartbeat_lag_from(std::string("250000")), 0.25);
  EXPECT_EQ(heartbeat_lag_from(std::string("3000123")), 3.000123);
}

TEST(HealthHeartbeatLag, ClockSkewReadsAsZero) {
  EXPECT_EQ(heartbeat_lag_from(std::string("-1500")), 0.0);
}

TEST(HealthHeartbeatLag, NullAndGarbageReadAsUnknown) {
  EXPECT_EQ(heartbeat_lag_from(std::nullopt), std::nullopt);
  EXPECT_EQ(heartbeat_lag_from(std::string("")), std::nullopt);
  EXPECT_EQ(heartbeat_lag_from(std::string("1.5")), std::nullopt);
  EXPECT_EQ(heartbeat_lag_from(std::string("x")), std::nullopt);
}

TEST(HealthStateNames, SpellStatesAndRolesForLogs) {
  EXPECT_EQ(state_name(BackendState::kUp), "UP");
  EXPECT_EQ(state_name(BackendState::kLagging), "LAGGING");
  EXPECT_EQ(state_name(BackendState::kDown), "DOWN");
  EXPECT_EQ(state_name(BackendState::kDraining), "DRAINING");
  EXPECT_EQ(config::to_string(BackendRole::kPrimary), "primary");
  EXPECT_EQ(config::to_string(BackendRole::kReplica), "replica");
}

TEST(HealthStateNames, LabelStatesForTheAdminApiAndMetrics) {
  EXPECT_EQ(state_label(BackendState::kUp), "up");
  EXPECT_EQ(state_label(BackendState::kLagging), "lagging");
  EXPECT_EQ(state_label(BackendState::kDown), "down");
  EXPECT_EQ(state_label(BackendState::kDraining), "draining");
}

}  // namespace
}  // namespace mysqlproxy::proxy
