// timeouts.query and timeouts.client_stall: defaults, reading, and the errors they give.
#include <gtest/gtest.h>

#include <string>

#include "config/load.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using namespace std::chrono_literals;
using test_support::load_error;
using test_support::load_ok;
using test_support::with_backends_and_users;

TEST(StallTimeouts, DefaultsAreNoQueryLimitAndAMinuteForClients) {
  const Config config = load_ok(with_backends_and_users(""));
  EXPECT_EQ(config.timeouts.query, 0ms);
  EXPECT_EQ(config.timeouts.client_stall, 60s) << "MySQL's net_write_timeout";
}

TEST(StallTimeouts, ReadsBoth) {
  const Config config = load_ok(with_backends_and_users("timeouts: { query: 1500ms, client_stall: 5s }\n"));
  EXPECT_EQ(config.timeouts.query, 1500ms);
  EXPECT_EQ(config.timeouts.client_stall, 5s);
  EXPECT_EQ(load_ok(with_backends_and_users("timeouts: { client_stall: 0 }\n")).timeouts.client_stall, 0ms)
      << "0 = never";
}

TEST(StallTimeouts, RejectsWhatIsNotADuration) {
  EXPECT_EQ(load_error("timeouts:\n  client_stall: -5s\n"),
            "proxy.yaml:2:17: timeouts.client_stall: expected a duration such as 500ms or 2s, got \"-5s\"");
  EXPECT_EQ(load_error("timeouts:\n  client_stal: 5s\n"),
            "proxy.yaml:2:3: timeouts.client_stal: unknown field (did you mean \"client_stall\"?)");
}

}  // namespace
}  // namespace mysqlproxy::config
