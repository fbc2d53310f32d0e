#pragma once
// Scrape-time metrics of things the proxy keeps anyway: backend states, roles, lag and health
// checks from the pool snapshot; connection counts from the pools; client sessions.
#include <cstdint>
#include <functional>
#include <memory>

#include "proxy/backend/backend_pool.hpp"
#include "proxy/health/pool_snapshot.hpp"
#include "proxy/metrics/metrics.hpp"

namespace mysqlproxy::proxy {

struct PoolCollectorSource {
  std::function<std::shared_ptr<const PoolSnapshot>()> snapshot;
  std::function<BackendConnections(std::uint32_t backend_id)> connections;
  std::function<std::int64_t()> active_clients;
  std::function<std::uint64_t()> split_brain_detected;
  std::function<bool()> draining;
};

void add_pool_collector(metrics::Registry& registry, PoolCollectorSource source);

}  // namespace mysqlproxy::proxy
