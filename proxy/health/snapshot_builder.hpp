#pragma once
// build_snapshot: the monitor's view of every endpoint -> one immutable PoolSnapshot. Pure.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "proxy/health/check_result.hpp"
#include "proxy/health/discovery.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

struct EndpointView {
  std::uint32_t id = 0;
  EndpointKey key;
  std::size_t config_index = 0;  // position of its backend in the config
  std::uint32_t weight = 1;
  BackendState state = BackendState::kUp;
  std::size_t name_sharing = 1;     // see name_sharing() in discovery.hpp
  bool vanished = false;            // gone from DNS or from the config: published as DRAINING
  std::optional<CheckResult> last;  // the latest check, if any ran yet
  std::uint64_t checks = 0;         // run so far
  std::uint64_t checks_failed = 0;  // of them, failed (not reached, timed out, refused)
};

// Backends in config order (a discovered backend's addresses in address order), roles as
// decided (`primary_id` is kPrimary, all others kReplica), reads_fall_back_to_primary when no
// backend takes reads.
std::shared_ptr<const PoolSnapshot> build_snapshot(std::span<const EndpointView> endpoints,
                                                   std::optional<std::uint32_t> primary_id,
                                                   std::uint64_t version);

// Equal in everything sessions route by (ids, names, addresses, states, roles, lag, GTID
// positions, errors); check times and durations are ignored.
bool same_routing_content(const PoolSnapshot& a, const PoolSnapshot& b);

}  // namespace mysqlproxy::proxy
