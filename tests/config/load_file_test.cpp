#include <gtest/gtest.h>

#include <string>

#include "config/load.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using test_support::error_of;
using test_support::TempDir;
using test_support::with_backends_and_users;

TEST(LoadConfigFile, LoadsAFileAndRecordsItsPathAsSource) {
  TempDir dir;
  std::string path = dir.write("proxy.yaml", with_backends_and_users("workers: 3\n"));
  auto result = load_config_file(path);
  ASSERT_TRUE(result) << error_of(result);
  EXPECT_EQ(result->workers, 3u);
  EXPECT_EQ(result->source, path);
}

TEST(LoadConfigFile, NamesTheFileInErrors) {
  TempDir dir;
  std::string path = dir.write("proxy.yaml", with_backends_and_users("workers: many\n"));
  EXPECT_EQ(error_of(load_config_file(path)),
            path + ":1:10: workers: expected an integer 0..1024, got \"many\"");
}

TEST(LoadConfigFile, RejectsAMissingFile) {
  EXPECT_EQ(error_of(load_config_file("/nonexistent/proxy.yaml")),
            "/nonexistent/proxy.yaml: cannot read file: No such file or directory");
}

TEST(LoadConfigFile, RejectsADirectory) {
  TempDir dir;
  std::string path = dir.path().string();
  EXPECT_EQ(error_of(load_config_file(path)), path + ": cannot read file: Is a directory");
}

TEST(LoadConfigFile, ReadsARelativePasswordFileFromTheConfigFolder) {
  TempDir dir;
  dir.write("app-password", "s3cret\n");
  std::string path = dir.write("proxy.yaml",
                               "backends:\n"
                               "  - { name: primary, host: 127.0.0.1, role: primary }\n"
                               "users:\n"
                               "  - { name: app, password_file: app-password }\n");
  auto result = load_config_file(path);
  ASSERT_TRUE(result) << error_of(result);
  EXPECT_EQ(result->users.at(0).password, "s3cret");
}

TEST(LoadConfigFile, ReportsSyntaxErrorsWithLineAndColumn) {
  TempDir dir;
  std::string path = dir.write("proxy.yaml", "listen: { port: 1\n");
  auto message = error_of(load_config_file(path));
  EXPECT_EQ(message.rfind(path + ":2:1: invalid YAML: ", 0), 0u) << message;
}

}  // namespace
}  // namespace mysqlproxy::config
