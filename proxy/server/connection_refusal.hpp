#pragma once
// Turning a connection away before any session exists: ERR 1040 when limits.max_client_connections
// are open, in place of the greeting, as MySQL does. (A session refuses its client through its one
// exit for errors, session/session_error.hpp, which builds this frame's payload too.)
//
// An ERR sent before the greeting carries no SQLSTATE: a client that has not seen the server's
// capabilities yet does not know the 4.1 form (libmysqlclient would show "#08004" as part of
// the message). MySQL and MariaDB servers send theirs the same way; clients report HY000.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/net/asio.hpp"

namespace mysqlproxy::proxy {

// One frame, sequence id 0: an ERR without SQLSTATE.
std::vector<std::uint8_t> refusal_frame(std::uint16_t code, std::string_view message);

// Writes `frame` (bounded by `timeout`) and closes the socket. For connections refused before a
// session exists.
awaitable<void> refuse_connection(tcp::socket socket, std::vector<std::uint8_t> frame, std::chrono::milliseconds timeout);

}  // namespace mysqlproxy::proxy
