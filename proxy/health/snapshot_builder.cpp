#include "proxy/health/snapshot_builder.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

namespace mysqlproxy::proxy {

std::shared_ptr<const PoolSnapshot> build_snapshot(std::span<const EndpointView> endpoints,
                                                   std::optional<std::uint32_t> primary_id,
                                                   std::uint64_t version) {
  std::vector<const EndpointView*> order;
  for (const EndpointView& e : endpoints) order.push_back(&e);
  std::ranges::stable_sort(order, [](const EndpointView* a, const EndpointView* b) {
    return std::tie(a->config_index, a->key.address) < std::tie(b->config_index, b->key.address);
  });

  auto snapshot = std::make_shared<PoolSnapshot>();
  snapshot->version = version;
  for (const EndpointView* e : order) {
    BackendStatus& s = snapshot->backends.emplace_back();
    s.id = e->id;
    s.name = endpoint_name(e->key.backend, e->key.address, e->name_sharing);
    s.host = e->key.address;
    s.port = e->key.port;
    s.weight = e->weight;
    s.state = e->vanished ? BackendState::kDraining : e->state;
    s.checks = e->checks;
    s.checks_failed = e->checks_failed;
    bool is_primary = primary_id && e->id == *primary_id && !e->vanished;
    s.role = is_primary ? BackendRole::kPrimary : BackendRole::kReplica;
    if (is_primary) snapshot->primary = snapshot->backends.size() - 1;
    if (e->last) {
      s.lag_seconds = e->last->lag_seconds;
      s.gtid_position = e->last->gtid_position;
      s.last_check = e->last->finished;
      s.check_duration = e->last->duration;
      s.last_error = e->last->error.empty() ? e->last->replication_problem : e->last->error;
      s.reachable = !e->last->failed();
      s.read_only = e->last->read_only;
      s.replicates = e->last->is_replica;
    }
  }
  snapshot->reads_fall_back_to_primary = std::ranges::none_of(
      snapshot->backends, [&](const BackendStatus& b) { return snapshot->takes_reads(b); });
  return snapshot;
}

bool same_routing_content(const PoolSnapshot& a, const PoolSnapshot& b) {
  if (a.primary != b.primary || a.reads_fall_back_to_primary != b.reads_fall_back_to_primary ||
      a.backends.size() != b.backends.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.backends.size(); ++i) {
    const BackendStatus& x = a.backends[i];
    const BackendStatus& y = b.backends[i];
    if (std::tie(x.id, x.name, x.host, x.port, x.role, x.state, x.weight, x.lag_seconds, x.gtid_position,
                 x.last_error, x.reachable, x.read_only, x.replicates) !=
        std::tie(y.id, y.name, y.host, y.port, y.role, y.state, y.weight, y.lag_seconds, y.gtid_position,
                 y.last_error, y.reachable, y.read_only, y.replicates)) {
      return false;
    }
  }
  return true;
}

}  // namespace mysqlproxy::proxy
