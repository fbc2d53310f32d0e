#pragma once
// decide_route: which side a command goes to, and why. Pure: a function of the statement's
// classification, the session's transaction state and whether a replica can take reads. Which
// replica is a separate decision (replica_picker.hpp).
#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/constants.hpp"
#include "proxy/routing/sql_classifier.hpp"

namespace mysqlproxy::proxy {

enum class RouteReason : std::uint8_t {  // also a metric label: keep the set small and stable
  kRead,                 // replica-safe read outside a transaction
  kWrite,                // a write, or anything that is not a replica-safe read
  kInTransaction,        // an open transaction or autocommit off: everything to the primary
  kReadOnlyTransaction,  // START TRANSACTION READ ONLY, run whole on one replica
  kHint,                 // a /* route=... */ comment
  kPinned,               // the session is pinned to its connection
  kFallbackToPrimary,    // a read, but no replica can take it
  kNoReplica,            // a read, no replica, and fallback is off: the session answers an error
  kSessionState,         // SET / USE: run on the primary, replayed elsewhere when needed
  kConsistencyWait,      // a read that waited for a replica to apply the write it must see (set by the session)
};

[[nodiscard]] std::string_view to_string(RouteReason r) noexcept;

struct RoutingPolicy {
  bool honor_hints = true;
  bool reads_fallback_to_primary = true;
  bool read_only_transactions_on_replica = true;
};

struct RouteInput {
  protocol::Command command = protocol::Command::kQuery;
  const StatementTraits* statement = nullptr;  // COM_QUERY / COM_STMT_PREPARE / COM_STMT_EXECUTE
  bool in_transaction = false;                 // from the last status flags
  bool autocommit = true;
  bool pinned = false;                         // the session keeps its connection
  bool replica_available = true;               // from the pool snapshot
};

struct RouteDecision {
  Target target = Target::kPrimary;
  RouteReason reason = RouteReason::kWrite;
  bool operator==(const RouteDecision&) const = default;
};

[[nodiscard]] RouteDecision decide_route(const RouteInput& in, const RoutingPolicy& policy) noexcept;

}  // namespace mysqlproxy::proxy
