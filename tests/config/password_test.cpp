// The three password sources, through the loader.
#include <gtest/gtest.h>

#include <stdlib.h>  // setenv, unsetenv

#include <string>

#include "config/load.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using test_support::error_of;
using test_support::kBackends;
using test_support::TempDir;

constexpr const char* kVar = "MYSQLPROXY_CONFIG_TEST_PASSWORD";

class LoadPassword : public testing::Test {
 protected:
  void SetUp() override { unsetenv(kVar); }
  void TearDown() override { unsetenv(kVar); }

  // Loads a config whose only user is `user_yaml` (a flow mapping).
  static Result<Config> load_user(const std::string& user_yaml) {
    return load_config_text("users:\n  - " + user_yaml + "\n" + std::string(kBackends),
                            "proxy.yaml");
  }

  static std::string password_of(const Result<Config>& result) {
    EXPECT_TRUE(result) << error_of(result);
    return result && !result->users.empty() ? result->users[0].password : "<none>";
  }

  TempDir dir_;
};

TEST_F(LoadPassword, ReadsAnInlinePassword) {
  EXPECT_EQ(password_of(load_user("{ name: app, password: app-pass }")), "app-pass");
}

TEST_F(LoadPassword, KeepsAnInlinePasswordVerbatim) {
  EXPECT_EQ(password_of(load_user("{ name: app, password: \"  sp ace#\\n\" }")), "  sp ace#\n");
  EXPECT_EQ(password_of(load_user("{ name: app, password: 12345 }")), "12345");
}

TEST_F(LoadPassword, ReadsPasswordFromEnvironment) {
  setenv(kVar, "from-env", 1);
  EXPECT_EQ(password_of(load_user("{ name: app, password_env: " + std::string(kVar) + " }")),
            "from-env");
}

TEST_F(LoadPassword, AcceptsAnEnvironmentVariableThatIsSetButEmpty) {
  setenv(kVar, "", 1);
  EXPECT_EQ(password_of(load_user("{ name: app, password_env: " + std::string(kVar) + " }")), "");
}

TEST_F(LoadPassword, RejectsUnsetEnvironmentVariable) {
  EXPECT_EQ(error_of(load_user("{ name: app, password_env: " + std::string(kVar) + " }")),
            "proxy.yaml:2:32: users[0].password_env: environment variable "
            "\"MYSQLPROXY_CONFIG_TEST_PASSWORD\" is not set");
}

TEST_F(LoadPassword, ReadsPasswordFileStrippingOneTrailingNewline) {
  std::string path = dir_.write("secret", "from-file\n");
  EXPECT_EQ(password_of(load_user("{ name: app, password_file: " + path + " }")), "from-file");
}

TEST_F(LoadPassword, StripsATrailingCarriageReturnNewline) {
  std::string path = dir_.write("secret", "from-file\r\n");
  EXPECT_EQ(password_of(load_user("{ name: app, password_file: " + path + " }")), "from-file");
}

TEST_F(LoadPassword, StripsOnlyOneTrailingNewline) {
  std::string path = dir_.write("secret", "pw\n\n");
  EXPECT_EQ(password_of(load_user("{ name: app, password_file: " + path + " }")), "pw\n");
}

TEST_F(LoadPassword, ReadsPasswordFileWithoutNewlineAsIs) {
  std::string path = dir_.write("secret", " pw with spaces ");
  EXPECT_EQ(password_of(load_user("{ name: app, password_file: '" + path + "' }")),
            " pw with spaces ");
}

TEST_F(LoadPassword, RejectsMissingPasswordFile) {
  EXPECT_EQ(error_of(load_user("{ name: app, password_file: /nonexistent/mysqlproxy-secret }")),
            "proxy.yaml:2:33: users[0].password_file: cannot read "
            "\"/nonexistent/mysqlproxy-secret\": No such file or directory");
}

TEST_F(LoadPassword, RejectsPasswordFileThatIsADirectory) {
  std::string path = dir_.path().string();
  EXPECT_EQ(
      error_of(load_user("{ name: app, password_file: " + path + " }")),
      "proxy.yaml:2:33: users[0].password_file: cannot read \"" + path + "\": Is a directory");
}

TEST_F(LoadPassword, RejectsPasswordEnvTogetherWithPassword) {
  setenv(kVar, "from-env", 1);
  EXPECT_EQ(
      error_of(load_user("{ name: app, password_env: " + std::string(kVar) + ", password: x }")),
      "proxy.yaml:2:65: users[0].password: conflicts with password_env (set exactly one "
      "of password, password_env, password_file)");
}

TEST_F(LoadPassword, NeverPutsThePasswordInAnError) {
  auto result = load_config_text("users:\n  - { name: app, password: hunter2, passwrd: x }\n" +
                                 std::string(kBackends));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message.find("hunter2"), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace mysqlproxy::config
