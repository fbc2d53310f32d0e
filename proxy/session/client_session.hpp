#pragma once
// One coroutine per client: login, then a loop of read command -> route -> lease -> relay.
#include "proxy/net/asio.hpp"
#include "proxy/session/connection_limits.hpp"
#include "proxy/session/session_context.hpp"

namespace mysqlproxy::proxy {

// `slot`: the connection's place under limits.max_client_connections, given back when it ends.
awaitable<void> run_client_session(tcp::socket socket, WorkerContext& worker, ConnectionLimits::ClientSlot slot);

}  // namespace mysqlproxy::proxy
