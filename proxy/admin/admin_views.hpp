#pragma once
// What the admin API shows, as JSON: the pool (GET /api/v1/pool) and the effective config with
// secrets redacted (GET /api/v1/config). Pure: values in, JSON out.
#include <boost/json.hpp>

#include <cstdint>
#include <functional>

#include "config/config.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy::admin {

// Connections and traffic of one backend, summed over the workers.
struct BackendUsage {
  BackendConnections connections;
  std::uint64_t queries = 0;  // statements routed to it
};

using UsageOf = std::function<BackendUsage(const BackendStatus&)>;

boost::json::object pool_view(const PoolSnapshot& snapshot, const UsageOf& usage);
boost::json::object config_view(const config::Config& cfg);

inline constexpr const char* kRedacted = "<redacted>";

}  // namespace mysqlproxy::proxy::admin
