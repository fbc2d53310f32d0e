#pragma once
// sync_state: brings a leased connection's carried state in line with the session before its
// command runs. A connection that already matches costs nothing; one carrying a prefix of the
// session's replay log gets the rest; anything else is reset first.
#include "proxy/backend/backend_command.hpp"
#include "proxy/session/session_state.hpp"

namespace mysqlproxy::proxy {

// `track_gtids`: also make the connection report its writes' GTIDs (read-your-writes).
awaitable<BackendCommandResult> sync_state(BackendConnection& backend, const SessionState& session, bool track_gtids);

// True when the connection carries exactly the session's state (tested without I/O).
[[nodiscard]] bool state_matches(const CarriedState& carried, const SessionState& session) noexcept;

}  // namespace mysqlproxy::proxy
