#pragma once
// kill_backend_query: KILL QUERY for a statement that has run too long (timeouts.query), sent over
// a connection of its own with the same account, as a MySQL client's Ctrl-C does. The server then
// ends the statement with ERR 1317 on the original connection, whose transaction and session
// state survive.
#include <chrono>
#include <cstdint>

#include "proxy/backend/backend_connection.hpp"

namespace mysqlproxy::proxy {

// True if the server accepted the KILL; the reason it did not is logged, tagged with `session_id`.
awaitable<bool> kill_backend_query(BackendTarget target, BackendCredentials credentials, std::uint32_t connection_id,
                                   std::chrono::milliseconds timeout, std::size_t max_packet_size,
                                   std::uint64_t session_id);

}  // namespace mysqlproxy::proxy
