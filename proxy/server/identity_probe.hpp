#pragma once
// At start-up, reads the primary's greeting so clients see its real version and collation from
// the first connection on (drivers adapt their SQL to the version they see).
#include "config/config.hpp"
#include "proxy/backend/server_identity.hpp"

namespace mysqlproxy::proxy {

// Best effort, bounded by the connect timeout: on failure the defaults (or the config's
// server_version) stay, and the first backend login corrects them.
void probe_identity(const config::Config& cfg, ServerIdentityCell& identity);

}  // namespace mysqlproxy::proxy
