#include "proxy/backend/backend_kill.hpp"

#include <string>
#include <vector>

#include "protocol/command.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/backend/backend_command.hpp"
#include "proxy/logging.hpp"
#include "proxy/net/deadline.hpp"

namespace mysqlproxy::proxy {

awaitable<bool> kill_backend_query(BackendTarget target, BackendCredentials credentials, std::uint32_t connection_id,
                                   std::chrono::milliseconds timeout, std::size_t max_packet_size,
                                   std::uint64_t session_id) {
  const SessionLog log(session_id);
  credentials.database.clear();  // the session's schema may be gone; KILL needs none
  auto opened = co_await BackendConnection::open(target, credentials, timeout, max_packet_size);
  if (!opened.connection) {
    std::string why = opened.failure.ec.message();
    // Refused at login (max_user_connections, say): the server's own words.
    if (auto err = protocol::decode_err(opened.failure.server_error, protocol::Capabilities{protocol::kClientProtocol41})) {
      why = std::string(err->message);
    }
    log.warn("could not connect to backend '{}' to KILL QUERY {}: {}", target.name, connection_id, why);
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
    std::string why = result.ec.message();
    if (auto err = protocol::decode_err(result.error_packet, killer.caps())) why = std::string(err->message);
    log.warn("backend '{}' refused KILL QUERY {}: {}", target.name, connection_id, why);
    co_await killer.quit();
    co_return false;
  }
  co_await killer.quit();
  co_return true;
}

}  // namespace mysqlproxy::proxy
