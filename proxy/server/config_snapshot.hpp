#pragma once
// The pool as the config describes it (configured roles, everything up): what sessions route by
// before any health check has run.
#include "config/config.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

[[nodiscard]] std::shared_ptr<const PoolSnapshot> snapshot_from_config(const config::Config& cfg);

}  // namespace mysqlproxy::proxy
