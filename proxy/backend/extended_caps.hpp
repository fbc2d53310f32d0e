#pragma once
// Which MariaDB extended capabilities the proxy presents to clients. A client that negotiated
// extended metadata misparses a column definition without its extra block, and any backend may
// answer its reads, so a bit is presented only when every configured backend seen offers it.
#include <cstdint>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "proxy/backend/server_identity.hpp"

namespace mysqlproxy::proxy {

// The bits of kProxyExtendedCaps that every seen backend of `cfg` offers; 0 while none is seen.
// A discovered endpoint "<name>/<address>" counts for the configured backend <name>.
[[nodiscard]] std::uint32_t presented_extended_caps(const ServerIdentity& identity, const config::Config& cfg);

// `seen` with the entry for `backend` set to `caps` (added if new). False when nothing changed.
bool note_extended_caps(std::vector<BackendExtendedCaps>& seen, std::string_view backend, std::uint32_t caps);

}  // namespace mysqlproxy::proxy
