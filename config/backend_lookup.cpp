#include "config/backend_lookup.hpp"

namespace mysqlproxy::config {

const BackendConfig* entry_of(const Config& cfg, std::string_view backend_name) noexcept {
  const std::string_view name = backend_name.substr(0, backend_name.find('/'));
  for (const BackendConfig& b : cfg.backends) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

}  // namespace mysqlproxy::config
