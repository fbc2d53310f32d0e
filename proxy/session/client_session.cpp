#include "proxy/session/client_session.hpp"

#include "protocol/command.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/logging.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/net/deadline.hpp"
#include "proxy/net/idle_timer.hpp"
#include "proxy/session/client_auth.hpp"
#include "proxy/session/client_handshake.hpp"
#include "proxy/session/relay.hpp"

namespace mysqlproxy::proxy {
namespace {

using protocol::Command;

// Commands a proxy must never pass on: they turn the connection into something else
// (replication streams) or are obsolete.
bool is_refused_command(Command c) {
  switch (c) {
    case Command::kSleep: case Command::kConnect: case Command::kTime: case Command::kDelayedInsert:
    case Command::kBinlogDump: case Command::kTableDump: case Command::kConnectOut:
    case Command::kRegisterSlave: case Command::kDaemon: case Command::kBinlogDumpGtid:
    case Command::kShutdown:
      return true;
    default:
      return static_cast<std::uint8_t>(c) > static_cast<std::uint8_t>(Command::kResetConnection);
  }
}

std::string peer_host_of(const tcp::socket& socket) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? std::string("unknown") : ep.address().to_string();
}

class ClientSession {
 public:
  ClientSession(tcp::socket socket, SharedState& shared)
      : shared_(shared),
        config_(shared.config.get()),
        client_(std::move(socket), config_->max_packet_size),
        log_(shared.next_session_id.fetch_add(1, std::memory_order_relaxed)),
        idle_(client_.socket().get_executor(), client_.socket(), config_->timeouts.idle) {}

  awaitable<void> run();

 private:
  awaitable<bool> login();
  awaitable<bool> handle(const protocol::Packet& command);
  awaitable<bool> relay(const protocol::Packet& command);
  awaitable<bool> change_user(const protocol::Packet& command);
  awaitable<bool> open_backend(std::uint8_t err_seq);
  BackendCredentials credentials() const;
  void learn_identity(const BackendConnection& backend);

  SharedState& shared_;
  std::shared_ptr<const config::Config> config_;
  PacketStream client_;
  SessionLog log_;
  IdleTimer idle_;
  ClientLogin login_;
  std::string database_;  // current default database, as far as the proxy knows
  std::unique_ptr<BackendConnection> backend_;
  protocol::ResponseScanner scanner_;
};

awaitable<void> ClientSession::run() {
  client_.socket().set_option(tcp::no_delay(true));
  const std::string peer = peer_host_of(client_.socket());
  log_.debug("connection from {}", peer);
  if (!co_await login()) {
    client_.close();
    co_return;
  }
  shared_.active_sessions.fetch_add(1, std::memory_order_relaxed);
  idle_.start();
  for (;;) {
    client_.decoder().expect_seq(0);  // every command starts a new exchange
    auto command = co_await client_.read_packet();
    if (!command) {
      if (command.error().category() == protocol::protocol_category()) {
        log_.info("client protocol error: {}", command.error().message());
        const auto& e = command.error() == protocol::ProtocolErrc::kPacketTooLarge ? kErrNetPacketTooLarge : kErrHandshake;
        co_await send_error(client_, e.code, e.sql_state, command.error().message(), client_.decoder().expected_seq());
      } else if (idle_.expired()) {
        log_.info("closing idle session");
      } else {
        log_.debug("client gone: {}", command.error().message());
      }
      break;
    }
    idle_.busy();
    const bool keep_going = co_await handle(*command);
    idle_.idle();
    if (!keep_going) break;
  }
  if (backend_) co_await backend_->quit();
  client_.close();
  shared_.active_sessions.fetch_sub(1, std::memory_order_relaxed);
  log_.debug("session ended");
}

awaitable<bool> ClientSession::login() {
  Deadline deadline(client_.socket().get_executor(), client_.socket());
  deadline.arm(config_->timeouts.handshake);
  HandshakeSettings settings{static_cast<std::uint32_t>(log_.id()), shared_.identity.get(), config_.get(),
                             peer_host_of(client_.socket())};
  auto login = co_await accept_client(client_, settings, log_);
  if (!login) {
    if (deadline.expired()) log_.info("handshake timed out");
    co_return false;
  }
  login_ = std::move(*login);
  database_ = login_.database;
  // The backend login checks the default database and surfaces its error (1049) at connect time.
  if (!co_await open_backend(login_.next_seq)) co_return false;
  deadline.cancel();
  protocol::OkPacket ok;
  ok.status = backend_->status() ? backend_->status() : protocol::kServerStatusAutocommit;
  std::vector<std::uint8_t> payload;
  protocol::encode_ok(ok, login_.caps, payload);
  if (co_await client_.write_packet(payload, login_.next_seq)) co_return false;
  log_.info("user '{}' logged in{}{}", login_.user->name, database_.empty() ? "" : " to database ", database_);
  co_return true;
}

BackendCredentials ClientSession::credentials() const {
  BackendCredentials c;
  c.user = login_.user->name;
  c.password = login_.user->password;
  c.database = database_;
  c.client_caps = login_.caps;
  c.collation = login_.collation;
  c.attributes = login_.attributes;
  return c;
}

// Opens the session's backend connection; on failure tells the client (with the server's own ERR
// when there is one) and returns false.
awaitable<bool> ClientSession::open_backend(std::uint8_t err_seq) {
  const config::BackendConfig* primary = config::primary_backend(*config_);
  BackendTarget target{primary->name, primary->host, primary->port};
  auto opened = co_await BackendConnection::open(target, credentials(), config_->timeouts.connect, config_->max_packet_size);
  if (opened.connection) {
    backend_ = std::move(opened.connection);
    learn_identity(*backend_);
    log_.debug("backend '{}' connection id {}", target.name, backend_->connection_id());
    co_return true;
  }
  if (!opened.failure.server_error.empty()) {
    co_await client_.write_packet(opened.failure.server_error, err_seq);
  } else {
    log_.warn("cannot reach backend '{}' at {}:{}: {}", target.name, target.host, target.port, opened.failure.ec.message());
    co_await send_error(client_, kErrBackendUnreachable.code, kErrBackendUnreachable.sql_state,
                        "Can't connect to backend '" + target.name + "': " + opened.failure.ec.message(), err_seq);
  }
  co_return false;
}

void ClientSession::learn_identity(const BackendConnection& backend) {
  auto current = shared_.identity.get();
  const std::string& version = config_->server_version.empty() ? backend.server_version() : config_->server_version;
  if (current->version == version && current->collation == backend.server_collation() &&
      current->backend_caps == backend.server_caps()) {
    return;
  }
  shared_.identity.set(ServerIdentity{version, backend.server_collation(), backend.server_caps()});
}

awaitable<bool> ClientSession::handle(const protocol::Packet& command) {
  const Command kind = protocol::command_of(command.payload);
  if (kind == Command::kQuit) co_return false;
  if (kind == Command::kChangeUser) co_return co_await change_user(command);
  if (is_refused_command(kind)) {
    co_await send_error(client_, kErrUnknownCommand.code, kErrUnknownCommand.sql_state, "Unknown command", command.next_seq);
    co_return true;
  }
  co_return co_await relay(command);
}

awaitable<bool> ClientSession::relay(const protocol::Packet& command) {
  if (!backend_ && !co_await open_backend(command.next_seq)) co_return true;
  const Command kind = protocol::command_of(command.payload);
  const auto outcome = co_await relay_command(client_, *backend_, command, scanner_);
  switch (outcome.end) {
    case RelayEnd::kDone:
      if (auto status = scanner_.tracker().status()) backend_->set_status(*status);
      if (kind == Command::kInitDb && !scanner_.tracker().ended_with_error()) {
        auto db = protocol::decode_com_init_db(command.payload);
        if (db) database_ = std::string(*db);
      }
      co_return true;
    case RelayEnd::kClientFailed:
      log_.debug("client failed during relay: {}", outcome.ec.message());
      co_return false;
    case RelayEnd::kBackendFailed:
      break;
  }
  // The backend broke. Tell the client with an ERR where the protocol still allows one. Outside a
  // transaction the session goes on (the next command opens a fresh backend connection); inside
  // one it ends, since carrying on silently on a fresh connection could commit half a transaction.
  const std::string name = backend_->target().name;
  const bool in_transaction = (backend_->status() & protocol::kServerStatusInTrans) != 0 ||
                              (backend_->status() & protocol::kServerStatusAutocommit) == 0;
  log_.warn("backend '{}' failed: {}{}", name, outcome.ec.message(), in_transaction ? " (in a transaction)" : "");
  backend_->close();
  backend_.reset();
  if (!outcome.at_packet_boundary) co_return false;  // mid-packet: only a close is clean
  const auto ec = co_await send_error(client_, kErrBackendLost.code, kErrBackendLost.sql_state,
                                      "Lost connection to backend '" + name + "' during query: " + outcome.ec.message(),
                                      outcome.next_client_seq);
  co_return !ec && !in_transaction;
}

// COM_CHANGE_USER: the proxy authenticates the new user itself, then logs in to the backend as that
// user. A failed change keeps the session with its old user and database, as MariaDB does, but
// its session state is reset.
awaitable<bool> ClientSession::change_user(const protocol::Packet& command) {
  auto request = protocol::decode_com_change_user(command.payload, login_.caps);
  if (!request) {
    co_await send_error(client_, kErrHandshake.code, kErrHandshake.sql_state, "Bad COM_CHANGE_USER packet", command.next_seq);
    co_return false;
  }
  const config::UserConfig* user = config::find_user(*config_, request->username);
  const auto answer = std::span(reinterpret_cast<const std::uint8_t*>(request->auth_response.data()),
                                request->auth_response.size());
  const auto reauth = co_await reauthenticate(client_, user, login_.scramble, request->auth_plugin_name, answer,
                                              command.next_seq);
  if (reauth.io_error) co_return false;
  if (!reauth.ok) {
    if (backend_ && !co_await backend_->reset()) {
      backend_->close();
      backend_.reset();
    }
    log_.info("change user to '{}' denied", request->username);
    const auto ec = co_await send_error(client_, kErrAccessDenied.code, kErrAccessDenied.sql_state,
                                        access_denied_message(request->username, peer_host_of(client_.socket()), true),
                                        reauth.next_seq);
    co_return !ec;
  }
  if (backend_) co_await backend_->quit();
  backend_.reset();
  const ClientLogin previous = login_;
  const std::string previous_database = database_;
  login_.user = user;
  database_ = request->database;
  if (request->character_set != 0) login_.collation = static_cast<std::uint8_t>(request->character_set);
  if (!request->attributes.empty()) login_.attributes = std::move(request->attributes);
  if (!co_await open_backend(reauth.next_seq)) {
    login_ = previous;  // the error went to the client; the old identity stays
    database_ = previous_database;
    co_return true;
  }
  protocol::OkPacket ok;
  ok.status = backend_->status();
  std::vector<std::uint8_t> payload;
  protocol::encode_ok(ok, login_.caps, payload);
  if (co_await client_.write_packet(payload, reauth.next_seq)) co_return false;
  log_.info("changed user to '{}'", user->name);
  co_return true;
}

}  // namespace

awaitable<void> run_client_session(tcp::socket socket, SharedState& shared) {
  ClientSession session(std::move(socket), shared);
  co_await session.run();
}

}  // namespace mysqlproxy::proxy
