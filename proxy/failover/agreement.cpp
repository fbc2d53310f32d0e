#include "proxy/failover/agreement.hpp"

namespace mysqlproxy::proxy {

std::string_view to_string(FailoverVerdict v) noexcept {
  switch (v) {
    case FailoverVerdict::kHealthy: return "primary healthy";
    case FailoverVerdict::kDisabled: return "automatic failover is off";
    case FailoverVerdict::kNoPrimary: return "no primary to fail over from";
    case FailoverVerdict::kWaiting: return "waiting for primary_down_after";
    case FailoverVerdict::kReplicasSeeIt: return "replicas still receive from the primary";
    case FailoverVerdict::kAlreadyReplaced: return "another server already takes writes";
    case FailoverVerdict::kBusy: return "a failover or switchover is running";
    case FailoverVerdict::kStart: return "start";
  }
  return "unknown";
}

FailoverVerdict failover_verdict(const FailoverTrigger& t) noexcept {
  if (t.primary_reachable) return FailoverVerdict::kHealthy;
  if (!t.primary_known) return FailoverVerdict::kNoPrimary;
  if (t.another_writable) return FailoverVerdict::kAlreadyReplaced;
  if (!t.automatic) return FailoverVerdict::kDisabled;
  if (t.in_progress) return FailoverVerdict::kBusy;
  if (t.unreachable_for < t.down_after) return FailoverVerdict::kWaiting;
  if (t.replicas_connected > 0) return FailoverVerdict::kReplicasSeeIt;
  return FailoverVerdict::kStart;
}

}  // namespace mysqlproxy::proxy
