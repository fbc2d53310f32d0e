// ClientSession: leasing backend connections from the worker's pool and bringing their state in
// line with the session's.
#include <algorithm>
#include <span>

#include "config/backend_lookup.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/backend/extended_caps.hpp"
#include "proxy/session/client_session_impl.hpp"
#include "proxy/session/state_sync.hpp"

namespace mysqlproxy::proxy {
namespace {

constexpr int kMaxAcquireAttempts = 3;  // two replicas and the primary

bool contains(const std::vector<std::uint32_t>& ids, std::uint32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::optional<std::size_t> choose_backend(const PoolSnapshot& snap, ReplicaPicker& picker, Target target,
                                          const std::vector<std::uint32_t>& avoid,
                                          const std::function<bool(const BackendStatus&)>& accept, bool take_turn) {
  if (target == Target::kReplica) {
    auto i = picker.pick(
        snap, [&](const BackendStatus& b) { return !contains(avoid, b.id) && (!accept || accept(b)); }, take_turn);
    if (i) return i;
  }
  if (snap.primary && !contains(avoid, snap.backends[*snap.primary].id)) return snap.primary;
  return std::nullopt;
}

// The server's answer to choosing a database (at login or COM_INIT_DB) says it no longer exists.
bool database_gone(std::span<const std::uint8_t> server_error) {
  constexpr std::uint16_t kErBadDbError = 1049;  // "Unknown database '%s'"
  auto err = protocol::decode_err(server_error, protocol::Capabilities{protocol::kClientProtocol41});
  return err && err->code == kErBadDbError;
}

}  // namespace

BackendTarget ClientSession::target_of(const BackendStatus& b) const {
  BackendTarget t{b.name, b.host, b.port};
  // Discovered addresses are named "<config name>/<address>"; TLS and compression settings are
  // the config entry's.
  const config::BackendConfig* entry = config::entry_of(*config_, b.name);
  if (entry == nullptr) return t;
  t.tls = shared_.tls.get()->backend(entry->name);
  t.rsa_public_key = shared_.tls.get()->backend_rsa_key(entry->name);
  t.get_server_public_key = entry->get_server_public_key;
  t.compress = config::compress_backend(config_->compression, *entry);
  if (t.tls) {
    t.tls_server_name = entry->tls.server_name.empty() ? entry->host : entry->tls.server_name;
    t.tls_check_name = entry->tls.mode == config::BackendTlsMode::kVerifyIdentity;
  }
  return t;
}

ClientSession::MissingDatabase ClientSession::on_missing_database(std::span<const std::uint8_t> server_error,
                                                                 bool on_primary, bool last_attempt) {
  if (!database_gone(server_error) || state_.schema().empty() || checking_database_) return MissingDatabase::kAnError;
  // A replica may not have a new database yet: only the primary's word counts.
  if (!on_primary) return last_attempt ? MissingDatabase::kAnError : MissingDatabase::kTryAnother;
  // Another session dropped this session's default database. The server keeps the name for the
  // session, but no connection can choose it: go on without one, as a USE of another database or
  // a qualified name still works there.
  log_.info("database '{}' no longer exists: the session goes on without a default database", state_.schema());
  state_.after_init_db("");
  return MissingDatabase::kForgotten;
}

BackendCredentials ClientSession::credentials() const {
  BackendCredentials c;
  c.user = login_.user->name;
  if (login_.user->password_is_hash) {
    c.native_stage1 = login_.native_stage1;
  } else {
    c.password = login_.user->password;
  }
  c.database = state_.schema();
  c.client_caps = login_.caps;
  c.client_extended_caps = login_.extended_caps;
  c.collation = login_.collation;
  c.attributes = login_.attributes;
  return c;
}

void ClientSession::learn_identity(const BackendConnection& backend) {
  // Runs for new logins only (acquire()), so the copy below costs nothing on the statement path.
  auto current = shared_.identity.get();
  const std::string& version = config_->server_version.empty() ? backend.server_version() : config_->server_version;
  auto extended = current->extended_caps;
  const bool extended_changed = note_extended_caps(extended, backend.target().name, backend.server_extended_caps());
  if (current->version == version && current->collation == backend.server_collation() &&
      current->backend_caps == backend.server_caps() && !extended_changed) {
    return;
  }
  shared_.identity.set(ServerIdentity{version, backend.server_collation(), backend.server_caps(), std::move(extended)});
}

awaitable<bool> ClientSession::acquire(Target target, std::uint8_t err_seq, std::vector<std::uint32_t> avoid,
                                       const BackendFilter& accept, bool take_turn) {
  if (lease_) {  // pinned: the session keeps its connection, unless the primary moved away from it
    const auto snap = shared_.pool.get();
    const BackendStatus* primary = snap->primary_status();
    if (!lease_->on_primary || primary == nullptr || primary->id == lease_->connection->backend_id) co_return true;
    if (state_.holds_connection_state()) {
      // Its transaction (or locks, temporary tables) lives on the old primary, which takes no
      // more writes: the session ends, as it would if that server had gone.
      log_.warn("primary moved from '{}' to '{}' while the session held state there: ending it", lease_->backend_name,
                primary->name);
      count_error(ErrorKind::kPrimaryMoved);
      co_await send_error(client_, kErrBackendLost.code, kErrBackendLost.sql_state, kErrBackendLost.message, err_seq);
      discard_lease();
      end_session_ = true;
      co_return false;
    }
    log_.info("primary moved from '{}' to '{}': the session follows", lease_->backend_name, primary->name);
    state_.drop_transient_pins();
    release_lease();
  }
  // A backend that can't be reached is avoided while the others (and at last the primary) are
  // tried: the monitor may not have seen it die yet.
  for (int attempt = 0; attempt < kMaxAcquireAttempts; ++attempt) {
    const auto snap = shared_.pool.get();
    const auto index = choose_backend(*snap, worker_.picker, target, avoid, accept, take_turn);
    if (!index) {
      count_error(ErrorKind::kNoBackend);
      log_.warn("{}: refused with ERR {}", target == Target::kReplica ? "no backend can take reads" : "no primary backend is available",
                kErrNoBackend.code);
      co_await send_error(client_, kErrNoBackend.code, kErrNoBackend.sql_state, kErrNoBackend.message, err_seq);
      co_return false;
    }
    const BackendStatus& b = snap->backends[*index];
    std::unique_ptr<BackendConnection> connection;
    if (auto kept = session_pool_ ? take_kept(b.id, *snap) : std::nullopt) {
      connection = std::move(kept->connection);
      connection->carried().tainted = false;  // what it carries is this session's own doing
    } else {
      AcquireRequest req;
      req.key = pool_key(b.id, login_.user->name, login_.caps, login_.extended_caps, login_.collation);
      req.target = target_of(b);
      req.credentials = credentials();
      req.want_applied = state_.replay_hashes();
      req.want_schema = state_.schema();
      req.fresh = session_pool_;
      auto got = co_await worker_.pool.acquire(req);
      if (got.error == AcquireError::kPoolTimeout) {
        count_error(ErrorKind::kPoolTimeout);
        log_.warn("no free connection to backend '{}' within pool.acquire_timeout: refused with ERR {}", b.name,
                  kErrTooManyConnections.code);
        co_await send_error(client_, kErrTooManyConnections.code, kErrTooManyConnections.sql_state,
                            kErrTooManyConnections.message, err_seq);
        co_return false;
      }
      if (got.error == AcquireError::kBackend) {
        const auto missing =
            on_missing_database(got.failure.server_error, snap->primary == index, attempt + 1 == kMaxAcquireAttempts);
        if (missing == MissingDatabase::kTryAnother) avoid.push_back(b.id);
        if (missing == MissingDatabase::kForgotten) --attempt;  // not a failed attempt; it happens once
        if (missing != MissingDatabase::kAnError) continue;
        if (!got.failure.server_error.empty()) {
          if (!got.failure.detail.empty()) log_.warn("{}", got.failure.detail);
          co_await client_.write_packet(got.failure.server_error, err_seq);
          co_return false;
        }
        log_.warn("cannot reach backend '{}' at {}:{}: {}", b.name, b.host, b.port, got.failure.ec.message());
        if (attempt + 1 < kMaxAcquireAttempts) {
          avoid.push_back(b.id);  // another backend may take it
          continue;
        }
        count_error(ErrorKind::kBackendUnreachable);
        co_await send_error(client_, kErrBackendUnreachable.code, kErrBackendUnreachable.sql_state,
                            kErrBackendUnreachable.message, err_seq);
        co_return false;
      }
      if (got.opened) learn_identity(*got.connection);  // an idle one taught it when it was opened
      if (!answers_as_negotiated(*got.connection, login_.extended_caps)) {
        // A backend not seen when this client logged in, without the extended metadata it
        // negotiated: its column definitions would be misread. Another backend may do.
        log_.warn("backend '{}' lacks the MariaDB extended capabilities this client negotiated", b.name);
        worker_.pool.discard(std::move(got.connection));
        if (attempt + 1 < kMaxAcquireAttempts) {
          avoid.push_back(b.id);
          continue;
        }
        count_error(ErrorKind::kBackendUnreachable);
        co_await send_error(client_, kErrBackendUnreachable.code, kErrBackendUnreachable.sql_state,
                            kErrBackendUnreachable.message, err_seq);
        co_return false;
      }
      connection = std::move(got.connection);
    }
    lease_ = Lease{std::move(connection), target, snap->primary == index, b.name};
    // timeouts.query covers the replay too: a backend that hangs here is killed, then closed.
    query_timeout_ = QueryTimeout::kNone;
    watch_.begin(WaitingOn::kBackend);
    const auto synced = co_await sync_state(*lease_->connection, state_, consistency_ != config::Consistency::kEventual);
    watch_.end();
    if (synced.ok()) co_return true;
    if (!synced.error_packet.empty()) {
      const auto missing =
          on_missing_database(synced.error_packet, lease_->on_primary, attempt + 1 == kMaxAcquireAttempts);
      if (missing != MissingDatabase::kAnError) {
        release_lease();
        if (missing == MissingDatabase::kTryAnother) avoid.push_back(b.id);
        if (missing == MissingDatabase::kForgotten) --attempt;
        continue;
      }
      // The server refused part of the session's state (a variable it lacks).
      co_await client_.write_packet(synced.error_packet, err_seq);
      lease_->connection->carried().tainted = true;
      release_lease();
      co_return false;
    }
    discard_lease();
    if (attempt + 1 < kMaxAcquireAttempts) {
      avoid.push_back(b.id);
      continue;
    }
    count_error(ErrorKind::kBackendLost);
    log_.warn("lost connection to backend '{}' while restoring session state", b.name);
    co_await send_error(client_, kErrBackendLost.code, kErrBackendLost.sql_state, kErrBackendLost.message, err_seq);
    co_return false;
  }
  co_return false;
}

void ClientSession::release_lease() {
  if (!lease_) return;
  if (session_pool_) {
    kept_.push_back(std::move(*lease_));
  } else {
    worker_.pool.release(std::move(lease_->connection));
  }
  lease_.reset();
}

std::optional<Lease> ClientSession::take_kept(std::uint32_t backend_id, const PoolSnapshot& snap) {
  std::optional<Lease> found;
  for (auto it = kept_.begin(); it != kept_.end();) {
    const std::uint32_t id = it->connection->backend_id;
    const bool routed = std::ranges::any_of(
        snap.backends, [&](const BackendStatus& b) { return b.id == id && b.state != BackendState::kDown; });
    if (id == backend_id && !found) {
      found = std::move(*it);
      it = kept_.erase(it);
    } else if (!routed) {
      worker_.pool.discard(std::move(it->connection));
      it = kept_.erase(it);
    } else {
      ++it;
    }
  }
  return found;
}

void ClientSession::discard_kept() {
  for (auto& kept : kept_) worker_.pool.discard(std::move(kept.connection));
  kept_.clear();
}

void ClientSession::discard_lease() {
  if (!lease_) return;
  worker_.pool.discard(std::move(lease_->connection));
  lease_.reset();
}

}  // namespace mysqlproxy::proxy
