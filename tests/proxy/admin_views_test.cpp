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
  const std::string text = json::serialize(config_view(cfg));
  for (const char* secret : {"app-secret", "other-secret", "monitor-secret", "token-secret"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  const auto view = config_view(cfg);
  EXPECT_EQ(view.at("users").as_array()[1].at("name"), "other");
  EXPECT_EQ(view.at("users").as_array()[1].at("password"), kRedacted);
  EXPECT_EQ(view.at("health").at("password"), kRedacted);
  EXPECT_EQ(view.at("admin").at("token"), kRedacted);
  EXPECT_EQ(view.at("timeouts").at("drain_seconds").as_double(), 30.0);
  cfg.health.password.clear();
  cfg.admin.token.clear();
  EXPECT_EQ(config_view(cfg).at("admin").at("token"), "") << "no token: nothing to hide, and it shows it is unset";
}

}  // namespace
}  // namespace mysqlproxy::proxy::admin
