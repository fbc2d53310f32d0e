// The failover section: its defaults, every field, and the combinations validate_config refuses.
#include <gtest/gtest.h>

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

// A primary and a replica, so automatic failover has something to promote.
std::string with_replica(std::string_view head) {
  return std::string(head) +
         "backends:\n"
         "  - { name: primary, host: 127.0.0.1, role: primary }\n"
         "  - { name: replica, host: 127.0.0.2 }\n"
         "users:\n"
         "  - { name: app, password: secret }\n";
}

TEST(FailoverDefaults, MatchTheDocumentedSchema) {
  FailoverConfig f;
  EXPECT_FALSE(f.automatic);
  EXPECT_EQ(f.primary_down_after, 2s);
  EXPECT_EQ(f.max_candidate_lag, 10s);
  EXPECT_EQ(f.catchup_timeout, 10s);
  EXPECT_EQ(f.switchover_timeout, 15s);
}

TEST(FailoverDefaults, AreKeptWhenTheSectionIsAbsentOrEmpty) {
  for (const char* head : {"", "failover:\n", "failover: {}\n"}) {
    Config config = load_ok(test_support::with_backends_and_users(head));
    EXPECT_FALSE(config.failover.automatic) << head;
    EXPECT_EQ(config.failover.primary_down_after, 2s) << head;
    EXPECT_EQ(config.failover.switchover_timeout, 15s) << head;
  }
}

TEST(LoadFailover, ParsesEveryField) {
  Config config = load_ok(with_replica(
      "failover:\n"
      "  automatic: true\n"
      "  primary_down_after: 1500ms\n"
      "  max_candidate_lag: 0\n"
      "  catchup_timeout: 3s\n"
      "  switchover_timeout: 4s\n"
      "  replication_user: repl\n"
      "  replication_password: repl-pass\n"));
  const FailoverConfig& f = config.failover;
  EXPECT_TRUE(f.automatic);
  EXPECT_EQ(f.primary_down_after, 1500ms);
  EXPECT_EQ(f.max_candidate_lag, 0ms);
  EXPECT_EQ(f.catchup_timeout, 3s);
  EXPECT_EQ(f.switchover_timeout, 4s);
  EXPECT_EQ(f.replication_user, "repl");
  EXPECT_EQ(f.replication_password, "repl-pass");
}

struct FailoverErrorCase {
  std::string name;
  std::string head;  // before backends (a primary only) and users
  std::string expected;
};

std::ostream& operator<<(std::ostream& os, const FailoverErrorCase& c) { return os << c.name; }

class LoadFailoverError : public testing::TestWithParam<FailoverErrorCase> {};

TEST_P(LoadFailoverError, ReportsTheExactMessage) {
  EXPECT_EQ(load_error(GetParam().head), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoadFailoverError,
    testing::Values(
        FailoverErrorCase{"UnknownField", "failover:\n  automatc: true\n",
                          "proxy.yaml:2:3: failover.automatc: unknown field (did you mean \"automatic\"?)"},
        FailoverErrorCase{"NotABoolean", "failover:\n  automatic: maybe\n",
                          "proxy.yaml:2:14: failover.automatic: expected true or false, got \"maybe\""},
        FailoverErrorCase{"ZeroDownAfter", "failover:\n  primary_down_after: 0\n",
                          "proxy.yaml:2:23: failover.primary_down_after: expected a duration greater than 0, "
                          "got \"0\""},
        FailoverErrorCase{"ZeroCatchup", "failover:\n  catchup_timeout: 0s\n",
                          "proxy.yaml:2:20: failover.catchup_timeout: expected a duration greater than 0, "
                          "got \"0s\""},
        FailoverErrorCase{"DownAfterUnderTheCheckTimeout",
                          "health:\n  timeout: 3s\nfailover:\n  primary_down_after: 2s\n",
                          "proxy.yaml:4:23: failover.primary_down_after: must be at least health.timeout "
                          "(3000 ms), or one slow check would start a failover"},
        FailoverErrorCase{"SwitchoverShorterThanCatchup",
                          "failover:\n  catchup_timeout: 20s\n",
                          "proxy.yaml:2:3: failover.switchover_timeout: must be at least failover.catchup_timeout "
                          "(20000 ms): writes are held while the target catches up"},
        FailoverErrorCase{"PasswordWithoutUser", "failover:\n  replication_password: x\n",
                          "proxy.yaml:2:25: failover.replication_password: needs failover.replication_user"},
        FailoverErrorCase{"AutomaticWithoutAReplica", "failover:\n  automatic: true\n",
                          "proxy.yaml:2:14: failover.automatic: needs at least one backend with role replica "
                          "to promote"}),
    [](const testing::TestParamInfo<FailoverErrorCase>& info) { return info.param.name; });

TEST(LoadFailover, AcceptsTheBounds) {
  auto result = load_config_text(with_replica("health:\n  timeout: 2s\n"
                                              "failover:\n  automatic: true\n  primary_down_after: 2s\n"
                                              "  catchup_timeout: 5s\n  switchover_timeout: 5s\n"),
                                 "proxy.yaml");
  EXPECT_TRUE(result) << error_of(result);
}

}  // namespace
}  // namespace mysqlproxy::config
