#pragma once
// When a proxy may start a failover, and the rule that lets exactly one of several proxies act.
// Pure (tests/proxy/failover_rules_test.cpp); docs/failover.md gives the argument.
//
// Agreement: a proxy acts only while it holds the named lock (GET_LOCK) on a strict majority of
// all the servers it knows, the lost primary included. Two majorities of one set always share a
// server, and a server grants a named lock to one connection at a time: two proxies can never
// both hold a majority. A proxy that dies lets its locks go with its connections.
//
// Confirmation: the primary counts as lost only when every check of it has failed for
// primary_down_after, and no reachable replica's IO thread is still connected to it. A proxy cut
// off from a primary that the replicas still reach (a partition of the proxy alone) must not
// promote.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mysqlproxy::proxy {

[[nodiscard]] constexpr bool holds_majority(std::size_t servers, std::size_t locked) noexcept {
  return servers > 0 && locked * 2 > servers;
}

struct FailoverTrigger {
  bool automatic = false;       // failover.automatic
  bool primary_known = false;   // a primary was published before it was lost
  bool primary_reachable = true;  // its latest check passed
  std::chrono::milliseconds unreachable_for{0};  // since its first failed check in a row
  std::chrono::milliseconds down_after{0};       // failover.primary_down_after
  std::size_t replicas_connected = 0;  // reachable replicas whose IO thread is connected to it
  bool another_writable = false;       // some other server already takes writes
  bool in_progress = false;            // this proxy already runs a failover or switchover
};

enum class FailoverVerdict : std::uint8_t {
  kHealthy,           // the primary answers
  kDisabled,          // lost, but failover.automatic is off
  kNoPrimary,         // nothing to fail over from (never had one, or one is being promoted)
  kWaiting,           // lost for less than primary_down_after
  kReplicasSeeIt,     // replicas still receive from it: the proxy, not the primary, is cut off
  kAlreadyReplaced,   // another server takes writes: follow it
  kBusy,              // a failover or switchover of this proxy is running
  kStart,
};
std::string_view to_string(FailoverVerdict v) noexcept;

[[nodiscard]] FailoverVerdict failover_verdict(const FailoverTrigger& t) noexcept;

}  // namespace mysqlproxy::proxy
