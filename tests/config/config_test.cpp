#include "config/config.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::config {
namespace {

using namespace std::chrono_literals;

TEST(Config, DefaultsMatchTheDocumentedSchema) {
  Config config;
  EXPECT_EQ(config.listen.address, "0.0.0.0");
  EXPECT_EQ(config.listen.port, 3306);
  EXPECT_EQ(config.workers, 0u);
  EXPECT_EQ(config.server_version, "");
  EXPECT_EQ(config.max_packet_size, 64u * 1024 * 1024);
  EXPECT_TRUE(config.backends.empty());
  EXPECT_TRUE(config.users.empty());
  EXPECT_EQ(config.timeouts.connect, 2s);
  EXPECT_EQ(config.timeouts.handshake, 10s);
  EXPECT_EQ(config.timeouts.idle, 8h);
  EXPECT_EQ(config.timeouts.query, 0ms);
  EXPECT_EQ(config.timeouts.client_stall, 60s);
  EXPECT_EQ(config.logging.level, "info");
  EXPECT_EQ(config.logging.format, LogFormat::kText);
  EXPECT_EQ(config.source, "");

  BackendConfig backend;
  EXPECT_EQ(backend.port, 3306);
  EXPECT_EQ(backend.role, BackendRole::kReplica);
  EXPECT_EQ(backend.weight, 1u);
}

TEST(ToString, SpellsEnumsAsInYaml) {
  EXPECT_EQ(to_string(BackendRole::kPrimary), "primary");
  EXPECT_EQ(to_string(BackendRole::kReplica), "replica");
  EXPECT_EQ(to_string(LogFormat::kText), "text");
  EXPECT_EQ(to_string(LogFormat::kJson), "json");
}

TEST(FindUser, ReturnsTheUserWithThatName) {
  Config config;
  config.users = {{"app", "a"}, {"report", "r"}};
  const UserConfig* user = find_user(config, "report");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->password, "r");
}

TEST(FindUser, ReturnsNullForAnUnknownName) {
  Config config;
  config.users = {{"app", "a"}};
  EXPECT_EQ(find_user(config, "App"), nullptr);
  EXPECT_EQ(find_user(config, ""), nullptr);
  EXPECT_EQ(find_user(Config{}, "app"), nullptr);
}

TEST(PrimaryBackend, ReturnsTheBackendWithRolePrimary) {
  Config config;
  config.backends = {{"r1", "h1", 3306, BackendRole::kReplica, 1},
                     {"p", "h2", 3307, BackendRole::kPrimary, 1}};
  const BackendConfig* primary = primary_backend(config);
  ASSERT_NE(primary, nullptr);
  EXPECT_EQ(primary->name, "p");
}

TEST(PrimaryBackend, ReturnsNullWithoutAPrimary) {
  Config config;
  config.backends = {{"r1", "h1", 3306, BackendRole::kReplica, 1}};
  EXPECT_EQ(primary_backend(config), nullptr);
}

}  // namespace
}  // namespace mysqlproxy::config
