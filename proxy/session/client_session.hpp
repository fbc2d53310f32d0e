#pragma once
// One coroutine per client: login, then a loop of read command -> relay -> answer.
#include "proxy/net/asio.hpp"
#include "proxy/session/session_context.hpp"

namespace mysqlproxy::proxy {

awaitable<void> run_client_session(tcp::socket socket, SharedState& shared);

}  // namespace mysqlproxy::proxy
