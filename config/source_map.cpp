#include "config/source_map.hpp"

namespace mysqlproxy::config {

void SourceMap::add(std::string path, Location at) { locations_.try_emplace(std::move(path), at); }

std::optional<Location> SourceMap::find(std::string_view path) const {
  while (true) {
    if (auto it = locations_.find(path); it != locations_.end()) return it->second;
    if (path.empty()) return std::nullopt;
    path = parent_path(path);
  }
}

std::string_view parent_path(std::string_view path) noexcept {
  auto cut = path.find_last_of(".[");
  return cut == std::string_view::npos ? std::string_view{} : path.substr(0, cut);
}

}  // namespace mysqlproxy::config
