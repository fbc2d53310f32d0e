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

std::string_view to_string(Consistency consistency) noexcept {
  switch (consistency) {
    case Consistency::kEventual:
      return "eventual";
    case Consistency::kSession:
      return "session";
    case Consistency::kGlobal:
      return "global";
  }
  return "unknown";
}

std::string_view to_string(PoolMode mode) noexcept {
  switch (mode) {
    case PoolMode::kStatement:
      return "statement";
    case PoolMode::kSession:
      return "session";
  }
  return "unknown";
}

PoolMode user_pool_mode(const PoolConfig& pool, const UserConfig& user) noexcept {
  return user.pool_mode.value_or(pool.mode);
}

std::string_view to_string(AuthPlugin plugin) noexcept {
  switch (plugin) {
    case AuthPlugin::kNativePassword:
      return "mysql_native_password";
    case AuthPlugin::kCachingSha2Password:
      return "caching_sha2_password";
  }
  return "unknown";
}

std::string_view to_string(BackendTlsMode mode) noexcept {
  switch (mode) {
    case BackendTlsMode::kDisabled:
      return "disabled";
    case BackendTlsMode::kRequired:
      return "required";
    case BackendTlsMode::kVerifyCa:
      return "verify_ca";
    case BackendTlsMode::kVerifyIdentity:
      return "verify_identity";
  }
  return "unknown";
}

std::string_view to_string(TlsVersion version) noexcept {
  switch (version) {
    case TlsVersion::kTls12:
      return "TLSv1.2";
    case TlsVersion::kTls13:
      return "TLSv1.3";
  }
  return "unknown";
}

const UserConfig* find_user(const Config& config, std::string_view name) {
  auto it = std::ranges::find(config.users, name, &UserConfig::name);
  return it == config.users.end() ? nullptr : &*it;
}

std::uint32_t user_connection_limit(const LimitsConfig& limits, const UserConfig& user) noexcept {
  return user.max_connections.value_or(limits.max_user_connections);
}

bool compress_backend(const CompressionConfig& compression, const BackendConfig& backend) noexcept {
  return backend.compress.value_or(compression.backends);
}

const BackendConfig* primary_backend(const Config& config) {
  auto it = std::ranges::find(config.backends, BackendRole::kPrimary, &BackendConfig::role);
  return it == config.backends.end() ? nullptr : &*it;
}

bool is_plain_table_name(std::string_view name) noexcept {
  auto is_identifier = [](std::string_view part) {
    if (part.empty() || part.size() > 64) return false;  // MySQL's identifier length limit
    return std::ranges::all_of(part, [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '$';
    });
  };
  std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return is_identifier(name);
  return is_identifier(name.substr(0, dot)) && is_identifier(name.substr(dot + 1));
}

}  // namespace mysqlproxy::config

namespace mysqlproxy::config {

bool is_native_password_hash(std::string_view password) noexcept {
  if (password.size() != 41 || password[0] != '*') return false;
  return std::ranges::all_of(password.substr(1), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

}  // namespace mysqlproxy::config
