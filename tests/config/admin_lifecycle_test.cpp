// The admin section and timeouts.drain: every field, its default, its range and its errors.
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

constexpr const char* kVar = "MYSQLPROXY_CONFIG_TEST_ADMIN_TOKEN";

Config load_head(const std::string& head) { return load_ok(with_backends_and_users(head)); }



TEST(AdminConfig, DefaultsMatchTheDocumentedSchema) {
  Config config;
  EXPECT_TRUE(config.admin.enabled);
  EXPECT_EQ(config.admin.address, "127.0.0.1");
  EXPECT_EQ(config.admin.port, 9180);
  EXPECT_EQ(config.admin.token, "");
  EXPECT_EQ(config.admin.read_token, "");
  EXPECT_TRUE(config.admin.readiness_requires_primary);
  EXPECT_EQ(config.timeouts.drain, 30s);
  Config absent = load_head("");
  EXPECT_EQ(absent.admin.port, 9180);
  EXPECT_EQ(absent.timeouts.drain, 30s);
}

TEST(AdminConfig, ReadsEveryField) {
  Config config = load_head("admin: { enabled: false, address: 0.0.0.0, port: 9999, token: s3cret,"
                            " readiness_requires_primary: false }\n"
                          "timeouts: { drain: 5s }\n");
  EXPECT_FALSE(config.admin.enabled);
  EXPECT_EQ(config.admin.address, "0.0.0.0");
  EXPECT_EQ(config.admin.port, 9999);
  EXPECT_EQ(config.admin.token, "s3cret");
  EXPECT_FALSE(config.admin.readiness_requires_primary);
  EXPECT_EQ(config.timeouts.drain, 5s);
  EXPECT_EQ(load_head("timeouts: { drain: 0 }\n").timeouts.drain, 0ms) << "0 = close at once";
}

class AdminToken : public testing::Test {
 protected:
  void TearDown() override { unsetenv(kVar); }
  TempDir dir_;
};

TEST_F(AdminToken, ComesFromAnEnvironmentVariable) {
  setenv(kVar, "from-env", 1);
  EXPECT_EQ(load_head("admin: { token_env: " + std::string(kVar) + " }\n").admin.token, "from-env");
}

TEST_F(AdminToken, RejectsAnUnsetEnvironmentVariable) {
  EXPECT_EQ(load_error("admin: { token_env: " + std::string(kVar) + " }\n"),
            "proxy.yaml:1:21: admin.token_env: environment variable "
            "\"MYSQLPROXY_CONFIG_TEST_ADMIN_TOKEN\" is not set");
}

TEST_F(AdminToken, ComesFromAFileRelativeToTheConfig) {
  dir_.write("admin-token", "from-file\n");
  const std::string path = dir_.write("proxy.yaml", with_backends_and_users("admin:\n  token_file: admin-token\n"));
  auto result = load_config_file(path);
  ASSERT_TRUE(result) << error_of(result);
  EXPECT_EQ(result->admin.token, "from-file");
}

TEST_F(AdminToken, TheReadTokenHasItsOwnSources) {
  setenv(kVar, "reader", 1);
  Config config = load_head("admin: { token: writer, read_token_env: " + std::string(kVar) + " }\n");
  EXPECT_EQ(config.admin.token, "writer");
  EXPECT_EQ(config.admin.read_token, "reader");
  EXPECT_EQ(load_error("admin:\n  read_token: a\n  read_token_env: " + std::string(kVar) + "\n"),
            "proxy.yaml:3:3: admin.read_token_env: conflicts with read_token (set at most one of read_token, "
            "read_token_env, read_token_file)");
}

TEST_F(AdminToken, RejectsTwoSources) {
  setenv(kVar, "x", 1);
  EXPECT_EQ(load_error("admin:\n  token: a\n  token_env: " + std::string(kVar) + "\n"),
            "proxy.yaml:3:3: admin.token_env: conflicts with token (set at most one of token, "
            "token_env, token_file)");
}

TEST_F(AdminToken, NeverAppearsInAnError) {
  const std::string message = load_error("admin: { token: hunter2, prot: 1 }\n");
  EXPECT_NE(message, "<no error>");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

struct AdminErrorCase {
  std::string name;
  std::string head;
  std::string expected;
};

std::ostream& operator<<(std::ostream& os, const AdminErrorCase& c) { return os << c.name; }

class AdminConfigError : public testing::TestWithParam<AdminErrorCase> {};

TEST_P(AdminConfigError, ReportsTheExactMessage) { EXPECT_EQ(load_error(GetParam().head), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Admin, AdminConfigError,
    testing::Values(
        AdminErrorCase{"UnknownField", "admin:\n  prot: 1\n",
                       "proxy.yaml:2:3: admin.prot: unknown field (did you mean \"port\"?)"},
        AdminErrorCase{"UnknownFieldListingAllowedOnes", "admin:\n  frobnicate: 1\n",
                       "proxy.yaml:2:3: admin.frobnicate: unknown field (expected one of enabled, "
                       "address, port, readiness_requires_primary, token, token_env, token_file, read_token, "
                       "read_token_env, read_token_file)"},
        AdminErrorCase{"PortZero", "admin:\n  port: 0\n",
                       "proxy.yaml:2:9: admin.port: expected an integer 1..65535, got \"0\""},
        AdminErrorCase{"PortTooBig", "admin:\n  port: 70000\n",
                       "proxy.yaml:2:9: admin.port: expected an integer 1..65535, got \"70000\""},
        AdminErrorCase{"EnabledNotABoolean", "admin:\n  enabled: yes\n",
                       "proxy.yaml:2:12: admin.enabled: expected true or false, got \"yes\""},
        AdminErrorCase{"EmptyAddress", "admin:\n  address: \"\"\n",
                       "proxy.yaml:2:12: admin.address: must not be empty"},
        AdminErrorCase{"SameAsTheClientPort", "listen: { port: 6033 }\nadmin: { port: 6033 }\n",
                       "proxy.yaml:2:16: admin.port: is the port clients connect to (listen.port)"},
        AdminErrorCase{"SectionAsScalar", "admin: on\n",
                       "proxy.yaml:1:8: admin: expected a mapping, got \"on\""},
        AdminErrorCase{"DrainNotADuration", "timeouts:\n  drain: soon\n",
                       "proxy.yaml:2:10: timeouts.drain: expected a duration such as 500ms or 2s, got "
                       "\"soon\""}));

TEST(AdminConfig, ADisabledAdminServerIsNotChecked) {
  // Off, its port may be anything valid, even the client port.
  EXPECT_FALSE(load_head("listen: { port: 6033 }\nadmin: { enabled: false, port: 6033 }\n").admin.enabled);
}

TEST(AdminConfig, ValidateCatchesACodeBuiltConfig) {
  Config config = load_head("");
  config.admin.port = 0;
  auto valid = validate_config(config);
  ASSERT_FALSE(valid);
  EXPECT_EQ(valid.error().message, "proxy.yaml: admin.port: must be 1..65535, got 0");
  config.admin.port = 9180;
  config.timeouts.drain = kMaxTimeout + 1ms;
  valid = validate_config(config);
  ASSERT_FALSE(valid);
  EXPECT_NE(valid.error().message.find("timeouts.drain: must be 0.."), std::string::npos) << valid.error().message;
}

}  // namespace
}  // namespace mysqlproxy::config
