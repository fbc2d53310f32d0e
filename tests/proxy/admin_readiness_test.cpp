#include <gtest/gtest.h>

#include "proxy/admin/admin_routes.hpp"

namespace mysqlproxy::proxy::admin {
namespace {

PoolSnapshot pool(std::optional<BackendState> primary_state) {
  PoolSnapshot s;
  BackendStatus r;
  r.name = "replica";
  s.backends.push_back(r);
  if (primary_state) {
    BackendStatus p;
    p.name = "primary";
    p.role = BackendRole::kPrimary;
    p.state = *primary_state;
    s.backends.push_back(p);
    s.primary = 1;
  }
  return s;
}

TEST(AdminReadiness, ReadyWithAPrimaryAndNotDraining) {
  const Readiness r = readiness_of(false, pool(BackendState::kUp), true);
  EXPECT_TRUE(r.ready);
  EXPECT_TRUE(r.reasons.empty());
}

TEST(AdminReadiness, NotReadyWithoutAPrimaryWhenItIsRequired) {
  EXPECT_EQ(readiness_of(false, pool(std::nullopt), true).reasons, std::vector<std::string>{"no primary"});
  EXPECT_EQ(readiness_of(false, pool(BackendState::kDown), true).reasons,
            std::vector<std::string>{"primary 'primary' is down"});
  EXPECT_TRUE(readiness_of(false, pool(BackendState::kLagging), true).ready) << "only DOWN counts";
}

TEST(AdminReadiness, APrimaryOutageLeavesTheProxyReadyWhenNotRequired) {
  EXPECT_TRUE(readiness_of(false, pool(std::nullopt), false).ready);
  EXPECT_TRUE(readiness_of(false, pool(BackendState::kDown), false).ready);
}

TEST(AdminReadiness, DrainingIsNeverReady) {
  for (const bool require : {true, false}) {
    const Readiness r = readiness_of(true, pool(BackendState::kUp), require);
    EXPECT_FALSE(r.ready);
    EXPECT_EQ(r.reasons, std::vector<std::string>{"shutting down"});
  }
  EXPECT_EQ(readiness_of(true, pool(std::nullopt), true).reasons,
            (std::vector<std::string>{"shutting down", "no primary"}));
}

}  // namespace
}  // namespace mysqlproxy::proxy::admin
