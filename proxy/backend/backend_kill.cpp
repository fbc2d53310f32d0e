#include "proxy/backend/backend_kill.hpp"

#include <span>
#include <string>
#include <vector>

#include "protocol/command.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/backend/backend_command.hpp"
#include "proxy/logging.hpp"
#include "proxy/net/deadline.hpp"

namespace mysqlproxy::proxy {
namespace {

// Why a step failed: the server's own words when it answered with an ERR, else the I/O error.
std::string why(const error_code& ec, std::span<const std::uint8_t> server_error) {
  if (auto err = protocol::decode_err(server_error, protocol::Capabilities{protocol::kClientProtocol41})) {
    return std::string(err->message);
  }
  return ec.message();
}

std::string why(const BackendFailure& failure) {
  return failure.detail.empty() ? why(failure.ec, failure.server_error) : failure.detail;
}

}  // namespace

awaitable<bool> kill_backend_query(BackendTarget target, BackendCredentials credentials, std::uint32_t connection_id,
                                   std::chrono::milliseconds timeout, std::size_t max_packet_size,
                                   std::uint64_t session_id) {
  const SessionLog log(session_id);
  credentials.database.clear();  // the session's schema may be gone; KILL needs none
  auto opened = co_await BackendConnection::open(target, credentials, timeout, max_packet_size);
  if (!opened.connection) {
    // Refused at login (max_user_connections, say), or unreachable.
    log.warn("could not connect to backend '{}' to KILL QUERY {}: {}", target.name, connection_id,
             why(opened.failure));
    co_return false;
  }
  BackendConnection& killer = *opened.connection;
  Deadline deadline(killer.stream().socket().get_executor(), killer.stream().socket());
  deadline.arm(timeout);
  std::vector<std::uint8_t> payload;
  protocol::encode_com_query("KILL QUERY " + std::to_string(connection_id), payload);
  const auto result = co_await run_backend_command(killer, payload);
  deadline.cancel();
  if (!result.ok()) {
    log.warn("backend '{}' refused KILL QUERY {}: {}", target.name, connection_id, why(result.ec, result.error_packet));
  }
  co_await killer.quit();
  co_return result.ok();
}

}  // namespace mysqlproxy::proxy
