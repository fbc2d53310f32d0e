// validate_config on Configs built in code (no SourceMap): errors name source and path only.
#include "config/validate.hpp"

#include <gtest/gtest.h>

#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using namespace std::chrono_literals;
using test_support::error_of;

Config valid_config() {
  Config config;
  config.source = "code";
  config.backends = {{"primary", "10.0.0.1", 3306, BackendRole::kPrimary, 1},
                     {"replica1", "10.0.0.2", 3306, BackendRole::kReplica, 2}};
  config.users = {{"app", "secret"}};
  return config;
}

TEST(ValidateConfig, AcceptsAValidConfig) {
  auto result = validate_config(valid_config());
  EXPECT_TRUE(result) << error_of(result);
}

TEST(ValidateConfig, AcceptsWeightBounds) {
  Config config = valid_config();
  config.backends[1].weight = 0;
  EXPECT_TRUE(validate_config(config));
  config.backends[1].weight = kMaxBackendWeight;
  EXPECT_TRUE(validate_config(config));
}

struct InvalidCase {
  std::string name;
  void (*mutate)(Config&);
  std::string expected;
};

std::ostream& operator<<(std::ostream& os, const InvalidCase& c) { return os << c.name; }

class ValidateConfigRejects : public testing::TestWithParam<InvalidCase> {};

TEST_P(ValidateConfigRejects, WithTheExactMessage) {
  Config config = valid_config();
  GetParam().mutate(config);
  EXPECT_EQ(error_of(validate_config(config)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateConfigRejects,
    testing::Values(
        InvalidCase{"NoBackends", [](Config& c) { c.backends.clear(); },
                    "code: backends: at least one backend is required"},
        InvalidCase{"NoPrimary", [](Config& c) { c.backends[0].role = BackendRole::kReplica; },
                    "code: backends: no backend has role primary (exactly one is required)"},
        InvalidCase{"TwoPrimaries", [](Config& c) { c.backends[1].role = BackendRole::kPrimary; },
                    "code: backends[1].role: only one backend may be primary, but backends[0] "
                    "(\"primary\") already is"},
        InvalidCase{"EmptyBackendName", [](Config& c) { c.backends[1].name.clear(); },
                    "code: backends[1].name: must not be empty"},
        InvalidCase{"DuplicateBackendName", [](Config& c) { c.backends[1].name = "primary"; },
                    "code: backends[1].name: duplicate name \"primary\" (already used by "
                    "backends[0])"},
        InvalidCase{"EmptyHost", [](Config& c) { c.backends[0].host.clear(); },
                    "code: backends[0].host: must not be empty"},
        InvalidCase{"PortZero", [](Config& c) { c.backends[0].port = 0; },
                    "code: backends[0].port: must be 1..65535, got 0"},
        InvalidCase{"WeightAboveRange", [](Config& c) { c.backends[1].weight = 1001; },
                    "code: backends[1].weight: must be 0..1000, got 1001"},
        InvalidCase{"NoUsers", [](Config& c) { c.users.clear(); },
                    "code: users: at least one user is required"},
        InvalidCase{"EmptyUserName", [](Config& c) { c.users[0].name.clear(); },
                    "code: users[0].name: must not be empty"},
        InvalidCase{"DuplicateUserName",
                    [](Config& c) {
                      c.users.push_back({"app", "other"});
                    },
                    "code: users[1].name: duplicate name \"app\" (already used by users[0])"},
        InvalidCase{"TooManyWorkers", [](Config& c) { c.workers = 1025; },
                    "code: workers: must be 0..1024, got 1025"},
        InvalidCase{"PacketSizeBelowRange", [](Config& c) { c.max_packet_size = 1023; },
                    "code: max_packet_size: must be 1KiB..1GiB, got 1023"},
        InvalidCase{"PacketSizeAboveRange", [](Config& c) { c.max_packet_size = (1u << 30) + 1; },
                    "code: max_packet_size: must be 1KiB..1GiB, got 1073741825"},
        InvalidCase{"ZeroConnectTimeout", [](Config& c) { c.timeouts.connect = 0ms; },
                    "code: timeouts.connect: must be 1ms..8760h, got 0ms"},
        InvalidCase{"ZeroHandshakeTimeout", [](Config& c) { c.timeouts.handshake = 0ms; },
                    "code: timeouts.handshake: must be 1ms..8760h, got 0ms"},
        InvalidCase{"NegativeIdleTimeout", [](Config& c) { c.timeouts.idle = -1ms; },
                    "code: timeouts.idle: must be 0..8760h, got -1ms"},
        InvalidCase{"QueryTimeoutTooLong", [](Config& c) { c.timeouts.query = 8761h; },
                    "code: timeouts.query: must be 0..8760h, got 31539600000ms"},
        InvalidCase{"UnknownLogLevel", [](Config& c) { c.logging.level = "verbose"; },
                    "code: logging.level: unknown level \"verbose\""}),
    [](const testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

TEST(ValidateConfig, OmitsTheSourceWhenThereIsNone) {
  Config config = valid_config();
  config.source.clear();
  config.users.clear();
  EXPECT_EQ(error_of(validate_config(config)), "users: at least one user is required");
}

TEST(ValidateConfig, UsesTheSourceMapForLines) {
  Config config = valid_config();
  config.backends[1].name = "primary";
  SourceMap marks;
  marks.add("backends[1]", {7, 5});
  EXPECT_EQ(error_of(validate_config(config, marks)),
            "code:7:5: backends[1].name: duplicate name \"primary\" (already used by "
            "backends[0])");
}

TEST(ValidateConfig, ChecksBackendsBeforeUsers) {
  Config config = valid_config();
  config.backends.clear();
  config.users.clear();
  EXPECT_EQ(error_of(validate_config(config)), "code: backends: at least one backend is required");
}

}  // namespace
}  // namespace mysqlproxy::config
