#include "proxy/server/config_reload.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::proxy {
namespace {

config::Config running() {
  config::Config c;
  c.listen = {"0.0.0.0", 3306};
  c.workers = 2;
  c.backends = {{"primary", "10.0.0.1", 3306, config::BackendRole::kPrimary, 1}};
  c.users = {{"app", "old"}};
  c.admin.port = 9180;
  c.admin.token = "t1";
  return c;
}

TEST(ConfigReload, AppliesWhatCanChangeWhileRunning) {
  config::Config next = running();
  next.backends.push_back({"replica", "10.0.0.2", 3306, config::BackendRole::kReplica, 2});
  next.users[0].password = "new";
  next.routing.consistency = config::Consistency::kSession;
  next.pool.max_connections_per_backend = 10;
  next.admin.token = "t2";
  next.logging.level = "debug";
  const ReloadPlan plan = plan_reload(running(), next);
  EXPECT_TRUE(plan.needs_restart.empty());
  EXPECT_EQ(plan.applied.backends.size(), 2u);
  EXPECT_EQ(plan.applied.users[0].password, "new");
  EXPECT_EQ(plan.applied.routing.consistency, config::Consistency::kSession);
  EXPECT_EQ(plan.applied.pool.max_connections_per_backend, 10u);
  EXPECT_EQ(plan.applied.admin.token, "t2");
  EXPECT_EQ(plan.applied.logging.level, "debug");
}

TEST(ConfigReload, KeepsListenersAndWorkersAndSaysSo) {
  config::Config next = running();
  next.listen.port = 3307;
  next.workers = 8;
  next.admin.address = "0.0.0.0";
  next.admin.port = 9999;
  next.admin.enabled = false;
  next.users[0].password = "new";
  const ReloadPlan plan = plan_reload(running(), next);
  EXPECT_EQ(plan.needs_restart,
            (std::vector<std::string>{"listen.port", "workers", "admin.enabled", "admin.address", "admin.port"}));
  EXPECT_EQ(plan.applied.listen.port, 3306);
  EXPECT_EQ(plan.applied.workers, 2u);
  EXPECT_TRUE(plan.applied.admin.enabled);
  EXPECT_EQ(plan.applied.admin.address, "127.0.0.1");
  EXPECT_EQ(plan.applied.admin.port, 9180);
  EXPECT_EQ(plan.applied.users[0].password, "new") << "the rest still applies";
}

TEST(ConfigReload, LimitsApplyWithoutARestart) {
  config::Config next = running();
  next.limits.max_client_connections = 5;
  next.limits.login_failures = 0;
  next.users[0].max_connections = 3;
  const ReloadPlan plan = plan_reload(running(), next);
  EXPECT_TRUE(plan.needs_restart.empty());
  EXPECT_EQ(plan.applied.limits.max_client_connections, 5u);
  EXPECT_EQ(plan.applied.limits.login_failures, 0u);
  EXPECT_EQ(plan.applied.users[0].max_connections, 3u);
}

}  // namespace
}  // namespace mysqlproxy::proxy
