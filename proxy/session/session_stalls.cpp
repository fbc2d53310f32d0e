// ClientSession: the once-a-second check for a command that has stopped moving. A client that
// takes none of the answer for timeouts.client_stall is closed; a backend silent for
// timeouts.query has the statement killed, and its connection closed if that does not end it.
// And a statement in flight on a backend the health monitor marked DOWN is abandoned.
#include <algorithm>

#include "proxy/backend/backend_kill.hpp"
#include "proxy/session/client_session_impl.hpp"

namespace mysqlproxy::proxy {

void ClientSession::sweep(std::chrono::steady_clock::time_point now) {
  const auto stalled = watch_.stalled_for(now);
  if (!stalled) return;
  if (watch_.on() == WaitingOn::kBackend) {
    on_backend_stall(*stalled, now);
    return;
  }
  const auto limit = config_->timeouts.client_stall;
  if (limit.count() <= 0 || *stalled < limit) return;
  log_.warn("client took nothing of the answer for {} s (timeouts.client_stall): closing the session",
            std::chrono::duration_cast<std::chrono::seconds>(*stalled).count());
  proxy_metrics().client_stalls.inc();
  force_close();  // the pending write fails; the relay then drops the backend connection
}

void ClientSession::abandon_statements_on(std::span<const std::uint32_t> down_backends) {
  if (watch_.on() != WaitingOn::kBackend || !lease_ || !lease_->connection) return;
  BackendConnection& backend = *lease_->connection;
  if (std::ranges::find(down_backends, backend.backend_id) == down_backends.end()) return;
  // A frozen server (a stopped process, a stuck disk, a silent partition) keeps its sockets open
  // and answers nothing: without this the statement would wait for as long as it stays frozen.
  proxy_metrics().statements_abandoned.inc();
  log_.warn("backend '{}' is DOWN: abandoning the statement in flight there (its connection is closed)",
            lease_->backend_name);
  backend.close();
}

void ClientSession::on_backend_stall(std::chrono::steady_clock::duration stalled,
                                     std::chrono::steady_clock::time_point now) {
  const auto limit = config_->timeouts.query;
  if (limit.count() <= 0 || !lease_ || !lease_->connection) return;
  BackendConnection& backend = *lease_->connection;
  if (query_timeout_ == QueryTimeout::kNone && stalled >= limit) {
    // As ProxySQL and a MySQL client's Ctrl-C do: the server ends the statement with ERR 1317 on
    // this connection, which goes to the client as any answer; a transaction stays open.
    query_timeout_ = QueryTimeout::kKillSent;
    kill_sent_at_ = now;
    proxy_metrics().query_timeouts_killed.inc();
    log_.warn("backend '{}' answered nothing for {} ms (timeouts.query): KILL QUERY {}", lease_->backend_name,
              std::chrono::duration_cast<std::chrono::milliseconds>(stalled).count(), backend.connection_id());
    asio::co_spawn(client_.socket().get_executor(),
                   kill_backend_query(backend.target(), credentials(), backend.connection_id(), config_->timeouts.connect,
                                      config_->max_packet_size, log_.id()),
                   asio::detached);
    return;
  }
  // Time enough to connect, log in and run the KILL: the statement did not end, or the server
  // does not answer at all. Closing the connection fails the relay; the client gets ERR 1317.
  const auto grace = config_->timeouts.connect + std::chrono::seconds(1);
  if (query_timeout_ == QueryTimeout::kKillSent && stalled >= grace && now - kill_sent_at_ >= grace) {
    query_timeout_ = QueryTimeout::kClosed;
    proxy_metrics().query_timeouts_closed.inc();
    log_.warn("backend '{}' did not end the statement after KILL QUERY: closing its connection", lease_->backend_name);
    backend.close();
  }
}

}  // namespace mysqlproxy::proxy
