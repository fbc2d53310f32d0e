#include "proxy/admin/admin_views.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::proxy::admin {
namespace {

namespace json = boost::json;

PoolSnapshot snapshot() {
  PoolSnapshot s;
  s.version = 7;
  BackendStatus p;
  p.id = 1;
  p.name = "primary";
  p.host = "10.0.0.1";
  p.port = 3306;
  p.role = BackendRole::kPrimary;
  p.gtid_position = "0-1-10";
  p.last_check = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795392000123));
  p.check_duration = std::chrono::microseconds(1500);
  BackendStatus r;
  r.id = 2;
  r.name = "replica";
  r.host = "10.0.0.2";
  r.port = 3307;
  r.state = BackendState::kLagging;
  r.weight = 3;
  r.lag_seconds = 2.5;
  r.last_error = "lag 2.5 s over the limit";
  s.backends = {p, r};
  s.primary = 0;
  s.reads_fall_back_to_primary = true;
  return s;
}

TEST(AdminViews, PoolShowsEveryBackendWithItsUsage) {
  const auto view = pool_view(snapshot(), [](const BackendStatus& b) {
    return BackendUsage{{b.id * 10, b.id, b.id * 10 - b.id}, b.id * 100ull};
  });
  EXPECT_EQ(json::serialize(view),
            R"({"version":7,"primary":"primary","reads_fall_back_to_primary":true,"backends":[)"
            R"({"name":"primary","address":"10.0.0.1:3306","host":"10.0.0.1","port":3306,"role":"primary","state":"up",)"
            R"("takes_reads":false,"takes_writes":true,"weight":1,"lag_seconds":null,"gtid_position":"0-1-10",)"
            R"("connections":{"open":10,"in_use":1,"idle":9},"queries_routed":100,)"
            R"("last_check":"2026-11-23T00:00:00.123Z","last_check_duration_seconds":1.5E-3,"last_error":null},)"
            R"({"name":"replica","address":"10.0.0.2:3307","host":"10.0.0.2","port":3307,"role":"replica","state":"lagging",)"
            R"("takes_reads":false,"takes_writes":false,"weight":3,"lag_seconds":2.5E0,"gtid_position":"",)"
            R"("connections":{"open":20,"in_use":2,"idle":18},"queries_routed":200,)"
            R"("last_check":null,"last_check_duration_seconds":0E0,"last_error":"lag 2.5 s over the limit"}]})");
}

TEST(AdminViews, PoolWithoutAPrimarySaysNull) {
  PoolSnapshot s = snapshot();
  s.primary.reset();
  EXPECT_TRUE(pool_view(s, {}).at("primary").is_null());
}

TEST(AdminViews, ConfigRedactsEverySecret) {
  config::Config cfg;
  cfg.backends = {{"primary", "db", 3306, config::BackendRole::kPrimary, 1}};
  cfg.users = {{"app", "app-secret"}, {"other", "other-secret"}};
  cfg.health.password = "monitor-secret";
  cfg.admin.token = "token-secret";
  cfg.admin.read_token = "read-token-secret";
  const std::string text = json::serialize(config_view(cfg));
  for (const char* secret : {"app-secret", "other-secret", "monitor-secret", "token-secret", "read-token-secret"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  const auto view = config_view(cfg);
  EXPECT_EQ(view.at("users").as_array()[1].at("name"), "other");
  EXPECT_EQ(view.at("users").as_array()[1].at("password"), kRedacted);
  EXPECT_EQ(view.at("health").at("password"), kRedacted);
  EXPECT_EQ(view.at("admin").at("token"), kRedacted);
  EXPECT_EQ(view.at("admin").at("read_token"), kRedacted);
  EXPECT_EQ(view.at("timeouts").at("drain_seconds").as_double(), 30.0);
  cfg.health.password.clear();
  cfg.admin.token.clear();
  cfg.admin.read_token.clear();
  EXPECT_EQ(config_view(cfg).at("admin").at("token"), "") << "no token: nothing to hide, and it shows it is unset";
  EXPECT_EQ(config_view(cfg).at("admin").at("read_token"), "");
}

TEST(AdminViews, ConfigShowsTheLimits) {
  config::Config cfg;
  cfg.users = {{"app", "s"}, {"other", "s"}};
  cfg.users[0].max_connections = 5;
  cfg.limits.max_user_connections = 7;
  cfg.limits.login_throttle_exempt = {*config::parse_ip_network("10.0.0.0/8")};
  const auto view = config_view(cfg);
  EXPECT_EQ(json::serialize(view.at("limits")),
            R"({"max_client_connections":10000,"max_user_connections":7,"login_failures":10,)"
            R"("login_failure_window_seconds":6E1,"login_block_time_seconds":6E1,"login_throttle_exempt":["10.0.0.0/8"],)"
            R"("max_pending_logins_per_address":100,"max_session_prepared_statements":16382,)"
            R"("max_session_prepared_bytes":67108864})");
  EXPECT_EQ(view.at("pool").at("max_prepared_statement_bytes").to_number<int>(), 4 << 20);
  EXPECT_EQ(view.at("users").as_array()[0].at("max_connections").to_number<int>(), 5);
  EXPECT_TRUE(view.at("users").as_array()[1].at("max_connections").is_null());
}

TEST(AdminViews, ClientsShowCountsLimitsAndBlockedSources) {
  ClientsStatus s;
  s.open = 12;
  s.logged_in = 10;
  s.max_client_connections = 100;
  s.max_user_connections = 0;
  s.users = {{"app", 8, 10, true}, {"gone", 2, 0, false}};
  s.rejected = {{"login_failed", 3}, {"max_connections", 4}};
  s.throttle_enabled = true;
  s.login_failures = 10;
  s.login_failure_window_seconds = 60;
  s.login_block_seconds = 30;
  s.tracked_sources = 2;
  s.throttle_capacity = 16384;
  s.sources = {{"10.0.0.7", 0, 12.5}, {"2001:db8::/64", 3, std::nullopt}};
  EXPECT_EQ(json::serialize(clients_view(s)),
            R"({"connections":{"open":12,"logged_in":10,"max_client_connections":100},"max_user_connections":0,)"
            R"("users":[{"name":"app","sessions":8,"max_connections":10,"configured":true},)"
            R"({"name":"gone","sessions":2,"max_connections":0,"configured":false}],)"
            R"("rejected":{"login_failed":3,"max_connections":4},)"
            R"("login_throttle":{"enabled":true,"login_failures":10,"login_failure_window_seconds":6E1,)"
            R"("login_block_time_seconds":3E1,"tracked_sources":2,"capacity":16384,"sources":[)"
            R"({"source":"10.0.0.7","failures":0,"blocked":true,"blocked_for_seconds":1.25E1},)"
            R"({"source":"2001:db8::/64","failures":3,"blocked":false,"blocked_for_seconds":null}]}})");
}

}  // namespace
}  // namespace mysqlproxy::proxy::admin
