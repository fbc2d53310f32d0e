#pragma once
// The proxy's own metrics, registered once in a process-wide registry. Code on the hot path
// keeps references (or a worker's QueryCounters) and only increments; values that exist anyway
// (pool sizes, backend states) are read by collectors at scrape time.
#include <array>
#include <string>
#include <cstdint>
#include <string_view>
#include <vector>

#include "proxy/metrics/metrics.hpp"
#include "proxy/routing/router.hpp"
#include "proxy/session/login_failure.hpp"
#include "proxy/session/session_state.hpp"

namespace mysqlproxy::proxy {

// Why the proxy answered a client with an error of its own (the errors_total label).
enum class ErrorKind : std::uint8_t {
  kBackendLost,         // a backend connection broke under a command
  kBackendUnreachable,  // no connection could be opened
  kNoBackend,           // nothing to route to (no primary, no replica and no fallback)
  kPoolTimeout,         // every connection busy for pool.acquire_timeout
  kPrimaryMoved,        // a transaction lived on a primary that was demoted
  kProtocol,            // a malformed or refused client packet
  kQueryTimeout,        // timeouts.query: the kill did not end the statement, its connection was closed
  kCount,
};
std::string_view to_string(ErrorKind k) noexcept;

// Buckets of mysql_proxy_pool_wait_seconds: 50 µs to 5 s (most leases don't wait at all).
inline const std::vector<double> kPoolWaitBuckets{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                  0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
                                                  0.5,     1,      2.5,     5};

struct ProxyMetrics {
  ProxyMetrics();

  metrics::Registry registry;
  metrics::Family<metrics::Counter>& queries;           // backend, role, reason
  metrics::Family<metrics::Histogram>& query_duration;  // role
  std::array<metrics::Histogram*, 2> query_duration_by_role{};  // [0] replica, [1] primary
  metrics::Counter& read_retries;
  metrics::Counter& query_timeouts_killed;  // query_timeouts_total{action="kill"}
  metrics::Counter& query_timeouts_closed;  // {action="close"}
  metrics::Counter& client_stalls;          // sessions closed after timeouts.client_stall
  metrics::Counter& statements_abandoned;   // in flight on a backend that went DOWN
  std::array<metrics::Counter*, static_cast<std::size_t>(ErrorKind::kCount)> errors{};
  metrics::Counter& clients_accepted;
  metrics::Family<metrics::Counter>& clients_rejected;  // reason
  metrics::Family<metrics::Counter>& client_logins;     // tls, method
  metrics::Counter& rejected_max_connections;       // clients_rejected{reason="max_connections"}
  metrics::Counter& rejected_max_user_connections;  // {reason="max_user_connections"}
  metrics::Counter& rejected_login_throttled;       // {reason="login_throttled"}
  metrics::Counter& rejected_pending_logins;        // {reason="max_pending_logins"}
  // Failed logins (COM_CHANGE_USER included) by reason; [kNone] stays unused.
  std::array<metrics::Counter*, static_cast<std::size_t>(LoginFailure::kCount)> login_failures{};
  metrics::Counter& logins_throttled;  // login attempts refused because their source is blocked
  metrics::Counter& login_blocks;      // sources blocked
  metrics::Counter& client_bytes_received;
  metrics::Counter& client_bytes_sent;
  metrics::Counter& consistency_waits;
  metrics::Counter& consistency_hits;
  metrics::Counter& consistency_fallbacks;
  metrics::Histogram& consistency_wait_duration;
  metrics::Histogram& pool_wait;  // waits for a pooled connection or slot (BackendPool)
  std::array<metrics::Counter*, static_cast<std::size_t>(PinReason::kCount)> pins{};
  metrics::Family<metrics::Counter>& failover_events;      // kind, outcome
  metrics::Family<metrics::Histogram>& failover_duration;  // kind (completed ones)
  metrics::Counter& reloads_succeeded;
  metrics::Counter& reloads_failed;
  metrics::Gauge& last_reload_success;  // unix time

  // Statements routed to the backend so far, all roles and reasons (for the admin API: it takes
  // the family's lock, so not for the hot path).
  [[nodiscard]] std::uint64_t queries_routed_to(std::string_view backend) const;
};

// Buckets of mysql_proxy_failover_duration_seconds: 50 ms to 60 s.
inline const std::vector<double> kFailoverBuckets{0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60};

// The process's metrics (created on first use).
ProxyMetrics& proxy_metrics();

inline void count_error(ErrorKind k) noexcept { proxy_metrics().errors[static_cast<std::size_t>(k)]->inc(); }
inline void count_login_failure(LoginFailure f) noexcept {
  proxy_metrics().login_failures[static_cast<std::size_t>(f)]->inc();
}

// A worker's handles on mysql_proxy_queries_total, by backend id, role and reason: one lookup
// in a flat table per statement instead of a label search under a lock.
class QueryCounters {
 public:
  metrics::Counter& at(std::uint32_t backend_id, std::string_view backend, bool primary, RouteReason reason);

 private:
  static constexpr std::size_t kReasons = 16;
  struct Entry {
    metrics::Counter* counter = nullptr;
    std::string backend;  // a discovered backend's name may change: then a new series
  };
  std::vector<Entry> table_;  // [id][role][reason]
};

}  // namespace mysqlproxy::proxy
