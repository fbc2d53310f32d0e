#pragma once
// The statement planner: the decisions a session makes around one command, as pure functions.
// The coroutines (session_commands.cpp, session_leases.cpp) gather the facts (the classified
// statement, the session's state, the pool snapshot, what happened on the wire) and do what these
// say. Each has a table test (tests/proxy/statement_plan_test.cpp), one row per case: a new rule
// is a new row there first.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "proxy/health/pool_snapshot.hpp"
#include "proxy/routing/replica_picker.hpp"
#include "proxy/routing/router.hpp"
#include "proxy/session/session_error.hpp"
#include "proxy/session/session_state.hpp"

namespace mysqlproxy::proxy {

// Which backend a lease for `target` goes to: a replica in turn (none of `avoid`, and one `accept`
// takes), else the primary unless it is avoided. take_turn = false leaves the rotation where it is.
using BackendFilter = std::function<bool(const BackendStatus&)>;
[[nodiscard]] std::optional<std::size_t> choose_backend(const PoolSnapshot& snap, ReplicaPicker& picker, Target target,
                                                        std::span<const std::uint32_t> avoid,
                                                        const BackendFilter& accept, bool take_turn);

// A pin that means the connection holds state the proxy can't describe: it is reset before
// another session uses it.
[[nodiscard]] bool taints_connection(PinReason r) noexcept;

// A session holds a connection (pinned) when its next command comes. If that connection is on a
// primary that is no longer the primary, the session follows the new one, unless it holds state
// there (a transaction, locks, temporary tables) that the move would lose. A connection held only
// for the previous statement's result (LAST_INSERT_ID(), FOUND_ROWS(), SHOW WARNINGS: the session
// lets go of it before any other statement) stays for the statement that reads it: only that
// connection can answer, and a demoted primary still answers reads.
enum class PinnedLease : std::uint8_t { kKeep, kFollowPrimary, kEndSession };
struct PinnedLeaseFacts {
  bool on_primary = false;  // the lease was made on the primary
  std::uint32_t backend_id = 0;
  std::optional<std::uint32_t> primary_id;  // the primary now; none while there is none
  bool holds_state = false;
  bool only_transient_pins = false;  // held for the previous statement's result only
};
[[nodiscard]] PinnedLease plan_pinned_lease(const PinnedLeaseFacts& f) noexcept;

// What follows a failure: try another backend, or the error (and the session's fate with it).
enum class Verdict : std::uint8_t { kRetryElsewhere, kErrorGoOn, kErrorEndSession, kCloseSilently };

// Getting a connection ready failed.
enum class AcquireFailure : std::uint8_t {
  kNoBackend,     // nothing to route to
  kPoolTimeout,   // every connection busy for pool.acquire_timeout
  kRefused,       // the backend refused the login (its ERR goes to the client)
  kUnreachable,   // no connection could be opened
  kLacksCaps,     // a backend without the MariaDB extended capabilities the client negotiated
  kStateRefused,  // the backend refused part of the session's state (its ERR goes to the client)
  kStateLost,     // the connection broke while the session's state was restored
};
inline constexpr int kMaxAcquireAttempts = 3;  // two replicas and the primary
// `attempt` counts from 0.
[[nodiscard]] Verdict plan_after_acquire_failure(AcquireFailure f, int attempt) noexcept;
// The proxy's ERR for a failure that is not the server's own (kRefused, kStateRefused relay that).
[[nodiscard]] SessionError acquire_error(AcquireFailure f);

// A backend answered 1049 for the session's default database. On a replica, another backend may
// have it (a replica may lag behind a CREATE DATABASE); the primary's word is final: another session
// dropped it, and the session goes on without one. While a login or COM_CHANGE_USER checks the
// database it asked for, or for any other error, the client hears it.
enum class MissingDatabase : std::uint8_t { kAnError, kTryAnother, kForgotten };
struct MissingDatabaseFacts {
  bool unknown_database = false;  // the error is 1049
  bool has_schema = false;        // the session has a default database
  bool checking_database = false;
  bool on_primary = false;
  bool last_attempt = false;
};
[[nodiscard]] MissingDatabase plan_missing_database(const MissingDatabaseFacts& f) noexcept;

// A command failed on its backend connection after it was leased.
enum class CommandStage : std::uint8_t {
  kPrepare,  // readying the connection for it (its own statement id for a prepared statement)
  kRelay,    // sent, with its answer under way
};
struct CommandFailure {
  CommandStage stage = CommandStage::kRelay;
  RouteDecision decision;
  bool replica_safe_read = false;  // classified as a read that any replica may answer
  int attempt = 0;                 // counts from 0
  bool answered = false;           // some of the answer reached the client
  bool at_packet_boundary = true;  // the client holds whole packets only
  bool timed_out = false;          // timeouts.query closed the connection
  bool state_lost = false;         // a transaction, locks or temporary tables died with it
  bool pinned = false;
  bool in_transaction = false;
  bool autocommit = true;
};
inline constexpr int kMaxReadRetries = 2;  // the last try is the primary
[[nodiscard]] Verdict plan_after_command_failure(const CommandFailure& f) noexcept;
// The proxy's ERR for it (a verdict other than kRetryElsewhere).
[[nodiscard]] SessionError command_error(const CommandFailure& f, Verdict v);

}  // namespace mysqlproxy::proxy
