#include "proxy/backend/extended_caps.hpp"

#include <algorithm>

namespace mysqlproxy::proxy {
namespace {

bool belongs_to(std::string_view seen, std::string_view configured) {
  if (!seen.starts_with(configured)) return false;
  return seen.size() == configured.size() || seen[configured.size()] == '/';
}

bool is_configured(std::string_view seen, const config::Config& cfg) {
  return std::any_of(cfg.backends.begin(), cfg.backends.end(),
                     [&](const config::BackendConfig& b) { return belongs_to(seen, b.name); });
}

}  // namespace

std::uint32_t presented_extended_caps(const ServerIdentity& identity, const config::Config& cfg) {
  std::uint32_t caps = kProxyExtendedCaps;
  bool any = false;
  for (const BackendExtendedCaps& b : identity.extended_caps) {
    if (!is_configured(b.backend, cfg)) continue;  // dropped by a reload
    caps &= b.caps;
    any = true;
  }
  return any ? caps : 0;
}

bool note_extended_caps(std::vector<BackendExtendedCaps>& seen, std::string_view backend, std::uint32_t caps) {
  for (BackendExtendedCaps& b : seen) {
    if (b.backend != backend) continue;
    if (b.caps == caps) return false;
    b.caps = caps;
    return true;
  }
  seen.push_back(BackendExtendedCaps{std::string(backend), caps});
  return true;
}

}  // namespace mysqlproxy::proxy
