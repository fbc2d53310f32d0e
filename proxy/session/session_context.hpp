#pragma once
// What client sessions share. SharedState is process-wide and read-mostly: the config, the
// identity presented to clients, the pool snapshot (each behind an atomically swapped pointer),
// per-backend connection counters, client connection counts and the failed-login table.
// WorkerContext belongs to one worker thread: its backend pool and replica picker need no locks
// because only that thread touches them.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_set>

#include "config/config.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/health/backend_users_loader.hpp"
#include "proxy/health/pool_snapshot.hpp"
#include "proxy/observability/proxy_metrics.hpp"
#include "proxy/routing/replica_picker.hpp"
#include "proxy/session/connection_limits.hpp"
#include "proxy/backend/server_identity.hpp"
#include "proxy/session/consistency.hpp"
#include "proxy/session/fast_auth_cache.hpp"
#include "proxy/tls/rsa_key_pair.hpp"
#include "proxy/tls/tls_contexts.hpp"
#include "proxy/session/login_throttle.hpp"
#include "proxy/session/pending_logins.hpp"

namespace mysqlproxy::proxy {

// The config in force. Sessions compare version() (one relaxed load) before each command and
// take the new config only when a reload changed it.
class ConfigCell {
 public:
  explicit ConfigCell(std::shared_ptr<const config::Config> c) : current_(std::move(c)) {}
  [[nodiscard]] std::shared_ptr<const config::Config> get() const { return current_.load(std::memory_order_acquire); }
  [[nodiscard]] std::uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const config::Config> c) {
    current_.store(std::move(c), std::memory_order_release);
    version_.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  std::atomic<std::shared_ptr<const config::Config>> current_;
  std::atomic<std::uint64_t> version_{0};
};

// A client session as its worker sees it: something to wind down at shutdown.
class WorkerSession {
 public:
  // SIGTERM: end at the first quiet moment outside a transaction (ClientSession::end_when_quiet).
  virtual void drain() = 0;
  // The drain timeout passed: end now.
  virtual void force_close() = 0;
  // Once a second, from the worker's sweep: act on a command stalled too long (timeouts.query,
  // timeouts.client_stall).
  virtual void sweep(std::chrono::steady_clock::time_point now) = 0;
  // The health monitor marked these backends DOWN: a statement waiting on one of them is
  // abandoned (its connection closed; the session then retries an autocommit read elsewhere or
  // answers ERR 1158), so that no client waits on a frozen server past the detection time.
  virtual void abandon_statements_on(std::span<const std::uint32_t> down_backends) = 0;

 protected:
  ~WorkerSession() = default;
};

struct SharedState {
  explicit SharedState(std::shared_ptr<const config::Config> cfg) : config(std::move(cfg)) {}
  ConfigCell config;
  ServerIdentityCell identity;
  PoolSnapshotCell pool;
  ConnectionCounters connections;
  LatestWrite latest_write;  // consistency: global
  TlsCell tls;                  // contexts for clients and backends, rebuilt on reload
  std::atomic<std::shared_ptr<const RsaKeyPair>> rsa_keys;  // made when a user first needs them
  FastAuthCache fast_auth;      // caching_sha2_password
  ConnectionLimits limits;   // client connections, overall and per user (limits.*)
  LoginThrottle login_throttle;  // failed logins per source address
  PendingLogins pending_logins;  // logins in progress per source address
  BackendUsersCell backend_users;  // auth.backend_users: the primary's accounts
  std::atomic<std::uint64_t> next_session_id{1};
  std::atomic<std::int64_t> active_sessions{0};
  std::atomic<bool> draining{false};  // SIGTERM received: not ready, sessions winding down
};

struct WorkerContext {
  WorkerContext(SharedState& s, const config::Config& cfg) : shared(s), pool(s.connections, cfg) {}
  SharedState& shared;
  BackendPool pool;
  ReplicaPicker picker;
  QueryCounters query_counters;
  // Logged-in sessions of this worker (touched only on its thread); a session removes itself
  // when its run() ends.
  std::unordered_set<WorkerSession*> sessions;
};

}  // namespace mysqlproxy::proxy
