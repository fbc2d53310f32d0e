#pragma once
// Helpers shared by the config unit tests.
#include <stdlib.h>  // mkdtemp

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/load.hpp"

namespace mysqlproxy::config::test_support {

// Valid backends and users sections. Tests append them after the part they are about so the
// line numbers in expected messages stay small.
inline constexpr std::string_view kBackends =
    "backends:\n"
    "  - { name: primary, host: 127.0.0.1, role: primary }\n";
inline constexpr std::string_view kUsers =
    "users:\n"
    "  - { name: app, password: secret }\n";

inline std::string with_backends_and_users(std::string_view head) {
  return std::string(head) + std::string(kBackends) + std::string(kUsers);
}

// The error message, or "<no error>" so an unexpected success reads clearly in a failed assertion.
template <class T>
std::string error_of(const Result<T>& result) {
  return result ? std::string("<no error>") : result.error().message;
}

// Loads `yaml`, expecting success (a test failure shows the error); defaults on failure.
inline Config load_ok(const std::string& yaml) {
  auto result = load_config_text(yaml, "proxy.yaml");
  EXPECT_TRUE(result) << error_of(result);
  return result ? *result : Config{};
}

// The error of loading `head` followed by valid backends and users ("<no error>" if none).
inline std::string load_error(const std::string& head) {
  return error_of(load_config_text(with_backends_and_users(head), "proxy.yaml"));
}

// A fresh directory, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "config_test_XXXXXX").string();
    if (const char* made = mkdtemp(pattern.data())) path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // Writes `content` to `name` inside the directory and returns the full path.
  std::string write(const std::string& name, std::string_view content) const {
    std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace mysqlproxy::config::test_support
