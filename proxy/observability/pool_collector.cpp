#include "proxy/observability/pool_collector.hpp"

#include <array>
#include <string>

#include "proxy/health/state_names.hpp"

namespace mysqlproxy::proxy {
namespace {

using metrics::CollectedFamily;
using metrics::MetricType;

constexpr std::array kStates = {BackendState::kUp, BackendState::kLagging, BackendState::kDown,
                                BackendState::kDraining};


CollectedFamily family(std::string name, std::string help, MetricType type = MetricType::kGauge) {
  return CollectedFamily{std::move(name), std::move(help), type, {}};
}

void add(CollectedFamily& f, metrics::Labels labels, double value) { f.samples.push_back({std::move(labels), value}); }

}  // namespace

void add_pool_collector(metrics::Registry& registry, PoolCollectorSource source) {
  registry.add_collector([source = std::move(source)](std::vector<CollectedFamily>& out) {
    const auto snap = source.snapshot();
    auto state = family("mysql_proxy_backend_state", "1 for the state each backend is in (up, lagging, down, draining).");
    auto primary = family("mysql_proxy_backend_primary", "1 for the backend taking writes.");
    auto lag = family("mysql_proxy_backend_replication_lag_seconds", "Replication lag measured by the health monitor.");
    auto check = family("mysql_proxy_backend_health_check_duration_seconds", "Duration of the latest health check.");
    auto checks = family("mysql_proxy_backend_health_checks_total", "Health checks run.", MetricType::kCounter);
    auto failures = family("mysql_proxy_backend_health_check_failures_total",
                           "Health checks that failed (unreachable, timed out, refused).", MetricType::kCounter);
    auto open = family("mysql_proxy_backend_connections_open", "Backend connections open, over all workers.");
    auto in_use = family("mysql_proxy_backend_connections_in_use", "Backend connections leased to a session.");
    auto idle = family("mysql_proxy_backend_connections_idle", "Backend connections pooled and idle.");
    for (const BackendStatus& b : snap->backends) {
      for (const BackendState s : kStates) add(state, {{"backend", b.name}, {"state", std::string(state_label(s))}}, b.state == s);
      add(primary, {{"backend", b.name}}, snap->primary_status() == &b);
      if (b.lag_seconds) add(lag, {{"backend", b.name}}, *b.lag_seconds);
      add(check, {{"backend", b.name}}, static_cast<double>(b.check_duration.count()) / 1e6);
      add(checks, {{"backend", b.name}}, static_cast<double>(b.checks));
      add(failures, {{"backend", b.name}}, static_cast<double>(b.checks_failed));
      const BackendConnections c = source.connections(b.id);
      add(open, {{"backend", b.name}}, c.open);
      add(in_use, {{"backend", b.name}}, c.in_use);
      add(idle, {{"backend", b.name}}, c.idle);
    }
    auto fallback = family("mysql_proxy_reads_fallback_to_primary", "1 while no replica can take reads.");
    add(fallback, {}, snap->reads_fall_back_to_primary);
    auto split = family("mysql_proxy_split_brain_detected_total",
                        "Checks that found a second writable backend (the current primary was kept).",
                        MetricType::kCounter);
    add(split, {}, static_cast<double>(source.split_brain_detected()));
    auto clients = family("mysql_proxy_client_connections_active", "Client sessions logged in.");
    add(clients, {}, static_cast<double>(source.active_clients()));
    auto draining = family("mysql_proxy_draining", "1 while shutting down (not ready, sessions finishing).");
    add(draining, {}, source.draining());
    for (auto* f : {&state, &primary, &lag, &check, &checks, &failures, &open, &in_use, &idle, &fallback, &split,
                    &clients, &draining}) {
      out.push_back(std::move(*f));
    }
  });
}

}  // namespace mysqlproxy::proxy
