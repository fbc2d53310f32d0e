#pragma once
// The proxy's configuration schema: plain structs whose member defaults are the documented
// defaults (config/README.md). load_config_file() fills them from YAML and validates them.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlproxy::config {

enum class BackendRole { kPrimary, kReplica };
enum class LogFormat { kText, kJson };

std::string_view to_string(BackendRole role) noexcept;
std::string_view to_string(LogFormat format) noexcept;

// Limits shared by the loader (per-field ranges) and validate_config().
inline constexpr std::uint32_t kMaxBackendWeight = 1000;
inline constexpr std::uint32_t kMaxWorkers = 1024;
inline constexpr std::uint32_t kMinPacketSize = 1u << 10;  // 1 KiB
inline constexpr std::uint32_t kMaxPacketSize = 1u << 30;  // 1 GiB
// Caps every timeout so deadline arithmetic (now() + timeout in nanoseconds) cannot overflow.
inline constexpr std::chrono::milliseconds kMaxTimeout = std::chrono::hours(24 * 365);
// spdlog's level names.
inline constexpr std::array<std::string_view, 7> kLogLevels = {
    "trace", "debug", "info", "warn", "error", "critical", "off",
};

struct ListenConfig {
  std::string address = "0.0.0.0";
  std::uint16_t port = 3306;
};

struct BackendConfig {
  std::string name;
  std::string host;
  std::uint16_t port = 3306;
  BackendRole role = BackendRole::kReplica;
  std::uint32_t weight = 1;  // share of reads among replicas, 0..1000; 0 = never picked for reads
};

struct UserConfig {
  std::string name;
  std::string password;  // already resolved from password / password_env / password_file
};

struct TimeoutsConfig {
  // Backend TCP connect + login.
  std::chrono::milliseconds connect = std::chrono::seconds(2);
  // A client must finish its login within this.
  std::chrono::milliseconds handshake = std::chrono::seconds(10);
  // Close an idle client session; 0 = never.
  std::chrono::milliseconds idle = std::chrono::hours(8);
  // Longest wait for a backend's answer; 0 = no limit.
  std::chrono::milliseconds query = std::chrono::milliseconds(0);
};

struct LoggingConfig {
  std::string level = "info";  // one of kLogLevels
  LogFormat format = LogFormat::kText;
};

struct Config {
  ListenConfig listen;
  std::uint32_t workers = 0;                  // 0 = one per core
  std::string server_version;                 // advertised to clients; empty = take the primary's
  std::uint32_t max_packet_size = 64u << 20;  // bytes, largest packet accepted (1 KiB .. 1 GiB)
  std::vector<BackendConfig> backends;
  std::vector<UserConfig> users;
  TimeoutsConfig timeouts;
  LoggingConfig logging;
  std::string source;  // file path (or source name) it was loaded from; prefixes error messages
};

// nullptr if no user has that name.
const UserConfig* find_user(const Config& config, std::string_view name);
// The backend with role primary; nullptr only for a Config that has not passed validation.
const BackendConfig* primary_backend(const Config& config);

}  // namespace mysqlproxy::config
