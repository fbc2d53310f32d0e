#include "config/config.hpp"

#include <algorithm>

namespace mysqlproxy::config {

std::string_view to_string(BackendRole role) noexcept {
  switch (role) {
    case BackendRole::kPrimary:
      return "primary";
    case BackendRole::kReplica:
      return "replica";
  }
  return "unknown";
}

std::string_view to_string(LogFormat format) noexcept {
  switch (format) {
    case LogFormat::kText:
      return "text";
    case LogFormat::kJson:
      return "json";
  }
  return "unknown";
}

const UserConfig* find_user(const Config& config, std::string_view name) {
  auto it = std::ranges::find(config.users, name, &UserConfig::name);
  return it == config.users.end() ? nullptr : &*it;
}

const BackendConfig* primary_backend(const Config& config) {
  auto it = std::ranges::find(config.backends, BackendRole::kPrimary, &BackendConfig::role);
  return it == config.backends.end() ? nullptr : &*it;
}

}  // namespace mysqlproxy::config
