#include "proxy/session/statement_plan.hpp"

#include <algorithm>

namespace mysqlproxy::proxy {
namespace {

bool contains(std::span<const std::uint32_t> ids, std::uint32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Routed as a read: to a replica, or to the primary only because no replica could take it. A read
// an application sent to the primary on purpose (a hint, a write-looking text) is not moved.
bool routed_as_read(const RouteDecision& d) noexcept {
  return d.reason == RouteReason::kRead || d.reason == RouteReason::kFallbackToPrimary ||
         (d.reason == RouteReason::kHint && d.target == Target::kReplica);
}

}  // namespace

std::optional<std::size_t> choose_backend(const PoolSnapshot& snap, ReplicaPicker& picker, Target target,
                                          std::span<const std::uint32_t> avoid, const BackendFilter& accept,
                                          bool take_turn) {
  if (target == Target::kReplica) {
    auto i = picker.pick(
        snap, [&](const BackendStatus& b) { return !contains(avoid, b.id) && (!accept || accept(b)); }, take_turn);
    if (i) return i;
  }
  if (snap.primary && !contains(avoid, snap.backends[*snap.primary].id)) return snap.primary;
  return std::nullopt;
}

bool taints_connection(PinReason r) noexcept {
  switch (r) {
    case PinReason::kTransaction:
    case PinReason::kLastInsertId:
    case PinReason::kFoundRows:
    case PinReason::kDiagnostics:
    case PinReason::kConnectionId:
      return false;  // the server forgets these by itself (the next statement, COMMIT/ROLLBACK)
    default:
      return true;
  }
}

PinnedLease plan_pinned_lease(const PinnedLeaseFacts& f) noexcept {
  if (!f.on_primary || !f.primary_id || *f.primary_id == f.backend_id) return PinnedLease::kKeep;
  if (f.holds_state) return PinnedLease::kEndSession;
  return f.only_transient_pins ? PinnedLease::kKeep : PinnedLease::kFollowPrimary;
}

Verdict plan_after_acquire_failure(AcquireFailure f, int attempt) noexcept {
  switch (f) {
    case AcquireFailure::kUnreachable:
    case AcquireFailure::kLacksCaps:
    case AcquireFailure::kStateLost:
      // The monitor may not have seen it die yet: another backend (at last the primary) may do.
      return attempt + 1 < kMaxAcquireAttempts ? Verdict::kRetryElsewhere : Verdict::kErrorGoOn;
    case AcquireFailure::kNoBackend:
    case AcquireFailure::kPoolTimeout:
    case AcquireFailure::kRefused:
    case AcquireFailure::kStateRefused:
      break;
  }
  return Verdict::kErrorGoOn;
}

SessionError acquire_error(AcquireFailure f) {
  switch (f) {
    case AcquireFailure::kNoBackend: return SessionError::of(kErrNoBackend, ErrorKind::kNoBackend);
    case AcquireFailure::kPoolTimeout: return SessionError::of(kErrTooManyConnections, ErrorKind::kPoolTimeout);
    case AcquireFailure::kStateLost: return SessionError::of(kErrBackendLost, ErrorKind::kBackendLost);
    case AcquireFailure::kUnreachable:
    case AcquireFailure::kLacksCaps:
    case AcquireFailure::kRefused:
    case AcquireFailure::kStateRefused:
      break;
  }
  return SessionError::of(kErrBackendUnreachable, ErrorKind::kBackendUnreachable);
}

MissingDatabase plan_missing_database(const MissingDatabaseFacts& f) noexcept {
  if (!f.unknown_database || !f.has_schema || f.checking_database) return MissingDatabase::kAnError;
  if (!f.on_primary) return f.last_attempt ? MissingDatabase::kAnError : MissingDatabase::kTryAnother;
  return MissingDatabase::kForgotten;
}

Verdict plan_after_command_failure(const CommandFailure& f) noexcept {
  if (f.stage == CommandStage::kPrepare) {
    // Nothing was sent yet: a fresh connection may prepare it, once, if nothing holds the session
    // to the lost one.
    if (f.state_lost) return Verdict::kErrorEndSession;
    return f.attempt == 0 && !f.pinned ? Verdict::kRetryElsewhere : Verdict::kErrorGoOn;
  }
  // An autocommit read that has sent the client nothing yet is retried elsewhere: the death of a
  // replica costs a reading client no error.
  const bool retryable = !f.timed_out && f.attempt < kMaxReadRetries && !f.answered && !f.state_lost &&
                         routed_as_read(f.decision) && f.replica_safe_read && !f.in_transaction && f.autocommit;
  if (retryable) return Verdict::kRetryElsewhere;
  if (!f.at_packet_boundary) return Verdict::kCloseSilently;  // mid-packet: only a close is clean
  // A transaction, temporary tables or locks died with the connection: carrying on on a fresh one
  // could commit half a transaction, so the session ends as it would on the server.
  return f.state_lost ? Verdict::kErrorEndSession : Verdict::kErrorGoOn;
}

SessionError command_error(const CommandFailure& f, Verdict v) {
  const AfterError after = v == Verdict::kCloseSilently     ? AfterError::kClose
                           : v == Verdict::kErrorEndSession ? AfterError::kEndSession
                                                            : AfterError::kGoOn;
  if (f.timed_out) return SessionError::of(kErrQueryInterrupted, ErrorKind::kQueryTimeout, after);
  return SessionError::of(kErrBackendLost, ErrorKind::kBackendLost, after);
}

}  // namespace mysqlproxy::proxy
