#pragma once
// Configuration errors are values: one message for the operator that already names source,
// line, column and field path, carried in Result<T>. Nothing in config/ throws.
#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mysqlproxy::config {

struct ConfigError {
  std::string message;  // "<source>:<line>:<col>: <path>: <reason>"
};

template <class T>
using Result = boost::system::result<T, ConfigError>;

// C++20 can build ConfigError from a std::string (parenthesized aggregate init), which disables
// Result<std::string>'s implicit value constructor: a string value has to say which side it is on.
inline Result<std::string> string_result(std::string value) {
  return Result<std::string>(boost::system::in_place_value, std::move(value));
}

// boost::system::result calls this (found by ADL) when value() is used on an error; it only
// ships overloads for error_code-like types.
[[noreturn]] void throw_exception_from_error(const ConfigError& error,
                                             const boost::source_location& location);

// A position in the YAML text, 1-based (YAML::Mark is 0-based).
struct Location {
  int line = 0;
  int column = 0;
};

// Builds "<source>:<line>:<col>: <path>: <reason>", leaving out whatever is unknown or empty
// (a Config built in code has no lines; a whole-file problem has no path).
ConfigError make_error(std::string_view source, std::optional<Location> at, std::string_view path,
                       std::string_view reason);

}  // namespace mysqlproxy::config
