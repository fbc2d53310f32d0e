#include "proxy/server/config_snapshot.hpp"

namespace mysqlproxy::proxy {

std::shared_ptr<const PoolSnapshot> snapshot_from_config(const config::Config& cfg) {
  auto snap = std::make_shared<PoolSnapshot>();
  bool any_replica = false;
  for (std::size_t i = 0; i < cfg.backends.size(); ++i) {
    const auto& b = cfg.backends[i];
    BackendStatus s;
    s.id = static_cast<std::uint32_t>(i);
    s.name = b.name;
    s.host = b.host;
    s.port = b.port;
    s.role = b.role == config::BackendRole::kPrimary ? BackendRole::kPrimary : BackendRole::kReplica;
    s.weight = b.weight;
    if (s.role == BackendRole::kPrimary && !snap->primary) snap->primary = i;
    snap->backends.push_back(std::move(s));
    any_replica = any_replica || snap->takes_reads(snap->backends.back());
  }
  snap->reads_fall_back_to_primary = !any_replica;
  return snap;
}

}  // namespace mysqlproxy::proxy
