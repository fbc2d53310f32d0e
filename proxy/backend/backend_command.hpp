#pragma once
// run_backend_command: sends one command the proxy itself issues (COM_INIT_DB, a SET to replay,
// COM_SET_OPTION, COM_STMT_PREPARE, ...) and reads its whole answer, which goes nowhere.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/response_tracker.hpp"
#include "proxy/backend/backend_connection.hpp"

namespace mysqlproxy::proxy {

struct BackendCommandResult {
  error_code ec;                          // I/O or protocol failure: the connection is unusable
  std::vector<std::uint8_t> error_packet; // the server's ERR payload, if it answered with one
  std::optional<std::uint16_t> status;
  std::optional<protocol::PreparedInfo> prepared;
  std::optional<std::string> first_value;  // first column of the first row (text protocol), if not NULL
  [[nodiscard]] bool ok() const noexcept { return !ec && error_packet.empty(); }
};

awaitable<BackendCommandResult> run_backend_command(BackendConnection& backend, std::span<const std::uint8_t> payload);

// Closes the statements the connection's cache displaced (COM_STMT_CLOSE has no answer).
awaitable<error_code> close_displaced_statements(BackendConnection& backend);

}  // namespace mysqlproxy::proxy
