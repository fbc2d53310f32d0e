#include "config/load.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using namespace std::chrono_literals;
using test_support::error_of;
using test_support::load_error;
using test_support::load_ok;
using test_support::kBackends;
using test_support::kUsers;
using test_support::with_backends_and_users;


TEST(LoadConfigText, ParsesEveryField) {
  Config config = load_ok(R"(
listen: { address: 127.0.0.1, port: 6033 }
workers: 2
server_version: 8.0.36-proxy
max_packet_size: 16MiB
backends:
  - { name: primary, host: 10.0.0.1, port: 13306, role: primary, weight: 0 }
  - { name: replica1, host: 10.0.0.2, port: 13307, role: replica, weight: 2 }
  - { name: replica2, host: db3.internal, weight: 1000 }
users:
  - name: app
    password: app-pass
  - name: report
    password: ""
timeouts: { connect: 250ms, handshake: 1.5s, idle: 5m, query: 30s }
logging: { level: debug, format: json }
)");
  EXPECT_EQ(config.listen.address, "127.0.0.1");
  EXPECT_EQ(config.listen.port, 6033);
  EXPECT_EQ(config.workers, 2u);
  EXPECT_EQ(config.server_version, "8.0.36-proxy");
  EXPECT_EQ(config.max_packet_size, 16u << 20);

  ASSERT_EQ(config.backends.size(), 3u);
  EXPECT_EQ(config.backends[0].name, "primary");
  EXPECT_EQ(config.backends[0].host, "10.0.0.1");
  EXPECT_EQ(config.backends[0].port, 13306);
  EXPECT_EQ(config.backends[0].role, BackendRole::kPrimary);
  EXPECT_EQ(config.backends[0].weight, 0u);
  EXPECT_EQ(config.backends[1].name, "replica1");
  EXPECT_EQ(config.backends[1].host, "10.0.0.2");
  EXPECT_EQ(config.backends[1].port, 13307);
  EXPECT_EQ(config.backends[1].role, BackendRole::kReplica);
  EXPECT_EQ(config.backends[1].weight, 2u);
  EXPECT_EQ(config.backends[2].name, "replica2");
  EXPECT_EQ(config.backends[2].host, "db3.internal");
  EXPECT_EQ(config.backends[2].port, 3306);
  EXPECT_EQ(config.backends[2].role, BackendRole::kReplica);
  EXPECT_EQ(config.backends[2].weight, 1000u);

  ASSERT_EQ(config.users.size(), 2u);
  EXPECT_EQ(config.users[0].name, "app");
  EXPECT_EQ(config.users[0].password, "app-pass");
  EXPECT_EQ(config.users[1].name, "report");
  EXPECT_EQ(config.users[1].password, "");

  EXPECT_EQ(config.timeouts.connect, 250ms);
  EXPECT_EQ(config.timeouts.handshake, 1500ms);
  EXPECT_EQ(config.timeouts.idle, 5min);
  EXPECT_EQ(config.timeouts.query, 30s);
  EXPECT_EQ(config.logging.level, "debug");
  EXPECT_EQ(config.logging.format, LogFormat::kJson);
  EXPECT_EQ(config.source, "proxy.yaml");
}

TEST(LoadConfigText, UsesDefaultsForOmittedFields) {
  Config config = load_ok(with_backends_and_users(""));
  EXPECT_EQ(config.listen.address, "0.0.0.0");
  EXPECT_EQ(config.listen.port, 3306);
  EXPECT_EQ(config.workers, 0u);
  EXPECT_EQ(config.server_version, "");
  EXPECT_EQ(config.max_packet_size, 64u << 20);
  EXPECT_EQ(config.timeouts.connect, 2s);
  EXPECT_EQ(config.timeouts.handshake, 10s);
  EXPECT_EQ(config.timeouts.idle, 8h);
  EXPECT_EQ(config.timeouts.query, 0ms);
  EXPECT_EQ(config.logging.level, "info");
  EXPECT_EQ(config.logging.format, LogFormat::kText);
  ASSERT_EQ(config.backends.size(), 1u);
  EXPECT_EQ(config.backends[0].port, 3306);
  EXPECT_EQ(config.backends[0].weight, 1u);
}

TEST(LoadConfigText, UsesDefaultsForOmittedFieldsInsideSections) {
  Config config =
      load_ok(with_backends_and_users("listen: { port: 6033 }\n"
                                      "timeouts: { idle: 0 }\n"
                                      "logging: { format: json }\n"));
  EXPECT_EQ(config.listen.address, "0.0.0.0");
  EXPECT_EQ(config.listen.port, 6033);
  EXPECT_EQ(config.timeouts.connect, 2s);
  EXPECT_EQ(config.timeouts.idle, 0ms);
  EXPECT_EQ(config.logging.level, "info");
  EXPECT_EQ(config.logging.format, LogFormat::kJson);
}

TEST(LoadConfigText, KeepsDefaultsForAnEmptySection) {
  Config config = load_ok(with_backends_and_users("listen:\ntimeouts:\nlogging: {}\n"));
  EXPECT_EQ(config.listen.port, 3306);
  EXPECT_EQ(config.timeouts.idle, 8h);
  EXPECT_EQ(config.logging.level, "info");
}

TEST(LoadConfigText, AcceptsQuotedScalars) {
  Config config =
      load_ok(with_backends_and_users("listen: { address: \"::\", port: \"6033\" }\n"
                                      "server_version: '5.7.0'\n"
                                      "timeouts: { connect: \"3s\" }\n"));
  EXPECT_EQ(config.listen.address, "::");
  EXPECT_EQ(config.listen.port, 6033);
  EXPECT_EQ(config.server_version, "5.7.0");
  EXPECT_EQ(config.timeouts.connect, 3s);
}

TEST(LoadConfigText, AcceptsBlockStyle) {
  Config config = load_ok(R"(# a comment
listen:
  address: 127.0.0.1
  port: 6033
backends:
  - name: primary
    host: 127.0.0.1
    port: 13306
    role: primary
  - name: replica1
    host: 127.0.0.1
    port: 13307
    weight: 2
users:
  - name: app
    password: app-pass
)");
  EXPECT_EQ(config.listen.port, 6033);
  ASSERT_EQ(config.backends.size(), 2u);
  EXPECT_EQ(config.backends[1].port, 13307);
  EXPECT_EQ(config.backends[1].role, BackendRole::kReplica);
}

TEST(LoadConfigText, NamesTheSourceDefaultingToConfig) {
  auto result = load_config_text("workers: x\n");
  EXPECT_EQ(error_of(result), "<config>:1:10: workers: expected an integer 0..1024, got \"x\"");
  auto named = load_config_text(with_backends_and_users(""), "inline");
  ASSERT_TRUE(named) << error_of(named);
  EXPECT_EQ(named->source, "inline");
}

TEST(LoadConfigText, FindsUsersAndThePrimaryAfterLoading) {
  Config config = load_ok(with_backends_and_users(""));
  ASSERT_NE(find_user(config, "app"), nullptr);
  EXPECT_EQ(find_user(config, "app")->password, "secret");
  ASSERT_NE(primary_backend(config), nullptr);
  EXPECT_EQ(primary_backend(config)->name, "primary");
}

struct DurationForm {
  const char* text;
  std::chrono::milliseconds expected;
};

class LoadConfigDuration : public testing::TestWithParam<DurationForm> {};

TEST_P(LoadConfigDuration, ParsesEveryTimeoutInThisForm) {
  const DurationForm& form = GetParam();
  std::string t = form.text;
  Config config =
      load_ok(with_backends_and_users("timeouts: { idle: " + t + ", query: " + t + " }\n"));
  EXPECT_EQ(config.timeouts.idle, form.expected);
  EXPECT_EQ(config.timeouts.query, form.expected);
  if (form.expected.count() > 0) {
    config = load_ok(
        with_backends_and_users("timeouts: { connect: " + t + ", handshake: " + t + " }\n"));
    EXPECT_EQ(config.timeouts.connect, form.expected);
    EXPECT_EQ(config.timeouts.handshake, form.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Forms, LoadConfigDuration,
                         testing::Values(DurationForm{"250ms", 250ms}, DurationForm{"2s", 2s},
                                         DurationForm{"1.5s", 1500ms}, DurationForm{"5m", 5min},
                                         DurationForm{"8h", 8h}, DurationForm{"0", 0ms},
                                         DurationForm{"0s", 0ms}, DurationForm{"8760h", 8760h}));

struct SizeForm {
  const char* text;
  std::uint32_t expected;
};

class LoadConfigSize : public testing::TestWithParam<SizeForm> {};

TEST_P(LoadConfigSize, ParsesMaxPacketSizeInThisForm) {
  Config config =
      load_ok(with_backends_and_users(std::string("max_packet_size: ") + GetParam().text + "\n"));
  EXPECT_EQ(config.max_packet_size, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Forms, LoadConfigSize,
                         testing::Values(SizeForm{"1024", 1024}, SizeForm{"65536", 65536},
                                         SizeForm{"1KiB", 1024}, SizeForm{"64KiB", 64u << 10},
                                         SizeForm{"64MiB", 64u << 20}, SizeForm{"1GiB", 1u << 30},
                                         SizeForm{"1073741824", 1u << 30}));

}  // namespace
}  // namespace mysqlproxy::config
