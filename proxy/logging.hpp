#pragma once
// Logging: spdlog set up from the config, and a session tag so every line of a session carries
// its id.
#include <cstdint>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "config/config.hpp"

namespace mysqlproxy::proxy {

void setup_logging(const config::LoggingConfig& cfg);

// A message as the log writes it. Whatever a client chose (a user name, a database, SQL) cannot
// forge a line or break the JSON: text escapes backslashes and control characters (\\, \x0a);
// JSON escapes '"', backslashes and control characters (\u000a).
[[nodiscard]] std::string escape_log_text(std::string_view text, config::LogFormat format);

// Prefixes each line with "[s<id>]". Cheap to copy; formats only when the level is enabled.
class SessionLog {
 public:
  explicit SessionLog(std::uint64_t id) noexcept : id_(id) {}
  template <class... Args>
  void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    log(spdlog::level::debug, fmt, std::forward<Args>(args)...);
  }
  template <class... Args>
  void info(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    log(spdlog::level::info, fmt, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    log(spdlog::level::warn, fmt, std::forward<Args>(args)...);
  }
  [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

 private:
  template <class... Args>
  void log(spdlog::level::level_enum lvl, spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    auto* logger = spdlog::default_logger_raw();
    if (!logger->should_log(lvl)) return;
    logger->log(lvl, "[s{}] {}", id_, fmt::format(fmt, std::forward<Args>(args)...));
  }
  std::uint64_t id_;
};

}  // namespace mysqlproxy::proxy
