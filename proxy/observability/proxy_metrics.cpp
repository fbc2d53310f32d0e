#include "proxy/observability/proxy_metrics.hpp"

#include <chrono>
#include <string>

#include "proxy/net/io_backend.hpp"

namespace mysqlproxy::proxy {
namespace {

using metrics::Counter;

std::string_view role_label(bool primary) { return primary ? "primary" : "replica"; }

}  // namespace

std::string_view to_string(ErrorKind k) noexcept {
  switch (k) {
    case ErrorKind::kBackendLost: return "backend_lost";
    case ErrorKind::kBackendUnreachable: return "backend_unreachable";
    case ErrorKind::kNoBackend: return "no_backend";
    case ErrorKind::kPoolTimeout: return "pool_timeout";
    case ErrorKind::kPrimaryMoved: return "primary_moved";
    case ErrorKind::kProtocol: return "protocol";
    case ErrorKind::kQueryTimeout: return "query_timeout";
    case ErrorKind::kCount: break;
  }
  return "unknown";
}

ProxyMetrics::ProxyMetrics()
    : queries(registry.counter("mysql_proxy_queries_total",
                               "Statements routed, by backend, the role it had and the routing reason.",
                               {"backend", "role", "reason"})),
      query_duration(registry.histogram("mysql_proxy_query_duration_seconds",
                                        "Time from routing a statement to the end of its answer, by role.",
                                        metrics::kLatencyBuckets, {"role"})),
      read_retries(registry
                       .counter("mysql_proxy_read_retries_total",
                                "Reads retried on another backend after theirs failed before answering.")
                       .with({})),
      query_timeouts_killed(registry
                                .counter("mysql_proxy_query_timeouts_total",
                                         "Statements whose backend sent nothing for timeouts.query, by what the proxy "
                                         "did: kill (KILL QUERY sent), close (the kill did not end it in time).",
                                         {"action"})
                                .with({"kill"})),
      query_timeouts_closed(registry.counter("mysql_proxy_query_timeouts_total", "", {"action"}).with({"close"})),
      client_stalls(registry
                        .counter("mysql_proxy_client_stalls_total",
                                 "Sessions closed because the client took none of an answer (or sent none of its "
                                 "LOCAL INFILE data) for timeouts.client_stall.")
                        .with({})),
      statements_abandoned(registry
                               .counter("mysql_proxy_statements_abandoned_total",
                                        "Statements in flight on a backend when the health monitor marked it DOWN: "
                                        "its connection closed, an autocommit read retried elsewhere, anything else "
                                        "answered with ERR 1158.")
                               .with({})),
      clients_accepted(registry.counter("mysql_proxy_client_connections_accepted_total",
                                        "Client connections accepted.")
                           .with({})),
      clients_rejected(registry.counter("mysql_proxy_client_connections_rejected_total",
                                        "Client connections that did not get logged in, by reason.", {"reason"})),
      client_logins(registry.counter("mysql_proxy_client_logins_total",
                                     "Successful client logins (and COM_CHANGE_USER), by TLS use and how the password "
                                     "was checked: native, sha2_fast, sha2_full_tls or sha2_full_rsa.",
                                     {"tls", "method"})),
      rejected_max_connections(clients_rejected.with({"max_connections"})),
      rejected_max_user_connections(clients_rejected.with({"max_user_connections"})),
      rejected_login_throttled(clients_rejected.with({"login_throttled"})),
      rejected_pending_logins(clients_rejected.with({"max_pending_logins"})),
      logins_throttled(registry
                           .counter("mysql_proxy_logins_throttled_total",
                                    "Login attempts refused because their source address is blocked after failed logins.")
                           .with({})),
      login_blocks(registry
                       .counter("mysql_proxy_login_blocks_total",
                                "Times a source address was blocked after too many failed logins.")
                       .with({})),
      client_bytes_received(
          registry.counter("mysql_proxy_client_received_bytes_total", "Bytes received from clients.").with({})),
      client_bytes_sent(registry.counter("mysql_proxy_client_sent_bytes_total", "Bytes sent to clients.").with({})),
      consistency_waits(registry
                            .counter("mysql_proxy_consistency_waits_total",
                                     "Reads that waited for a replica to apply a write (read-your-writes).")
                            .with({})),
      consistency_hits(registry
                           .counter("mysql_proxy_consistency_hits_total",
                                    "Reads sent to a replica already known to have the write they need.")
                           .with({})),
      consistency_fallbacks(registry
                                .counter("mysql_proxy_consistency_fallbacks_total",
                                         "Reads sent to the primary because no replica caught up in time.")
                                .with({})),
      consistency_wait_duration(registry
                                    .histogram("mysql_proxy_consistency_wait_seconds",
                                               "How long reads waited for a replica to catch up.",
                                               metrics::kLatencyBuckets)
                                    .with({})),
      pool_wait(registry
                    .histogram("mysql_proxy_pool_wait_seconds",
                               "How long acquiring a backend connection waited for a free connection or slot "
                               "(pool.max_connections_per_backend reached); 0 when it did not wait.",
                               kPoolWaitBuckets)
                    .with({})),
      failover_events(registry.counter(
          "mysql_proxy_failover_events_total",
          "Failovers, fencings and rejoins this proxy attempted, by kind (failover, fence, rejoin) and outcome "
          "(done, failed, refused: no majority, no candidate, or the primary still seen by a replica).",
          {"kind", "outcome"})),
      failover_duration(registry.histogram("mysql_proxy_failover_duration_seconds",
                                           "From the decision to the end of a completed failover, fencing or rejoin.",
                                           kFailoverBuckets, {"kind"})),
      reloads_succeeded(registry
                            .counter("mysql_proxy_config_reloads_total", "Configuration reloads, by result.",
                                     {"result"})
                            .with({"success"})),
      reloads_failed(registry.counter("mysql_proxy_config_reloads_total", "", {"result"}).with({"failure"})),
      last_reload_success(registry
                              .gauge("mysql_proxy_config_last_reload_success_timestamp_seconds",
                                     "When the configuration was last loaded successfully (unix time).")
                              .with({})) {
  query_duration_by_role[0] = &query_duration.with({"replica"});
  query_duration_by_role[1] = &query_duration.with({"primary"});
  auto& errors_family = registry.counter("mysql_proxy_errors_total",
                                         "Errors the proxy answered clients with itself, by kind.", {"kind"});
  for (std::size_t i = 0; i < errors.size(); ++i) {
    errors[i] = &errors_family.with({to_string(static_cast<ErrorKind>(i))});
  }
  auto& failures_family = registry.counter(
      "mysql_proxy_login_failures_total",
      "Failed logins and COM_CHANGE_USERs: wrong_password, unknown_user, bad_handshake.", {"reason"});
  for (std::size_t i = 1; i < login_failures.size(); ++i) {
    login_failures[i] = &failures_family.with({to_string(static_cast<LoginFailure>(i))});
  }
  login_failures[0] = login_failures[static_cast<std::size_t>(LoginFailure::kBadHandshake)];
  auto& pins_family =
      registry.counter("mysql_proxy_session_pins_total", "Sessions pinned to one backend connection, by reason.",
                       {"reason"});
  for (std::size_t i = 0; i < pins.size(); ++i) pins[i] = &pins_family.with({to_string(static_cast<PinReason>(i))});
  registry.gauge("mysql_proxy_build_info", "The proxy's version and the kernel interface its network I/O runs on.", {"version", "io"})
      .with({MYSQLPROXY_VERSION, io_backend_name()})
      .set(1);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  last_reload_success.set(std::chrono::duration<double>(now).count());
}

std::uint64_t ProxyMetrics::queries_routed_to(std::string_view backend) const {
  std::uint64_t sum = 0;
  // Label 0 of mysql_proxy_queries_total is the backend.
  queries.for_each([&](const std::vector<std::string>& labels, const Counter& c) {
    if (labels[0] == backend) sum += c.value();
  });
  return sum;
}

ProxyMetrics& proxy_metrics() {
  static ProxyMetrics instance;
  return instance;
}

Counter& QueryCounters::at(std::uint32_t backend_id, std::string_view backend, bool primary, RouteReason reason) {
  const std::size_t index = (static_cast<std::size_t>(backend_id) * 2 + (primary ? 1 : 0)) * kReasons +
                            static_cast<std::size_t>(reason);
  if (index >= table_.size()) table_.resize(index + 1);
  Entry& e = table_[index];
  if (e.counter == nullptr || e.backend != backend) {
    e.counter = &proxy_metrics().queries.with({backend, role_label(primary), to_string(reason)});
    e.backend = std::string(backend);
  }
  return *e.counter;
}

}  // namespace mysqlproxy::proxy
