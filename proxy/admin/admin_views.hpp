#pragma once
// What the admin API shows, as JSON: the pool (GET /api/v1/pool), client connections against
// their limits (GET /api/v1/clients) and the effective config with secrets redacted
// (GET /api/v1/config). Pure: values in, JSON out.
#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/failover/failover_status.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy::admin {

// Connections and traffic of one backend, summed over the workers.
struct BackendUsage {
  BackendConnections connections;
  std::uint64_t queries = 0;  // statements routed to it
};

using UsageOf = std::function<BackendUsage(const BackendStatus&)>;

// Client connections, per-user sessions and the failed-login table, as GET /api/v1/clients shows them.
struct ClientsStatus {
  struct User {
    std::string name;
    std::uint32_t sessions = 0;
    std::uint32_t max_connections = 0;  // 0 = no limit
    bool configured = true;             // false: removed by a reload, sessions still open
  };
  struct Source {
    std::string source;  // "10.0.0.7" or "2001:db8:1:2::/64"
    std::uint32_t failures = 0;
    std::optional<double> blocked_for_seconds;
  };
  std::uint32_t open = 0;       // connections, logins in progress included
  std::int64_t logged_in = 0;   // sessions
  std::uint32_t max_client_connections = 0;
  std::uint32_t max_user_connections = 0;
  std::vector<User> users;
  std::vector<std::pair<std::string, std::uint64_t>> rejected;  // reason -> connections refused
  bool throttle_enabled = false;
  std::uint32_t login_failures = 0;
  double login_failure_window_seconds = 0;
  double login_block_seconds = 0;
  std::size_t tracked_sources = 0;
  std::size_t throttle_capacity = 0;
  std::vector<Source> sources;  // blocked first; at most kMaxListedSources
};
inline constexpr std::size_t kMaxListedSources = 100;

boost::json::object pool_view(const PoolSnapshot& snapshot, const UsageOf& usage);
// The "failover" member of /api/v1/pool: automatic or not, whether this proxy holds the lock
// (acting), the recent events and the servers kept out as diverged.
boost::json::object failover_view(const FailoverStatus& status);
boost::json::object clients_view(const ClientsStatus& status);
boost::json::object config_view(const config::Config& cfg);

inline constexpr const char* kRedacted = "<redacted>";

}  // namespace mysqlproxy::proxy::admin
