#include "proxy/session/client_session.hpp"

#include <algorithm>

#include "protocol/command.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/net/deadline.hpp"
#include "proxy/net/peer_address.hpp"
#include "proxy/session/client_auth.hpp"
#include "proxy/session/client_session_impl.hpp"

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

const char* rejection_reason(LoginRefusal failure) {
  switch (failure) {
    case LoginRefusal::kBadHandshake: return "bad_handshake";
    case LoginRefusal::kTlsFailed: return "tls_failed";
    case LoginRefusal::kTlsRequired: return "tls_required";
    case LoginRefusal::kAccessDenied: return "login_failed";
    case LoginRefusal::kThrottled: return "login_throttled";
    case LoginRefusal::kClientGone: case LoginRefusal::kNone: break;
  }
  return "client_gone";
}

// pool.mode: session for this user: its sessions keep backend connections of their own.
bool keeps_own_connections(const config::Config& cfg, const config::UserConfig& user) {
  return config::user_pool_mode(cfg.pool, user) == config::PoolMode::kSession;
}

// Largest packet accepted before a client has logged in. A handshake response carries a user
// name, a scramble, a database name and connection attributes (at most 64 KiB, as servers take):
// what a stranger may make the proxy hold per connection.
constexpr std::size_t kMaxLoginPacketSize = protocol::ConnectAttributes::kMaxBlockSize + (4u << 10);
// The highest zstd level used towards a client, whatever it asks for.
constexpr int kMaxClientZstdLevel = 9;

// The longest a refusal may take to write: it is a few bytes into an empty socket buffer.
constexpr std::chrono::seconds kRefusalWriteTimeout{2};

// Draining: how long a session must go without a command, outside a transaction, to be ended
// (end_when_quiet). Far above the time a command spends on a cluster network, below the pause
// between two uses of a pooled connection.
constexpr std::chrono::milliseconds kDrainQuiet{5};

RoutingPolicy policy_from(const config::Config& cfg) {
  return RoutingPolicy{cfg.routing.honor_hints, cfg.routing.reads_fallback_to_primary,
                       cfg.routing.read_only_transactions_on_replica};
}

}  // namespace

ClientSession::ClientSession(tcp::socket socket, WorkerContext& worker, ConnectionLimits::ClientSlot slot)
    : worker_(worker),
      shared_(worker.shared),
      config_(shared_.config.get()),
      config_version_(shared_.config.version()),
      client_(std::move(socket), config_->max_packet_size),
      log_(shared_.next_session_id.fetch_add(1, std::memory_order_relaxed)),
      idle_(client_.socket().get_executor(), client_.socket(), config_->timeouts.idle),
      policy_(policy_from(*config_)),
      drain_timer_(client_.socket().get_executor()),
      consistency_(config_->routing.consistency),
      client_slot_(std::move(slot)) {}

awaitable<void> ClientSession::run() {
  error_code ignored;
  client_.socket().set_option(tcp::no_delay(true), ignored);
  client_.count_bytes(&proxy_metrics().client_bytes_received, &proxy_metrics().client_bytes_sent);
  peer_ = peer_host_of(client_.socket());
  peer_address_ = peer_address_of(client_.socket());
  log_.debug("connection from {}", peer_);
  const bool refused = co_await refuse_if_blocked();
  if (refused) {
    client_.close();
    co_return;
  }
  const bool crowded = co_await refuse_if_too_many_pending_logins();
  if (crowded) {
    client_.close();
    co_return;
  }
  const bool logged_in = co_await login();
  pending_login_.reset();
  if (!logged_in) {
    client_.close();
    co_return;
  }
  shared_.active_sessions.fetch_add(1, std::memory_order_relaxed);
  worker_.sessions.insert(this);
  draining_ = shared_.draining.load(std::memory_order_relaxed);
  if (draining_) end_when_quiet();
  idle_.start();
  for (;;) {
    client_.decoder().expect_seq(0);  // every command starts a new exchange
    auto command = co_await client_.read_packet();
    if (!command) {
      if (command.error().category() == protocol::protocol_category()) {
        const auto& e = command.error() == protocol::ProtocolErrc::kPacketTooLarge ? kErrNetPacketTooLarge : kErrHandshake;
        const auto refused = SessionError::of(e, ErrorKind::kProtocol, AfterError::kEndSession)
                                 .logged_as_info(fmt::format("client protocol error: {}", command.error().message()));
        co_await answer_error(refused, client_.decoder().expected_seq());
      } else if (idle_.expired()) {
        log_.info("closing idle session");
      } else if (draining_) {
        log_.debug("draining: closing idle session");
      } else {
        log_.debug("client gone: {}", command.error().message());
      }
      break;
    }
    idle_.busy();
    in_command_ = true;
    if (shared_.config.version() != config_version_) refresh_config();
    const bool keep_going = co_await handle(*command);
    in_command_ = false;
    idle_.idle();
    if (!keep_going) break;
    if (draining_) end_when_quiet();
  }
  worker_.sessions.erase(this);
  // A connection holding a transaction, locks or temporary tables is closed, so the server
  // rolls back and frees them now (pooled, they would live until its next use or idle timeout).
  if (lease_) {
    if (state_.holds_connection_state() || session_pool_) {
      discard_lease();
    } else {
      if (state_.pinned()) lease_->connection->carried().tainted = true;
      release_lease();
    }
  }
  discard_kept();
  client_.close();
  shared_.active_sessions.fetch_sub(1, std::memory_order_relaxed);
  log_.debug("session ended");
}

void ClientSession::refresh_config() {
  config_version_ = shared_.config.version();
  auto next = shared_.config.get();
  // A user removed by the reload keeps its open sessions (as on a server): the old config,
  // which holds its entry, stays alive with the session.
  if (const config::UserConfig* user = config::find_user(*next, login_.user->name)) {
    login_.user = user;
    user_owner_.reset();
  } else if (!user_owner_) {
    user_owner_ = config_;
  }
  config_ = std::move(next);
  policy_ = policy_from(*config_);
  consistency_ = config_->routing.consistency;
}

AuthServices ClientSession::auth_services() const {
  return AuthServices{shared_.tls.get()->clients, shared_.rsa_keys.load(), &shared_.fast_auth};
}

void ClientSession::drain() {
  draining_ = true;
  if (!in_command_) end_when_quiet();
}

// A draining session ends once it has been quiet for kDrainQuiet outside a transaction: not at
// once, which would cut off a statement the client is sending right after its last answer (a
// pooled connection checked with a ping, then used), and not after an answer, which is no sign
// the client is done with the connection (PREPARE, then EXECUTE). A connection that stays
// quiet that long is most likely back in the client's pool, where its check before the next use
// finds it closed. The pending read is cancelled rather than the socket closed: a command that
// has already arrived (on io_uring the kernel fills the buffer before the coroutine resumes) is
// served, and the wait starts again. Re-armed after every command; timeouts.drain still closes
// whatever is left.
void ClientSession::end_when_quiet() {
  drain_timer_.expires_after(kDrainQuiet);
  drain_timer_.async_wait([this](const error_code& ec) {
    if (ec || in_command_ || state_.in_transaction()) return;
    error_code ignored;
    client_.socket().cancel(ignored);
  });
}

void ClientSession::force_close() {
  error_code ignored;
  client_.socket().close(ignored);
}

awaitable<bool> ClientSession::login() {
  Deadline deadline(client_.socket().get_executor(), client_.socket());
  deadline.arm(config_->timeouts.handshake);
  HandshakeSettings settings{static_cast<std::uint32_t>(log_.id()), shared_.identity.get(), config_.get(), peer_,
                             auth_services()};
  // Counted before the client gets its ERR, so its next attempt already sees a block.
  settings.on_failure = [this](LoginFailure failure) { note_login_failure(failure); };
  settings.resolve_user = [this](std::string name) { return resolve_login_user(std::move(name)); };
  settings.blocked = [this] { return blocked_message(); };
  // Until the password checked out, no packet needs to be large (the handshake response is at most
  // a few KiB): a stranger's header announcing 64 MiB is refused, not buffered.
  const std::size_t max_packet = config_->max_packet_size;
  client_.decoder().set_max_packet_size(std::min<std::size_t>(max_packet, kMaxLoginPacketSize));
  LoginRefusal refusal = LoginRefusal::kNone;
  auto login = co_await accept_client(client_, settings, log_, refusal);
  client_.decoder().set_max_packet_size(max_packet);
  if (!login) {
    if (deadline.expired()) log_.info("handshake timed out");
    proxy_metrics().clients_rejected.with({deadline.expired() ? "handshake_timeout" : rejection_reason(refusal)}).inc();
    co_return false;
  }
  login_ = std::move(*login);
  session_pool_ = keeps_own_connections(*config_, *login_.user);
  // limits.max_user_connections / users[].max_connections, checked once the password is right.
  const std::uint32_t user_limit = config::user_connection_limit(config_->limits, *login_.user);
  auto user_slot = shared_.limits.open_user(login_.user->name, user_limit);
  if (!user_slot) {
    proxy_metrics().rejected_max_user_connections.inc();
    const auto refused = SessionError::of(kErrTooManyConnections, std::nullopt, AfterError::kEndSession)
                             .logged_as_info(fmt::format("user '{}' already has {} sessions (max_connections): refused",
                                                         login_.user->name, user_limit));
    co_await answer_error(refused, login_.next_seq);
    co_return false;
  }
  user_slot_ = std::move(*user_slot);
  state_ = SessionState(login_.database, login_.caps.has(protocol::kClientMultiStatements));
  // Backend connections are leased per statement; a default database is checked now, on any
  // backend that takes reads, so a wrong one fails the login (1049) as on a server.
  if (!login_.database.empty()) {
    auto checked = co_await check_database();
    if (!checked.ok()) {
      proxy_metrics().clients_rejected.with({"database_refused"}).inc();
      co_await answer_error(checked.error(), login_.next_seq);
      co_return false;
    }
    release_lease();
  }
  deadline.cancel();
  // Counted before the OK goes out: whoever the client tells of its login finds it counted.
  proxy_metrics().client_logins.with({client_.tls() ? "yes" : "no", login_.auth_method}).inc();
  const bool sent = co_await send_ok(login_.next_seq);
  if (!sent) co_return false;
  // Everything after the login's OK travels compressed, if the client asked for it.
  // A zstd client picks its level; above 9 it would buy the client little for much of the proxy's CPU.
  const int zstd_level = std::clamp<int>(login_.zstd_level, 1, kMaxClientZstdLevel);
  client_.start_compression(protocol::negotiated_compression(login_.caps), zstd_level);
  log_.info("user '{}' logged in{}{}{}", login_.user->name, login_.database.empty() ? "" : " to database ",
            login_.database, client_.tls() ? " over " + client_.tls_description() : std::string());
  co_return true;
}

bool ClientSession::source_exempt() const {
  return std::ranges::any_of(config_->limits.login_throttle_exempt,
                             [&](const config::IpNetwork& n) { return config::contains(n, *peer_address_); });
}

std::optional<ThrottlePolicy> ClientSession::throttle() const {
  const config::LimitsConfig& limits = config_->limits;
  if (limits.login_failures == 0 || !peer_address_ || source_exempt()) return std::nullopt;
  return throttle_policy(limits);
}

awaitable<bool> ClientSession::refuse_if_too_many_pending_logins() {
  const std::uint32_t max = config_->limits.max_pending_logins_per_address;
  if (max == 0 || !peer_address_ || source_exempt()) co_return false;
  const SourceKey source = source_key(*peer_address_);
  auto slot = shared_.pending_logins.open(source, max);
  if (slot) {
    pending_login_ = std::move(*slot);
    co_return false;
  }
  // ERR 1040 instead of the greeting, as for max_client_connections: the source is crowding.
  proxy_metrics().rejected_pending_logins.inc();
  log_.info("{} already has {} logins in progress (limits.max_pending_logins_per_address): refused",
            source_text(source), max);
  const std::string message(kErrTooManyConnections.message);
  co_await refuse_before_greeting(kErrTooManyConnections.code, message);
  co_return true;
}

awaitable<void> ClientSession::refuse_before_greeting(std::uint16_t code, const std::string& message) {
  Deadline deadline(client_.socket().get_executor(), client_.socket());
  deadline.arm(kRefusalWriteTimeout);
  const auto refusal = SessionError::before_greeting(code, message);
  co_await send_session_error(client_, refusal, 0, log_);
}

awaitable<Outcome<Lease*>> ClientSession::check_database() {
  std::vector<std::uint32_t> avoid;  // (locals: no temporaries in a co_await call)
  const BackendFilter accept_any;
  checking_database_ = true;
  auto checked = co_await acquire(Target::kReplica, RouteReason::kRead, avoid, accept_any, /*take_turn=*/false);
  checking_database_ = false;
  co_return checked;
}

std::optional<std::string> ClientSession::blocked_message() {
  const auto policy = throttle();
  if (!policy) return std::nullopt;
  const auto left = shared_.login_throttle.blocked_for(source_key(*peer_address_), LoginThrottle::Clock::now(), *policy);
  if (!left) return std::nullopt;
  proxy_metrics().logins_throttled.inc();
  log_.debug("{} is blocked after failed logins for {} ms more: refused", peer_,
             std::chrono::duration_cast<std::chrono::milliseconds>(*left).count());
  return host_blocked_message(peer_, presents_mariadb_server());
}

awaitable<bool> ClientSession::refuse_if_blocked() {
  const auto message = blocked_message();
  if (!message) co_return false;
  proxy_metrics().rejected_login_throttled.inc();
  co_await refuse_before_greeting(kErrHostBlocked.code, *message);
  co_return true;
}

void ClientSession::note_login_failure(LoginFailure failure) {
  count_login_failure(failure);
  const auto policy = throttle();
  if (!policy) return;
  const SourceKey source = source_key(*peer_address_);
  if (shared_.login_throttle.record_failure(source, LoginThrottle::Clock::now(), *policy)) {
    proxy_metrics().login_blocks.inc();
    log_.warn("blocking logins from {} for {} ms after {} failed logins within {} ms", source_text(source),
              policy->block.count(), policy->max_failures, policy->window.count());
  }
}

awaitable<bool> ClientSession::send_ok(std::uint8_t seq) {
  protocol::OkPacket ok;
  ok.status = state_.status_flags();
  std::vector<std::uint8_t> payload;
  protocol::encode_ok(ok, login_.caps, payload);
  co_return !co_await client_.write_packet(payload, seq);
}

awaitable<bool> ClientSession::handle(const protocol::Packet& command) {
  const Command kind = protocol::command_of(command.payload);
  switch (kind) {
    case Command::kQuit: co_return false;
    case Command::kQuery: co_return co_await query(command);
    case Command::kPing: co_return co_await ping(command);
    case Command::kResetConnection: co_return co_await reset_connection(command);
    case Command::kChangeUser: co_return co_await change_user(command);
    case Command::kStmtPrepare: co_return co_await stmt_prepare(command);
    case Command::kStmtExecute: co_return co_await stmt_execute(command);
    case Command::kStmtSendLongData: co_return co_await stmt_send_long_data(command);
    case Command::kStmtFetch: co_return co_await stmt_fetch(command);
    case Command::kStmtReset: co_return co_await stmt_reset(command);
    case Command::kStmtClose: co_return co_await stmt_close(command);
    default:
      break;
  }
  if (is_refused_command(kind)) {
    const auto refused = SessionError::of(kErrUnknownCommand, ErrorKind::kProtocol);
    co_return co_await answer_error(refused, command.next_seq);
  }
  // COM_INIT_DB, COM_FIELD_LIST, COM_STATISTICS, COM_SET_OPTION, COM_PROCESS_INFO, ...: the
  // pinned connection if there is one, else the primary.
  drop_transient_lease(nullptr);
  auto ran = co_await run_routed(command, route(kind, nullptr), nullptr, {});
  co_return co_await settle(ran, command.next_seq);
}

// The proxy answers COM_PING itself: the client asks whether its session is alive, and it is.
awaitable<bool> ClientSession::ping(const protocol::Packet& command) {
  co_return co_await send_ok(command.next_seq);
}

// COM_RESET_CONNECTION: the session starts afresh. A pinned connection is reset on the backend
// (its transaction, locks, temporary tables go); pooled ones are reset when next leased.
awaitable<bool> ClientSession::reset_connection(const protocol::Packet& command) {
  if (lease_) {
    const bool reset_ok = co_await lease_->connection->reset();
    if (!reset_ok) {
      discard_lease();
    } else {
      release_lease();
    }
  }
  // Session pool mode: the connections the session keeps are its own, reset as the server's would be.
  for (std::size_t i = 0; i < kept_.size();) {
    const bool reset_ok = co_await kept_[i].connection->reset();
    if (reset_ok) {
      ++i;
      continue;
    }
    worker_.pool.discard(std::move(kept_[i].connection));
    kept_.erase(kept_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  forget_session_state();
  co_return co_await send_ok(command.next_seq);
}

void ClientSession::forget_session_state() {
  state_.reset();
  statements_.clear();
  cursor_statement_.reset();
}

// COM_CHANGE_USER: the proxy authenticates the new user itself, then the session continues as
// that user with fresh state. A failed change keeps the old user and database, as MariaDB does,
// with its session state reset.
awaitable<bool> ClientSession::change_user(const protocol::Packet& command) {
  auto request = protocol::decode_com_change_user(command.payload, login_.caps);
  if (!request) {
    const auto refused = SessionError::of(kErrHandshake, ErrorKind::kProtocol, AfterError::kEndSession)
                             .logged_as_info("bad COM_CHANGE_USER packet");
    co_return co_await answer_error(refused, command.next_seq);
  }
  const config::UserConfig* user = config::find_user(*config_, request->username);
  std::shared_ptr<const config::UserConfig> backend_account;  // becomes backend_user_ on success
  if (user == nullptr) {
    std::string name = request->username;
    backend_account = co_await backend_user(std::move(name));
    user = backend_account.get();
  }
  // A source blocked after failed logins may not guess passwords through COM_CHANGE_USER either.
  if (const auto blocked = blocked_message()) {
    const auto refused = SessionError::of(kErrHostBlocked, *blocked, std::nullopt)
                             .logged_as_info(fmt::format("change user from {}: blocked after failed logins", peer_));
    co_return co_await answer_error(refused, command.next_seq);
  }
  std::vector<std::uint8_t> answer(request->auth_response.begin(), request->auth_response.end());
  const AuthServices services = auth_services();
  const std::string client_plugin =
      request->auth_plugin_name.empty() ? std::string(protocol::kMysqlNativePassword) : request->auth_plugin_name;
  const std::uint8_t answer_seq = command.next_seq;
  const auto reauth = co_await authenticate(client_, services, config_->auth.default_plugin, user, login_.scramble,
                                            client_plugin, std::move(answer), answer_seq);
  if (reauth.io_error) co_return false;
  if (lease_) {
    lease_->connection->carried().tainted = true;  // whatever it held belonged to the old session
    if (session_pool_) {
      discard_lease();
    } else {
      release_lease();
    }
  }
  discard_kept();  // session pool mode: the next user's connections are opened for it
  const std::string old_schema = state_.schema();
  forget_session_state();
  if (!reauth.ok) {
    note_login_failure(user == nullptr ? LoginFailure::kUnknownUser : LoginFailure::kWrongPassword);
    const auto refused =
        SessionError::of(kErrAccessDenied, access_denied_message(request->username, peer_, true), std::nullopt)
            .logged_as_info(fmt::format("change user to '{}' denied", request->username));
    co_return co_await answer_error(refused, reauth.next_seq);
  }
  if (const auto insecure = insecure_transport_refusal(*config_, *user, client_.tls())) {
    const auto refused = SessionError::of(kErrSecureTransportRequired, *insecure, std::nullopt);
    co_return co_await answer_error(refused, reauth.next_seq);
  }
  // Another user: a session of theirs, under their limit (the old user's is given back on success).
  std::optional<ConnectionLimits::UserSlot> new_slot;
  if (user->name != user_slot_.user()) {
    const std::uint32_t user_limit = config::user_connection_limit(config_->limits, *user);
    new_slot = shared_.limits.open_user(user->name, user_limit);
    if (!new_slot) {
      proxy_metrics().rejected_max_user_connections.inc();
      const auto refused =
          SessionError::of(kErrTooManyConnections, std::nullopt)
              .logged_as_info(fmt::format("change user to '{}' refused: it already has {} sessions (max_connections)",
                                          user->name, user_limit));
      co_return co_await answer_error(refused, reauth.next_seq);
    }
  }
  const ClientLogin previous = login_;
  const auto previous_owner = user_owner_;
  const bool previous_pool = session_pool_;
  const auto previous_backend_user = backend_user_;
  backend_user_ = backend_account;
  login_.user = user;
  login_.native_stage1 = reauth.native_stage1;
  session_pool_ = keeps_own_connections(*config_, *user);
  proxy_metrics().client_logins.with({client_.tls() ? "yes" : "no", reauth.method}).inc();
  user_owner_.reset();
  if (request->character_set != 0) login_.collation = static_cast<std::uint8_t>(request->character_set);
  if (!request->attributes.empty()) login_.attributes = std::move(request->attributes);
  state_ = SessionState(request->database, login_.caps.has(protocol::kClientMultiStatements));
  if (!request->database.empty()) {
    auto checked = co_await check_database();
    if (!checked.ok()) {
      const bool answered = co_await answer_error(checked.error(), reauth.next_seq);
      if (!answered) co_return false;
      login_ = previous;  // the old identity stays
      user_owner_ = previous_owner;
      session_pool_ = previous_pool;
      backend_user_ = previous_backend_user;
      state_ = SessionState(old_schema, login_.caps.has(protocol::kClientMultiStatements));
      co_return true;
    }
    release_lease();
  }
  if (new_slot) user_slot_ = std::move(*new_slot);
  const bool sent = co_await send_ok(reauth.next_seq);
  if (!sent) co_return false;
  log_.info("changed user to '{}'", user->name);
  co_return true;
}

awaitable<void> run_client_session(tcp::socket socket, WorkerContext& worker, ConnectionLimits::ClientSlot slot) {
  ClientSession session(std::move(socket), worker, std::move(slot));
  co_await session.run();
}

}  // namespace mysqlproxy::proxy
