// The limits section and users[i].max_connections: every field, its default, its range and its
// errors; the IP network parser behind limits.login_throttle_exempt.
#include <gtest/gtest.h>

#include <string>

#include "config/load.hpp"
#include "config/network.hpp"
#include "config/validate.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using namespace std::chrono_literals;
using test_support::load_error;
using test_support::load_ok;
using test_support::with_backends_and_users;

Config load_head(const std::string& head) { return load_ok(with_backends_and_users(head)); }

TEST(LimitsConfig, DefaultsMatchTheDocumentedSchema) {
  Config config;
  EXPECT_EQ(config.limits.max_client_connections, 10000u);
  EXPECT_EQ(config.limits.max_user_connections, 0u);
  EXPECT_EQ(config.limits.login_failures, 10u);
  EXPECT_EQ(config.limits.login_failure_window, 60s);
  EXPECT_EQ(config.limits.login_block_time, 60s);
  EXPECT_TRUE(config.limits.login_throttle_exempt.empty());
  EXPECT_EQ(config.limits.max_pending_logins_per_address, 100u);
  EXPECT_EQ(config.limits.max_session_prepared_statements, 16382u);
  EXPECT_EQ(config.limits.max_session_prepared_bytes, 64u << 20);
  EXPECT_EQ(config.pool.max_prepared_statement_bytes, 4u << 20);
  EXPECT_FALSE(UserConfig{}.max_connections);
  for (const char* head : {"", "limits:\n", "limits: {}\n"}) {
    Config loaded = load_head(head);
    EXPECT_EQ(loaded.limits.max_client_connections, 10000u) << head;
    EXPECT_EQ(loaded.limits.login_failures, 10u) << head;
    EXPECT_FALSE(loaded.users[0].max_connections) << head;
  }
}

TEST(LimitsConfig, ReadsEveryField) {
  Config config = load_ok(R"(limits:
  max_client_connections: 500
  max_user_connections: 50
  login_failures: 5
  login_failure_window: 30s
  login_block_time: 5m
  login_throttle_exempt: [10.0.0.0/8, 192.168.1.7, "2001:db8::/32"]
  max_pending_logins_per_address: 7
  max_session_prepared_statements: 300
  max_session_prepared_bytes: 2MiB
pool:
  max_prepared_statement_bytes: 512KiB
backends:
  - { name: primary, host: 127.0.0.1, role: primary, rsa_public_key_file: /etc/key.pem, get_server_public_key: true }
users:
  - { name: app, password: secret, max_connections: 200 }
  - { name: report, password: secret }
  - { name: batch, password: secret, max_connections: 0 }
)");
  const LimitsConfig& l = config.limits;
  EXPECT_EQ(l.max_client_connections, 500u);
  EXPECT_EQ(l.max_user_connections, 50u);
  EXPECT_EQ(l.login_failures, 5u);
  EXPECT_EQ(l.login_failure_window, 30s);
  EXPECT_EQ(l.login_block_time, 5min);
  EXPECT_EQ(l.max_pending_logins_per_address, 7u);
  EXPECT_EQ(l.max_session_prepared_statements, 300u);
  EXPECT_EQ(l.max_session_prepared_bytes, 2u << 20);
  EXPECT_EQ(config.pool.max_prepared_statement_bytes, 512u << 10);
  EXPECT_EQ(config.backends[0].rsa_public_key_file, "/etc/key.pem");
  EXPECT_TRUE(config.backends[0].get_server_public_key);
  EXPECT_FALSE(BackendConfig{}.get_server_public_key);
  ASSERT_EQ(l.login_throttle_exempt.size(), 3u);
  EXPECT_EQ(l.login_throttle_exempt[0].text, "10.0.0.0/8");
  EXPECT_EQ(l.login_throttle_exempt[1].text, "192.168.1.7");
  EXPECT_EQ(l.login_throttle_exempt[2].text, "2001:db8::/32");
  EXPECT_EQ(config.users[0].max_connections, 200u);
  EXPECT_FALSE(config.users[1].max_connections);
  EXPECT_EQ(config.users[2].max_connections, 0u);
  // The user's own limit wins, 0 included (no limit); without one, the default.
  EXPECT_EQ(user_connection_limit(l, config.users[0]), 200u);
  EXPECT_EQ(user_connection_limit(l, config.users[1]), 50u);
  EXPECT_EQ(user_connection_limit(l, config.users[2]), 0u);
}

TEST(LimitsConfig, ZeroTurnsLimitsAndTheThrottleOff) {
  Config config = load_head("limits: { max_client_connections: 0, max_user_connections: 0, login_failures: 0 }\n");
  EXPECT_EQ(config.limits.max_client_connections, 0u);
  EXPECT_EQ(config.limits.max_user_connections, 0u);
  EXPECT_EQ(config.limits.login_failures, 0u);
}

TEST(LimitsConfig, AcceptsTheBounds) {
  Config config = load_head(
      "limits: { max_client_connections: 1000000, max_user_connections: 1000000, login_failures: 100,"
      " login_failure_window: 1ms, login_block_time: 8760h }\n");
  EXPECT_EQ(config.limits.max_client_connections, 1000000u);
  EXPECT_EQ(config.limits.login_failures, 100u);
  EXPECT_EQ(config.limits.login_failure_window, 1ms);
  EXPECT_EQ(config.limits.login_block_time, kMaxTimeout);
}

struct LimitsErrorCase {
  std::string name;
  std::string head;
  std::string expected;
};

std::ostream& operator<<(std::ostream& os, const LimitsErrorCase& c) { return os << c.name; }

class LimitsConfigError : public testing::TestWithParam<LimitsErrorCase> {};

TEST_P(LimitsConfigError, ReportsTheExactMessage) { EXPECT_EQ(load_error(GetParam().head), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Limits, LimitsConfigError,
    testing::Values(
        LimitsErrorCase{"MisspelledField", "limits:\n  max_user_connection: 5\n",
                        "proxy.yaml:2:3: limits.max_user_connection: unknown field (did you mean "
                        "\"max_user_connections\"?)"},
        LimitsErrorCase{"UnknownField", "limits:\n  max_connections: 5\n",
                        "proxy.yaml:2:3: limits.max_connections: unknown field (expected one of "
                        "max_client_connections, max_user_connections, login_failures, login_failure_window, "
                        "login_block_time, login_throttle_exempt, max_pending_logins_per_address, "
                        "max_session_prepared_statements, max_session_prepared_bytes)"},
        LimitsErrorCase{"ZeroPreparedStatements", "limits:\n  max_session_prepared_statements: 0\n",
                        "proxy.yaml:2:36: limits.max_session_prepared_statements: expected an integer "
                        "1..1048576, got \"0\""},
        LimitsErrorCase{"TinyPreparedBytes", "limits:\n  max_session_prepared_bytes: 100\n",
                        "proxy.yaml:2:31: limits.max_session_prepared_bytes: expected a size 1KiB..1GiB, "
                        "got \"100\""},
        LimitsErrorCase{"NegativeLimit", "limits:\n  max_client_connections: -1\n",
                        "proxy.yaml:2:27: limits.max_client_connections: expected an integer 0..1000000, got "
                        "\"-1\""},
        LimitsErrorCase{"LimitTooBig", "limits:\n  max_user_connections: 1000001\n",
                        "proxy.yaml:2:25: limits.max_user_connections: expected an integer 0..1000000, got "
                        "\"1000001\""},
        LimitsErrorCase{"TooManyFailures", "limits:\n  login_failures: 101\n",
                        "proxy.yaml:2:19: limits.login_failures: expected an integer 0..100, got \"101\""},
        LimitsErrorCase{"ZeroWindow", "limits:\n  login_failure_window: 0\n",
                        "proxy.yaml:2:25: limits.login_failure_window: expected a duration greater than 0, got \"0\""},
        LimitsErrorCase{"ZeroBlock", "limits:\n  login_block_time: 0s\n",
                        "proxy.yaml:2:21: limits.login_block_time: expected a duration greater than 0, got \"0s\""},
        LimitsErrorCase{"BlockNotADuration", "limits:\n  login_block_time: forever\n",
                        "proxy.yaml:2:21: limits.login_block_time: expected a duration such as 500ms or 2s, "
                        "got \"forever\""},
        LimitsErrorCase{"ExemptNotAList", "limits:\n  login_throttle_exempt: 10.0.0.1\n",
                        "proxy.yaml:2:26: limits.login_throttle_exempt: expected a sequence, got \"10.0.0.1\""},
        LimitsErrorCase{"ExemptNotAnAddress", "limits:\n  login_throttle_exempt: [10.0.0.1, office]\n",
                        "proxy.yaml:2:37: limits.login_throttle_exempt[1]: expected an IP address or network "
                        "such as 10.0.0.7, 10.0.0.0/8 or 2001:db8::/32, got \"office\""},
        LimitsErrorCase{"ExemptPrefixTooLong", "limits:\n  login_throttle_exempt: [10.0.0.0/33]\n",
                        "proxy.yaml:2:27: limits.login_throttle_exempt[0]: expected an IP address or network "
                        "such as 10.0.0.7, 10.0.0.0/8 or 2001:db8::/32, got \"10.0.0.0/33\""},
        LimitsErrorCase{"SectionAsScalar", "limits: none\n",
                        "proxy.yaml:1:9: limits: expected a mapping, got \"none\""}));

TEST(LimitsConfig, AUserLimitMustBeANumberInRange) {
  EXPECT_EQ(test_support::error_of(load_config_text(
                "backends:\n  - { name: primary, host: 127.0.0.1, role: primary }\n"
                "users:\n  - { name: app, password: secret, max_connections: lots }\n",
                "proxy.yaml")),
            "proxy.yaml:4:53: users[0].max_connections: expected an integer 0..1000000, got \"lots\"");
  EXPECT_EQ(test_support::error_of(load_config_text(
                "backends:\n  - { name: primary, host: 127.0.0.1, role: primary }\n"
                "users:\n  - { name: app, password: secret, max_conections: 5 }\n",
                "proxy.yaml")),
            "proxy.yaml:4:36: users[0].max_conections: unknown field (did you mean \"max_connections\"?)");
}

TEST(LimitsConfig, ValidateCatchesACodeBuiltConfig) {
  Config config = load_head("");
  config.limits.login_failures = 101;
  auto valid = validate_config(config);
  ASSERT_FALSE(valid);
  EXPECT_EQ(valid.error().message, "proxy.yaml: limits.login_failures: must be 0..100, got 101");
  config.limits.login_failures = 10;
  config.limits.login_block_time = 0ms;
  valid = validate_config(config);
  ASSERT_FALSE(valid);
  EXPECT_EQ(valid.error().message, "proxy.yaml: limits.login_block_time: must be 1ms..8760h, got 0ms");
  config.limits.login_block_time = 1s;
  config.users[0].max_connections = 2000000;
  valid = validate_config(config);
  ASSERT_FALSE(valid);
  EXPECT_EQ(valid.error().message, "proxy.yaml: users[0].max_connections: must be 0..1000000, got 2000000");
}

TEST(IpNetwork, ParsesAddressesAndNetworks) {
  const auto any_v4 = parse_ip_network("0.0.0.0/0");
  ASSERT_TRUE(any_v4);
  EXPECT_TRUE(contains(*any_v4, *parse_ip_address("203.0.113.9")));
  EXPECT_FALSE(contains(*any_v4, *parse_ip_address("2001:db8::1"))) << "IPv4 networks hold IPv4 addresses only";

  const auto ten = parse_ip_network("10.0.0.0/8");
  ASSERT_TRUE(ten);
  EXPECT_TRUE(contains(*ten, *parse_ip_address("10.255.1.2")));
  EXPECT_TRUE(contains(*ten, *parse_ip_address("::ffff:10.1.1.1"))) << "IPv4-mapped peers of a dual-stack listener";
  EXPECT_FALSE(contains(*ten, *parse_ip_address("11.0.0.1")));

  const auto host = parse_ip_network("192.168.1.7");
  ASSERT_TRUE(host);
  EXPECT_TRUE(contains(*host, *parse_ip_address("192.168.1.7")));
  EXPECT_FALSE(contains(*host, *parse_ip_address("192.168.1.8")));

  const auto odd = parse_ip_network("192.168.1.77/28");  // host bits set: the network is .64/28
  ASSERT_TRUE(odd);
  EXPECT_TRUE(contains(*odd, *parse_ip_address("192.168.1.64")));
  EXPECT_TRUE(contains(*odd, *parse_ip_address("192.168.1.79")));
  EXPECT_FALSE(contains(*odd, *parse_ip_address("192.168.1.80")));

  const auto v6 = parse_ip_network("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(contains(*v6, *parse_ip_address("2001:db8:ffff::1")));
  EXPECT_FALSE(contains(*v6, *parse_ip_address("2001:db9::1")));
  EXPECT_TRUE(contains(*parse_ip_network("::/0"), *parse_ip_address("10.0.0.1")));
  EXPECT_TRUE(contains(*parse_ip_network("::1"), *parse_ip_address("::1")));

  for (const char* bad : {"", "10.0.0", "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/8x", "::1/129",
                          "localhost", "10.0.0.1 ", "1.2.3.4/0008"}) {
    EXPECT_FALSE(parse_ip_network(bad)) << bad;
  }
}

}  // namespace
}  // namespace mysqlproxy::config
