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
#include "proxy/session/statement_plan.hpp"

namespace mysqlproxy::proxy {
namespace {

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

MissingDatabase ClientSession::on_missing_database(std::span<const std::uint8_t> server_error, bool on_primary,
                                                   bool last_attempt) {
  const auto verdict = plan_missing_database(
      {database_gone(server_error), !state_.schema().empty(), checking_database_, on_primary, last_attempt});
  if (verdict == MissingDatabase::kForgotten) {
    // Another session dropped this session's default database. The server keeps the name for the
    // session, but no connection can choose it: go on without one, as a USE of another database or
    // a qualified name still works there.
    log_.info("database '{}' no longer exists: the session goes on without a default database", state_.schema());
    state_.after_init_db("");
  }
  return verdict;
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

awaitable<Outcome<Lease*>> ClientSession::acquire(Target target, RouteReason reason, std::vector<std::uint32_t>& avoid,
                                                  const BackendFilter& accept, bool take_turn) {
  if (lease_) {  // pinned: the session keeps its connection, unless the primary moved away from it
    const auto snap = shared_.pool.get();
    const BackendStatus* primary = snap->primary_status();
    const PinnedLeaseFacts facts{lease_->on_primary, lease_->connection->backend_id,
                                 primary != nullptr ? std::optional(primary->id) : std::nullopt,
                                 state_.holds_connection_state(), state_.only_transient_pins()};
    switch (plan_pinned_lease(facts)) {
      case PinnedLease::kKeep:
        lease_->reason = reason;
        co_return &*lease_;
      case PinnedLease::kEndSession: {
        // Its transaction (or locks, temporary tables) lives on the old primary, which takes no
        // more writes: the session ends, as it would if that server had gone.
        auto error = SessionError::of(kErrBackendLost, ErrorKind::kPrimaryMoved, AfterError::kEndSession)
                         .logged(fmt::format("primary moved from '{}' to '{}' while the session held state there: ending it",
                                             lease_->backend_name, primary->name));
        discard_lease();
        co_return error;
      }
      case PinnedLease::kFollowPrimary:
        log_.info("primary moved from '{}' to '{}': the session follows", lease_->backend_name, primary->name);
        state_.drop_transient_pins();
        release_lease();
        break;
    }
  }
  for (int attempt = 0; attempt < kMaxAcquireAttempts; ++attempt) {
    const auto snap = shared_.pool.get();
    const auto index = choose_backend(*snap, worker_.picker, target, avoid, accept, take_turn);
    if (!index) {
      co_return acquire_error(AcquireFailure::kNoBackend)
          .logged(fmt::format("{}: refused with ERR {}",
                              target == Target::kReplica ? "no backend can take reads" : "no primary backend is available",
                              kErrNoBackend.code));
    }
    const BackendStatus& b = snap->backends[*index];
    const bool on_primary = snap->primary == index;
    auto failed = co_await ready_lease(*snap, b, target, reason, on_primary);
    if (!failed) co_return &*lease_;
    const bool last_attempt = attempt + 1 == kMaxAcquireAttempts;
    if (!failed->server_error.empty()) {
      const auto missing = on_missing_database(failed->server_error, on_primary, last_attempt);
      if (missing != MissingDatabase::kAnError) {
        release_lease();  // (the state replay's lease, if it got that far: nothing it holds is wrong)
        if (missing == MissingDatabase::kTryAnother) avoid.push_back(b.id);
        if (missing == MissingDatabase::kForgotten) --attempt;  // not a failed attempt; it happens once
        continue;
      }
    }
    if (failed->kind == AcquireFailure::kStateRefused) {  // a variable the server lacks: lease_ holds it
      lease_->connection->carried().tainted = true;
      release_lease();
    }
    if (plan_after_acquire_failure(failed->kind, attempt) == Verdict::kRetryElsewhere) {
      log_.warn("{}", failed->log);
      avoid.push_back(b.id);  // another backend may take it; later retries of the command skip it too
      continue;
    }
    if (!failed->server_error.empty()) co_return SessionError::relayed(std::move(failed->server_error)).logged(failed->log);
    co_return acquire_error(failed->kind).logged(std::move(failed->log));
  }
  co_return acquire_error(AcquireFailure::kUnreachable);  // (not reached: the last attempt returns)
}

awaitable<std::optional<ClientSession::LeaseFailure>> ClientSession::ready_lease(const PoolSnapshot& snap,
                                                                                const BackendStatus& b, Target target,
                                                                                RouteReason reason, bool on_primary) {
  std::unique_ptr<BackendConnection> connection;
  if (auto kept = session_pool_ ? take_kept(b.id, snap) : std::nullopt) {
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
      co_return LeaseFailure{AcquireFailure::kPoolTimeout, {},
                             fmt::format("no free connection to backend '{}' within pool.acquire_timeout: refused with ERR {}",
                                         b.name, kErrTooManyConnections.code)};
    }
    if (got.error == AcquireError::kBackend) {
      if (!got.failure.server_error.empty()) {
        co_return LeaseFailure{AcquireFailure::kRefused, std::move(got.failure.server_error), got.failure.detail};
      }
      co_return LeaseFailure{AcquireFailure::kUnreachable, {},
                             fmt::format("cannot reach backend '{}' at {}:{}: {}", b.name, b.host, b.port,
                                         got.failure.ec.message())};
    }
    if (got.opened) learn_identity(*got.connection);  // an idle one taught it when it was opened
    if (!answers_as_negotiated(*got.connection, login_.extended_caps)) {
      // A backend not seen when this client logged in, without the extended metadata it
      // negotiated: its column definitions would be misread. Another backend may do.
      worker_.pool.discard(std::move(got.connection));
      co_return LeaseFailure{AcquireFailure::kLacksCaps, {},
                             fmt::format("backend '{}' lacks the MariaDB extended capabilities this client negotiated", b.name)};
    }
    connection = std::move(got.connection);
  }
  lease_ = Lease{std::move(connection), target, on_primary, b.name, reason};
  // timeouts.query covers the replay too: a backend that hangs here is killed, then closed.
  query_timeout_ = QueryTimeout::kNone;
  watch_.begin(WaitingOn::kBackend);
  const auto synced = co_await sync_state(*lease_->connection, state_, consistency_ != config::Consistency::kEventual);
  watch_.end();
  if (synced.ok()) co_return std::nullopt;
  if (!synced.error_packet.empty()) {
    co_return LeaseFailure{AcquireFailure::kStateRefused, synced.error_packet, {}};  // the lease stays: see acquire()
  }
  discard_lease();
  co_return LeaseFailure{AcquireFailure::kStateLost, {},
                         fmt::format("lost connection to backend '{}' while restoring session state", b.name)};
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
