// The health, routing and pool sections: every field, its default, its range and its errors.
#include <gtest/gtest.h>
#include <stdlib.h>  // setenv, unsetenv

#include <string>

#include "config/load.hpp"
#include "config/validate.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using namespace std::chrono_literals;
using test_support::error_of;
using test_support::load_error;
using test_support::load_ok;
using test_support::TempDir;
using test_support::with_backends_and_users;

constexpr const char* kVar = "MYSQLPROXY_CONFIG_TEST_MONITOR_PASSWORD";



TEST(HealthRoutingPoolDefaults, MatchTheDocumentedSchema) {
  Config config;
  EXPECT_EQ(config.health.interval, 500ms);
  EXPECT_EQ(config.health.timeout, 1s);
  EXPECT_EQ(config.health.user, "monitor");
  EXPECT_EQ(config.health.password, "");
  EXPECT_EQ(config.health.max_replication_lag, 5s);
  EXPECT_EQ(config.health.down_after, 3u);
  EXPECT_EQ(config.health.up_after, 2u);
  EXPECT_EQ(config.health.lagging_after, 2u);
  EXPECT_EQ(config.health.recover_after, 3u);
  EXPECT_FALSE(config.health.heartbeat.enabled);
  EXPECT_EQ(config.health.heartbeat.table, "mysql_proxy.heartbeat");
  EXPECT_TRUE(config.health.keep_connection);
  EXPECT_EQ(config.health.discovery_interval, 5s);

  EXPECT_TRUE(config.routing.reads_fallback_to_primary);
  EXPECT_EQ(config.routing.consistency, Consistency::kEventual);
  EXPECT_EQ(config.routing.consistency_timeout, 1s);
  EXPECT_TRUE(config.routing.honor_hints);
  EXPECT_TRUE(config.routing.read_only_transactions_on_replica);

  EXPECT_EQ(config.pool.max_connections_per_backend, 200u);
  EXPECT_EQ(config.pool.acquire_timeout, 2s);
  EXPECT_EQ(config.pool.idle_timeout, 60s);
  EXPECT_EQ(config.pool.max_prepared_statements, 256u);
}

TEST(HealthRoutingPoolDefaults, AreKeptWhenTheSectionsAreAbsentOrEmpty) {
  Config defaults;
  for (const char* head : {"", "health:\nrouting:\npool:\n", "health: {}\nrouting: {}\npool: {}\n",
                           "health: { heartbeat: {} }\n"}) {
    Config config = load_ok(with_backends_and_users(head));
    EXPECT_EQ(config.health.interval, defaults.health.interval) << head;
    EXPECT_EQ(config.health.user, "monitor") << head;
    EXPECT_EQ(config.health.password, "") << head;
    EXPECT_EQ(config.health.heartbeat.table, defaults.health.heartbeat.table) << head;
    EXPECT_FALSE(config.health.heartbeat.enabled) << head;
    EXPECT_EQ(config.routing.consistency, Consistency::kEventual) << head;
    EXPECT_TRUE(config.routing.honor_hints) << head;
    EXPECT_EQ(config.pool.max_connections_per_backend, 200u) << head;
    EXPECT_EQ(config.pool.idle_timeout, 60s) << head;
  }
}

TEST(ToString, SpellsConsistencyAsInYaml) {
  EXPECT_EQ(to_string(Consistency::kEventual), "eventual");
  EXPECT_EQ(to_string(Consistency::kSession), "session");
  EXPECT_EQ(to_string(Consistency::kGlobal), "global");
}

TEST(LoadHealthRoutingPool, ParsesEveryField) {
  Config config = load_ok(with_backends_and_users(R"(health:
  interval: 200ms
  timeout: 1.5s
  user: watcher
  password: watcher-pass
  max_replication_lag: 300ms
  down_after: 1
  up_after: 100
  lagging_after: 4
  recover_after: 5
  heartbeat: { enabled: true, table: ops.hb_1$ }
  keep_connection: false
  discovery_interval: 30s
routing:
  reads_fallback_to_primary: false
  consistency: session
  consistency_timeout: 250ms
  honor_hints: false
  read_only_transactions_on_replica: false
pool:
  max_connections_per_backend: 100000
  acquire_timeout: 500ms
  idle_timeout: 5m
  max_prepared_statements: 65535
)"));
  const HealthConfig& h = config.health;
  EXPECT_EQ(h.interval, 200ms);
  EXPECT_EQ(h.timeout, 1500ms);
  EXPECT_EQ(h.user, "watcher");
  EXPECT_EQ(h.password, "watcher-pass");
  EXPECT_EQ(h.max_replication_lag, 300ms);
  EXPECT_EQ(h.down_after, 1u);
  EXPECT_EQ(h.up_after, 100u);
  EXPECT_EQ(h.lagging_after, 4u);
  EXPECT_EQ(h.recover_after, 5u);
  EXPECT_TRUE(h.heartbeat.enabled);
  EXPECT_EQ(h.heartbeat.table, "ops.hb_1$");
  EXPECT_FALSE(h.keep_connection);
  EXPECT_EQ(h.discovery_interval, 30s);

  EXPECT_FALSE(config.routing.reads_fallback_to_primary);
  EXPECT_EQ(config.routing.consistency, Consistency::kSession);
  EXPECT_EQ(config.routing.consistency_timeout, 250ms);
  EXPECT_FALSE(config.routing.honor_hints);
  EXPECT_FALSE(config.routing.read_only_transactions_on_replica);

  EXPECT_EQ(config.pool.max_connections_per_backend, 100000u);
  EXPECT_EQ(config.pool.acquire_timeout, 500ms);
  EXPECT_EQ(config.pool.idle_timeout, 5min);
  EXPECT_EQ(config.pool.max_prepared_statements, 65535u);
}

TEST(LoadHealthRoutingPool, KeepsDefaultsForOmittedFieldsInsideSections) {
  Config config =
      load_ok(with_backends_and_users("health: { interval: 1s, heartbeat: { enabled: true } }\n"
                                      "routing: { consistency: global }\n"
                                      "pool: { idle_timeout: 0 }\n"));
  EXPECT_EQ(config.health.interval, 1s);
  EXPECT_EQ(config.health.timeout, 1s);
  EXPECT_TRUE(config.health.heartbeat.enabled);
  EXPECT_EQ(config.health.heartbeat.table, "mysql_proxy.heartbeat");
  EXPECT_EQ(config.routing.consistency, Consistency::kGlobal);
  EXPECT_TRUE(config.routing.reads_fallback_to_primary);
  EXPECT_EQ(config.pool.idle_timeout, 0ms);
  EXPECT_EQ(config.pool.acquire_timeout, 2s);
}

TEST(LoadHealthRoutingPool, AcceptsZeroWhereZeroMeansNone) {
  Config config =
      load_ok(with_backends_and_users("health: { max_replication_lag: 0 }\n"
                                      "routing: { consistency_timeout: 0s }\n"
                                      "pool: { idle_timeout: 0ms }\n"));
  EXPECT_EQ(config.health.max_replication_lag, 0ms);
  EXPECT_EQ(config.routing.consistency_timeout, 0ms);
  EXPECT_EQ(config.pool.idle_timeout, 0ms);
}

TEST(LoadHealthRoutingPool, AcceptsTheYaml12SpellingsOfBooleans) {
  for (auto [text, expected] :
       {std::pair{"true", true}, std::pair{"True", true}, std::pair{"TRUE", true},
        std::pair{"false", false}, std::pair{"False", false}, std::pair{"FALSE", false},
        std::pair{"\"true\"", true}}) {
    std::string t = text;
    Config config = load_ok(with_backends_and_users(
        "health: { heartbeat: { enabled: " + t + " } }\n" +
        "routing: { reads_fallback_to_primary: " + t + ", honor_hints: " + t +
        ", read_only_transactions_on_replica: " + t + " }\n"));
    EXPECT_EQ(config.health.heartbeat.enabled, expected) << text;
    EXPECT_EQ(config.routing.reads_fallback_to_primary, expected) << text;
    EXPECT_EQ(config.routing.honor_hints, expected) << text;
    EXPECT_EQ(config.routing.read_only_transactions_on_replica, expected) << text;
  }
}

TEST(LoadHealthRoutingPool, AcceptsEveryConsistency) {
  for (Consistency c : {Consistency::kEventual, Consistency::kSession, Consistency::kGlobal}) {
    Config config = load_ok(
        with_backends_and_users("routing: { consistency: " + std::string(to_string(c)) + " }\n"));
    EXPECT_EQ(config.routing.consistency, c);
  }
}

TEST(LoadHealthRoutingPool, AcceptsStreakBounds) {
  Config config = load_ok(with_backends_and_users(
      "health: { down_after: 1, up_after: 1, lagging_after: 100, recover_after: 100 }\n"
      "pool: { max_connections_per_backend: 1, max_prepared_statements: 1 }\n"));
  EXPECT_EQ(config.health.down_after, 1u);
  EXPECT_EQ(config.health.up_after, 1u);
  EXPECT_EQ(config.health.lagging_after, 100u);
  EXPECT_EQ(config.health.recover_after, 100u);
  EXPECT_EQ(config.pool.max_connections_per_backend, 1u);
  EXPECT_EQ(config.pool.max_prepared_statements, 1u);
}

TEST(LoadHealthRoutingPool, AcceptsAnUnqualifiedHeartbeatTable) {
  Config config = load_ok(with_backends_and_users("health: { heartbeat: { table: hb } }\n"));
  EXPECT_EQ(config.health.heartbeat.table, "hb");
}

// The monitor's password: optional, from at most one of the three sources.
class LoadHealthPassword : public testing::Test {
 protected:
  void SetUp() override { unsetenv(kVar); }
  void TearDown() override { unsetenv(kVar); }
  TempDir dir_;
};

TEST_F(LoadHealthPassword, IsEmptyWithoutASource) {
  Config config = load_ok(with_backends_and_users("health: { user: watcher }\n"));
  EXPECT_EQ(config.health.user, "watcher");
  EXPECT_EQ(config.health.password, "");
}

TEST_F(LoadHealthPassword, ReadsAnInlinePassword) {
  EXPECT_EQ(load_ok(with_backends_and_users("health: { password: pw }\n")).health.password, "pw");
}

TEST_F(LoadHealthPassword, ReadsAnEnvironmentVariable) {
  setenv(kVar, "from-env", 1);
  Config config =
      load_ok(with_backends_and_users("health: { password_env: " + std::string(kVar) + " }\n"));
  EXPECT_EQ(config.health.password, "from-env");
}

TEST_F(LoadHealthPassword, RejectsAnUnsetEnvironmentVariable) {
  EXPECT_EQ(load_error("health: { password_env: " + std::string(kVar) + " }\n"),
            "proxy.yaml:1:25: health.password_env: environment variable "
            "\"MYSQLPROXY_CONFIG_TEST_MONITOR_PASSWORD\" is not set");
}

TEST_F(LoadHealthPassword, ReadsAFileRelativeToTheConfigFile) {
  dir_.write("monitor-secret", "from-file\n");
  std::string path = dir_.write(
      "proxy.yaml", with_backends_and_users("health:\n  password_file: monitor-secret\n"));
  auto result = load_config_file(path);
  ASSERT_TRUE(result) << error_of(result);
  EXPECT_EQ(result->health.password, "from-file");
}

TEST_F(LoadHealthPassword, RejectsAMissingFile) {
  EXPECT_EQ(load_error("health: { password_file: /nonexistent/mysqlproxy-monitor }\n"),
            "proxy.yaml:1:26: health.password_file: cannot read "
            "\"/nonexistent/mysqlproxy-monitor\": No such file or directory");
}

TEST_F(LoadHealthPassword, RejectsTwoSources) {
  setenv(kVar, "from-env", 1);
  EXPECT_EQ(load_error("health:\n  password: a\n  password_env: " + std::string(kVar) + "\n"),
            "proxy.yaml:3:3: health.password_env: conflicts with password (set at most one of "
            "password, password_env, password_file)");
}

TEST_F(LoadHealthPassword, NeverPutsThePasswordInAnError) {
  std::string message = load_error("health: { password: hunter2, pasword: x }\n");
  EXPECT_NE(message, "<no error>");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

struct SectionErrorCase {
  std::string name;
  std::string head;  // YAML before the valid backends and users
  std::string expected;
};

std::ostream& operator<<(std::ostream& os, const SectionErrorCase& c) { return os << c.name; }

class LoadSectionError : public testing::TestWithParam<SectionErrorCase> {};

TEST_P(LoadSectionError, ReportsTheExactMessage) {
  EXPECT_EQ(load_error(GetParam().head), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Health, LoadSectionError,
    testing::Values(
        SectionErrorCase{"UnknownFieldWithSuggestion", "health:\n  intervall: 1s\n",
                         "proxy.yaml:2:3: health.intervall: unknown field (did you mean "
                         "\"interval\"?)"},
        SectionErrorCase{"UnknownFieldListingAllowedOnes", "health:\n  frobnicate: 1\n",
                         "proxy.yaml:2:3: health.frobnicate: unknown field (expected one of "
                         "interval, timeout, user, password, password_env, password_file, "
                         "max_replication_lag, down_after, up_after, lagging_after, "
                         "recover_after, heartbeat, keep_connection, discovery_interval)"},
        SectionErrorCase{"DuplicateField", "health:\n  interval: 1s\n  interval: 2s\n",
                         "proxy.yaml:3:3: health.interval: duplicate field (already set at "
                         "line 2)"},
        SectionErrorCase{"SequenceForSection", "health: [1s]\n",
                         "proxy.yaml:1:9: health: expected a mapping, got a sequence"},
        SectionErrorCase{"ZeroInterval", "health:\n  interval: 0\n",
                         "proxy.yaml:2:13: health.interval: expected a duration greater than 0, "
                         "got \"0\""},
        SectionErrorCase{"BareNumberInterval", "health:\n  interval: 500\n",
                         "proxy.yaml:2:13: health.interval: expected a duration such as 500ms or "
                         "2s, got \"500\""},
        SectionErrorCase{"ZeroTimeout", "health:\n  timeout: 0ms\n",
                         "proxy.yaml:2:12: health.timeout: expected a duration greater than 0, "
                         "got \"0ms\""},
        SectionErrorCase{"TimeoutTooLong", "health:\n  timeout: 8761h\n",
                         "proxy.yaml:2:12: health.timeout: expected a duration of at most 8760h, "
                         "got \"8761h\""},
        SectionErrorCase{"UserAsSequence", "health:\n  user: [a]\n",
                         "proxy.yaml:2:9: health.user: expected a string, got a sequence"},
        SectionErrorCase{"NegativeLag", "health:\n  max_replication_lag: -1s\n",
                         "proxy.yaml:2:24: health.max_replication_lag: expected a duration such "
                         "as 500ms or 2s, got \"-1s\""},
        SectionErrorCase{"SubMillisecondLag", "health:\n  max_replication_lag: 0.5ms\n",
                         "proxy.yaml:2:24: health.max_replication_lag: expected a duration such "
                         "as 500ms or 2s, got \"0.5ms\""},
        SectionErrorCase{"DownAfterZero", "health:\n  down_after: 0\n",
                         "proxy.yaml:2:15: health.down_after: expected an integer 1..100, got "
                         "\"0\""},
        SectionErrorCase{"UpAfterAboveRange", "health:\n  up_after: 101\n",
                         "proxy.yaml:2:13: health.up_after: expected an integer 1..100, got "
                         "\"101\""},
        SectionErrorCase{"LaggingAfterText", "health:\n  lagging_after: two\n",
                         "proxy.yaml:2:18: health.lagging_after: expected an integer 1..100, got "
                         "\"two\""},
        SectionErrorCase{"RecoverAfterZero", "health:\n  recover_after: 0\n",
                         "proxy.yaml:2:18: health.recover_after: expected an integer 1..100, got "
                         "\"0\""},
        SectionErrorCase{"HeartbeatScalar", "health:\n  heartbeat: on\n",
                         "proxy.yaml:2:14: health.heartbeat: expected a mapping, got \"on\""},
        SectionErrorCase{"HeartbeatUnknownField", "health:\n  heartbeat: { enable: true }\n",
                         "proxy.yaml:2:16: health.heartbeat.enable: unknown field (did you mean "
                         "\"enabled\"?)"},
        SectionErrorCase{"HeartbeatYesIsNotABoolean", "health:\n  heartbeat: { enabled: yes }\n",
                         "proxy.yaml:2:25: health.heartbeat.enabled: expected true or false, got "
                         "\"yes\""},
        SectionErrorCase{"HeartbeatEnabledNull", "health:\n  heartbeat:\n    enabled:\n",
                         "proxy.yaml:3:5: health.heartbeat.enabled: expected true or false, got "
                         "null"},
        SectionErrorCase{"HeartbeatTableWithDash",
                         "health:\n  heartbeat: { table: mysql_proxy.heart-beat }\n",
                         "proxy.yaml:2:23: health.heartbeat.table: expected a table name such as "
                         "mysql_proxy.heartbeat (letters, digits, _ and $, optionally "
                         "database.table), got \"mysql_proxy.heart-beat\""},
        SectionErrorCase{"HeartbeatTableWithThreeParts", "health:\n  heartbeat: { table: a.b.c }\n",
                         "proxy.yaml:2:23: health.heartbeat.table: expected a table name such as "
                         "mysql_proxy.heartbeat (letters, digits, _ and $, optionally "
                         "database.table), got \"a.b.c\""},
        SectionErrorCase{"HeartbeatTableEmpty", "health:\n  heartbeat: { table: '' }\n",
                         "proxy.yaml:2:23: health.heartbeat.table: expected a table name such as "
                         "mysql_proxy.heartbeat (letters, digits, _ and $, optionally "
                         "database.table), got \"\""},
        SectionErrorCase{"HeartbeatTableInjection",
                         "health:\n  heartbeat: { table: 'hb; DROP TABLE x' }\n",
                         "proxy.yaml:2:23: health.heartbeat.table: expected a table name such as "
                         "mysql_proxy.heartbeat (letters, digits, _ and $, optionally "
                         "database.table), got \"hb; DROP TABLE x\""},
        SectionErrorCase{"ZeroDiscoveryInterval", "health:\n  discovery_interval: 0s\n",
                         "proxy.yaml:2:23: health.discovery_interval: expected a duration greater "
                         "than 0, got \"0s\""}),
    [](const testing::TestParamInfo<SectionErrorCase>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Routing, LoadSectionError,
    testing::Values(
        SectionErrorCase{"UnknownFieldWithSuggestion", "routing:\n  honour_hints: true\n",
                         "proxy.yaml:2:3: routing.honour_hints: unknown field (did you mean "
                         "\"honor_hints\"?)"},
        SectionErrorCase{"UnknownFieldListingAllowedOnes", "routing:\n  weights: 1\n",
                         "proxy.yaml:2:3: routing.weights: unknown field (expected one of "
                         "reads_fallback_to_primary, consistency, consistency_timeout, "
                         "honor_hints, read_only_transactions_on_replica)"},
        SectionErrorCase{"ScalarForSection", "routing: eventual\n",
                         "proxy.yaml:1:10: routing: expected a mapping, got \"eventual\""},
        SectionErrorCase{"FallbackNotABoolean", "routing:\n  reads_fallback_to_primary: 1\n",
                         "proxy.yaml:2:30: routing.reads_fallback_to_primary: expected true or "
                         "false, got \"1\""},
        SectionErrorCase{"UnknownConsistency", "routing:\n  consistency: strong\n",
                         "proxy.yaml:2:16: routing.consistency: expected one of eventual, "
                         "session, global, got \"strong\""},
        SectionErrorCase{"MisspelledConsistency", "routing:\n  consistency: sesion\n",
                         "proxy.yaml:2:16: routing.consistency: expected one of eventual, "
                         "session, global, got \"sesion\" (did you mean \"session\"?)"},
        SectionErrorCase{"BadConsistencyTimeout", "routing:\n  consistency_timeout: 1\n",
                         "proxy.yaml:2:24: routing.consistency_timeout: expected a duration such "
                         "as 500ms or 2s, got \"1\""},
        SectionErrorCase{"HintsAsMapping", "routing:\n  honor_hints: { x: 1 }\n",
                         "proxy.yaml:2:16: routing.honor_hints: expected true or false, got a "
                         "mapping"},
        SectionErrorCase{"ReadOnlyTransactionsNotABoolean",
                         "routing:\n  read_only_transactions_on_replica: off\n",
                         "proxy.yaml:2:38: routing.read_only_transactions_on_replica: expected "
                         "true or false, got \"off\""}),
    [](const testing::TestParamInfo<SectionErrorCase>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Pool, LoadSectionError,
    testing::Values(
        SectionErrorCase{"UnknownFieldWithSuggestion", "pool:\n  idle_timout: 1s\n",
                         "proxy.yaml:2:3: pool.idle_timout: unknown field (did you mean "
                         "\"idle_timeout\"?)"},
        SectionErrorCase{"UnknownFieldListingAllowedOnes", "pool:\n  size: 1\n",
                         "proxy.yaml:2:3: pool.size: unknown field (expected one of "
                         "mode, max_connections_per_backend, acquire_timeout, idle_timeout, "
                         "max_prepared_statements, max_prepared_statement_bytes)"},
        SectionErrorCase{"ZeroConnections", "pool:\n  max_connections_per_backend: 0\n",
                         "proxy.yaml:2:32: pool.max_connections_per_backend: expected an integer "
                         "1..100000, got \"0\""},
        SectionErrorCase{"TooManyConnections", "pool:\n  max_connections_per_backend: 100001\n",
                         "proxy.yaml:2:32: pool.max_connections_per_backend: expected an integer "
                         "1..100000, got \"100001\""},
        SectionErrorCase{"ZeroAcquireTimeout", "pool:\n  acquire_timeout: 0\n",
                         "proxy.yaml:2:20: pool.acquire_timeout: expected a duration greater than "
                         "0, got \"0\""},
        SectionErrorCase{"BadIdleTimeout", "pool:\n  idle_timeout: forever\n",
                         "proxy.yaml:2:17: pool.idle_timeout: expected a duration such as 500ms "
                         "or 2s, got \"forever\""},
        SectionErrorCase{"ZeroPreparedStatements", "pool:\n  max_prepared_statements: 0\n",
                         "proxy.yaml:2:28: pool.max_prepared_statements: expected an integer "
                         "1..65535, got \"0\""},
        SectionErrorCase{"TooManyPreparedStatements", "pool:\n  max_prepared_statements: 65536\n",
                         "proxy.yaml:2:28: pool.max_prepared_statements: expected an integer "
                         "1..65535, got \"65536\""}),
    [](const testing::TestParamInfo<SectionErrorCase>& info) { return info.param.name; });

// validate_config on Configs built in code: the same ranges, named by path.
Config valid_config() {
  Config config;
  config.source = "code";
  config.backends = {{"primary", "10.0.0.1", 3306, BackendRole::kPrimary, 1}};
  config.users = {{"app", "secret"}};
  return config;
}

struct InvalidCase {
  std::string name;
  void (*mutate)(Config&);
  std::string expected;
};

std::ostream& operator<<(std::ostream& os, const InvalidCase& c) { return os << c.name; }

class ValidateSectionRejects : public testing::TestWithParam<InvalidCase> {};

TEST_P(ValidateSectionRejects, WithTheExactMessage) {
  Config config = valid_config();
  GetParam().mutate(config);
  EXPECT_EQ(error_of(validate_config(config)), GetParam().expected);
}

TEST(ValidateSections, AcceptsDefaultsAndBounds) {
  Config config = valid_config();
  EXPECT_TRUE(validate_config(config));
  config.health.down_after = config.health.up_after = 1;
  config.health.lagging_after = config.health.recover_after = kMaxHealthStreak;
  config.health.max_replication_lag = 0ms;
  config.routing.consistency_timeout = 0ms;
  config.pool.idle_timeout = 0ms;
  config.pool.max_connections_per_backend = kMaxPoolConnections;
  config.pool.max_prepared_statements = kMaxPreparedStatements;
  config.health.heartbeat.table = "hb";
  auto result = validate_config(config);
  EXPECT_TRUE(result) << error_of(result);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateSectionRejects,
    testing::Values(
        InvalidCase{"ZeroInterval", [](Config& c) { c.health.interval = 0ms; },
                    "code: health.interval: must be 1ms..8760h, got 0ms"},
        InvalidCase{"ZeroTimeout", [](Config& c) { c.health.timeout = 0ms; },
                    "code: health.timeout: must be 1ms..8760h, got 0ms"},
        InvalidCase{"NegativeLag", [](Config& c) { c.health.max_replication_lag = -1ms; },
                    "code: health.max_replication_lag: must be 0..8760h, got -1ms"},
        InvalidCase{"ZeroDiscoveryInterval", [](Config& c) { c.health.discovery_interval = 0ms; },
                    "code: health.discovery_interval: must be 1ms..8760h, got 0ms"},
        InvalidCase{"DownAfterZero", [](Config& c) { c.health.down_after = 0; },
                    "code: health.down_after: must be 1..100, got 0"},
        InvalidCase{"UpAfterAboveRange", [](Config& c) { c.health.up_after = 101; },
                    "code: health.up_after: must be 1..100, got 101"},
        InvalidCase{"LaggingAfterZero", [](Config& c) { c.health.lagging_after = 0; },
                    "code: health.lagging_after: must be 1..100, got 0"},
        InvalidCase{"RecoverAfterAboveRange", [](Config& c) { c.health.recover_after = 1000; },
                    "code: health.recover_after: must be 1..100, got 1000"},
        InvalidCase{"BadHeartbeatTable",
                    [](Config& c) { c.health.heartbeat.table = "mysql_proxy.`hb`"; },
                    "code: health.heartbeat.table: expected a table name such as "
                    "mysql_proxy.heartbeat (letters, digits, _ and $, optionally database.table), "
                    "got \"mysql_proxy.`hb`\""},
        InvalidCase{"HeartbeatTableNameTooLong",
                    [](Config& c) { c.health.heartbeat.table = "db." + std::string(65, 't'); },
                    "code: health.heartbeat.table: expected a table name such as "
                    "mysql_proxy.heartbeat (letters, digits, _ and $, optionally database.table), "
                    "got \"db." +
                        std::string(65, 't') + "\""},
        InvalidCase{"NegativeConsistencyTimeout",
                    [](Config& c) { c.routing.consistency_timeout = -5ms; },
                    "code: routing.consistency_timeout: must be 0..8760h, got -5ms"},
        InvalidCase{"ZeroPoolConnections",
                    [](Config& c) { c.pool.max_connections_per_backend = 0; },
                    "code: pool.max_connections_per_backend: must be 1..100000, got 0"},
        InvalidCase{"TooManyPoolConnections",
                    [](Config& c) { c.pool.max_connections_per_backend = 100001; },
                    "code: pool.max_connections_per_backend: must be 1..100000, got 100001"},
        InvalidCase{"ZeroAcquireTimeout", [](Config& c) { c.pool.acquire_timeout = 0ms; },
                    "code: pool.acquire_timeout: must be 1ms..8760h, got 0ms"},
        InvalidCase{"IdleTimeoutTooLong", [](Config& c) { c.pool.idle_timeout = 8761h; },
                    "code: pool.idle_timeout: must be 0..8760h, got 31539600000ms"},
        InvalidCase{"ZeroPreparedStatements", [](Config& c) { c.pool.max_prepared_statements = 0; },
                    "code: pool.max_prepared_statements: must be 1..65535, got 0"},
        InvalidCase{"TooManyPreparedStatements",
                    [](Config& c) { c.pool.max_prepared_statements = 65536; },
                    "code: pool.max_prepared_statements: must be 1..65535, got 65536"}),
    [](const testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

TEST(IsPlainTableName, AcceptsOnlyNamesThatNeedNoQuoting) {
  EXPECT_TRUE(is_plain_table_name("heartbeat"));
  EXPECT_TRUE(is_plain_table_name("mysql_proxy.heartbeat"));
  EXPECT_TRUE(is_plain_table_name("Db$1.T_2"));
  EXPECT_TRUE(is_plain_table_name(std::string(64, 'a')));
  EXPECT_FALSE(is_plain_table_name(""));
  EXPECT_FALSE(is_plain_table_name("."));
  EXPECT_FALSE(is_plain_table_name("db."));
  EXPECT_FALSE(is_plain_table_name(".t"));
  EXPECT_FALSE(is_plain_table_name("a.b.c"));
  EXPECT_FALSE(is_plain_table_name("a b"));
  EXPECT_FALSE(is_plain_table_name("`t`"));
  EXPECT_FALSE(is_plain_table_name("t;"));
  EXPECT_FALSE(is_plain_table_name(std::string(65, 'a')));
}

}  // namespace
}  // namespace mysqlproxy::config
