#pragma once
// One coroutine per client: login, then a loop of read command -> route -> lease -> relay.
#include "proxy/net/asio.hpp"
#include "proxy/session/session_context.hpp"

namespace mysqlproxy::proxy {

awaitable<void> run_client_session(tcp::socket socket, WorkerContext& worker);

}  // namespace mysqlproxy::proxy
