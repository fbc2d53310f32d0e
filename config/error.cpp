#include "config/error.hpp"

#include <stdexcept>

namespace mysqlproxy::config {

void throw_exception_from_error(const ConfigError& error, const boost::source_location&) {
  throw std::runtime_error(error.message);
}

ConfigError make_error(std::string_view source, std::optional<Location> at, std::string_view path,
                       std::string_view reason) {
  std::string message(source);
  if (at) {
    if (!message.empty()) message += ':';
    message += std::to_string(at->line) + ':' + std::to_string(at->column);
  }
  if (!message.empty()) message += ": ";
  if (!path.empty()) {
    message += path;
    message += ": ";
  }
  message += reason;
  return ConfigError{std::move(message)};
}

}  // namespace mysqlproxy::config
