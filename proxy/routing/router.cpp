#include "proxy/routing/router.hpp"

namespace mysqlproxy::proxy {
namespace {

RouteDecision to_replica(const RouteInput& in, const RoutingPolicy& policy, RouteReason reason) noexcept {
  if (in.replica_available) return {Target::kReplica, reason};
  return {Target::kPrimary, policy.reads_fallback_to_primary ? RouteReason::kFallbackToPrimary : RouteReason::kNoReplica};
}

bool is_statement_command(protocol::Command c) noexcept {
  return c == protocol::Command::kQuery || c == protocol::Command::kStmtPrepare ||
         c == protocol::Command::kStmtExecute;
}

}  // namespace

std::string_view to_string(RouteReason r) noexcept {
  switch (r) {
    case RouteReason::kRead: return "read";
    case RouteReason::kWrite: return "write";
    case RouteReason::kInTransaction: return "in_transaction";
    case RouteReason::kReadOnlyTransaction: return "read_only_transaction";
    case RouteReason::kHint: return "hint";
    case RouteReason::kPinned: return "pinned";
    case RouteReason::kFallbackToPrimary: return "fallback_to_primary";
    case RouteReason::kNoReplica: return "no_replica";
    case RouteReason::kSessionState: return "session_state";
    case RouteReason::kConsistencyWait: return "consistency_wait";
  }
  return "unknown";
}

RouteDecision decide_route(const RouteInput& in, const RoutingPolicy& policy) noexcept {
  if (in.pinned) return {Target::kPrimary, RouteReason::kPinned};  // the caller keeps its connection
  if (in.in_transaction || !in.autocommit) return {Target::kPrimary, RouteReason::kInTransaction};
  if (!is_statement_command(in.command) || in.statement == nullptr) return {Target::kPrimary, RouteReason::kWrite};

  const StatementTraits& s = *in.statement;
  // A hint may send a read to either side, and a write only to the primary: writes never reach a
  // replica, whatever a comment says.
  if (policy.honor_hints && s.hint) {
    if (*s.hint == Target::kPrimary) return {Target::kPrimary, RouteReason::kHint};
    if (s.statement_class == StatementClass::kRead) return to_replica(in, policy, RouteReason::kHint);
  }
  if (s.transaction == TransactionOp::kBeginReadOnly && !s.multi_statement &&
      policy.read_only_transactions_on_replica && in.command == protocol::Command::kQuery) {
    if (in.replica_available) return {Target::kReplica, RouteReason::kReadOnlyTransaction};
    return {Target::kPrimary, RouteReason::kInTransaction};
  }
  if (s.statement_class == StatementClass::kRead && s.replica_safe) return to_replica(in, policy, RouteReason::kRead);
  if (s.statement_class == StatementClass::kSessionState) return {Target::kPrimary, RouteReason::kSessionState};
  return {Target::kPrimary, RouteReason::kWrite};
}

}  // namespace mysqlproxy::proxy
