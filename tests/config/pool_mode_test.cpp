// pool.mode and users[i].pool_mode: defaults, both values, the per-user override and the errors.
#include <gtest/gtest.h>

#include <string>

#include "config/load.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using test_support::error_of;
using test_support::load_error;
using test_support::load_ok;
using test_support::with_backends_and_users;

constexpr std::string_view kBackend = "backends:\n  - { name: primary, host: 127.0.0.1, role: primary }\n";

TEST(PoolModeConfig, StatementByDefault) {
  EXPECT_EQ(PoolConfig{}.mode, PoolMode::kStatement);
  const Config config = load_ok(with_backends_and_users(""));
  EXPECT_EQ(config.pool.mode, PoolMode::kStatement);
  EXPECT_FALSE(config.users[0].pool_mode);
  EXPECT_EQ(user_pool_mode(config.pool, config.users[0]), PoolMode::kStatement);
}

TEST(PoolModeConfig, ReadsTheModeAndThePerUserOverride) {
  const Config config = load_ok("pool:\n  mode: session\n" + std::string(kBackend) +
                                "users:\n"
                                "  - { name: app, password: secret }\n"
                                "  - { name: batch, password: secret, pool_mode: statement }\n");
  EXPECT_EQ(config.pool.mode, PoolMode::kSession);
  EXPECT_EQ(user_pool_mode(config.pool, config.users[0]), PoolMode::kSession);
  ASSERT_TRUE(config.users[1].pool_mode);
  EXPECT_EQ(user_pool_mode(config.pool, config.users[1]), PoolMode::kStatement);
}

TEST(PoolModeConfig, AUserMayAskForSessionModeAlone) {
  const Config config = load_ok(std::string(kBackend) + "users:\n  - { name: app, password: s, pool_mode: session }\n");
  EXPECT_EQ(config.pool.mode, PoolMode::kStatement);
  EXPECT_EQ(user_pool_mode(config.pool, config.users[0]), PoolMode::kSession);
}

TEST(PoolModeConfig, UnknownModesAreErrors) {
  EXPECT_EQ(load_error("pool:\n  mode: transaction\n"),
            "proxy.yaml:2:9: pool.mode: expected one of statement, session, got \"transaction\"");
  EXPECT_EQ(error_of(load_config_text(std::string(kBackend) +
                                          "users:\n  - { name: app, password: s, pool_mode: sesion }\n",
                                      "proxy.yaml")),
            "proxy.yaml:4:42: users[0].pool_mode: expected one of statement, session, got \"sesion\" (did you mean \"session\"?)");
}

}  // namespace
}  // namespace mysqlproxy::config
