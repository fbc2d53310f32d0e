#include "config/backend_lookup.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::config {
namespace {

Config two_backends() {
  Config cfg;
  cfg.backends = {{"primary", "db-0", 3306, BackendRole::kPrimary, 1}, {"replicas", "db-r", 3306, BackendRole::kReplica, 1}};
  return cfg;
}

TEST(ConfigEntryOf, FindsAConfiguredBackendByItsName) {
  const Config cfg = two_backends();
  ASSERT_NE(entry_of(cfg, "primary"), nullptr);
  EXPECT_EQ(entry_of(cfg, "primary")->host, "db-0");
  EXPECT_EQ(entry_of(cfg, "replicas"), &cfg.backends[1]);
}

TEST(ConfigEntryOf, ADiscoveredAddressTakesItsEntrysSettings) {
  const Config cfg = two_backends();
  EXPECT_EQ(entry_of(cfg, "replicas/10.0.0.7"), &cfg.backends[1]);
  EXPECT_EQ(entry_of(cfg, "replicas/"), &cfg.backends[1]);
}

TEST(ConfigEntryOf, ANameTheConfigNoLongerHasIsNull) {
  const Config cfg = two_backends();
  EXPECT_EQ(entry_of(cfg, "gone"), nullptr);
  EXPECT_EQ(entry_of(cfg, "gone/10.0.0.7"), nullptr);
  EXPECT_EQ(entry_of(cfg, "prim"), nullptr) << "a prefix is not the name";
  EXPECT_EQ(entry_of(cfg, ""), nullptr);
}

}  // namespace
}  // namespace mysqlproxy::config
