#pragma once
// Which config entry a backend of the pool snapshot comes from. Discovered addresses are named
// "<config name>/<address>" and take their settings (TLS, compression) from that entry.
#include <string_view>

#include "config/config.hpp"

namespace mysqlproxy::config {

// The entry named `backend_name` (or its part before '/'); null when the config no longer has it.
[[nodiscard]] const BackendConfig* entry_of(const Config& cfg, std::string_view backend_name) noexcept;

}  // namespace mysqlproxy::config
