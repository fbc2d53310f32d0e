#pragma once
// SourceMap: where each field path ("backends[1].role") was written in the YAML text, so checks
// that run after conversion (validate_config) can still point the operator at a line.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/error.hpp"

namespace mysqlproxy::config {

class SourceMap {
 public:
  // Records `path` at `at`; the first record for a path wins.
  void add(std::string path, Location at);

  // The location of `path`, else of its nearest recorded ancestor
  // ("backends[1].role" -> "backends[1]" -> "backends" -> ""); nullopt if none is recorded.
  [[nodiscard]] std::optional<Location> find(std::string_view path) const;

  [[nodiscard]] bool empty() const noexcept { return locations_.empty(); }

 private:
  std::map<std::string, Location, std::less<>> locations_;
};

// "backends[1].role" -> "backends[1]" -> "backends" -> "".
std::string_view parent_path(std::string_view path) noexcept;

}  // namespace mysqlproxy::config
