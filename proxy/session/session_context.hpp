#pragma once
// What client sessions share. SharedState is process-wide and read-mostly: the config, the
// identity presented to clients, the pool snapshot (each behind an atomically swapped pointer),
// and per-backend connection counters. WorkerContext belongs to one worker thread: its backend
// pool and replica picker need no locks because only that thread touches them.
#include <atomic>
#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "proxy/backend/backend_pool.hpp"
#include "proxy/health/pool_snapshot.hpp"
#include "proxy/routing/replica_picker.hpp"
#include "proxy/server/server_identity.hpp"
#include "proxy/session/consistency.hpp"

namespace mysqlproxy::proxy {

class ConfigCell {
 public:
  explicit ConfigCell(std::shared_ptr<const config::Config> c) : current_(std::move(c)) {}
  [[nodiscard]] std::shared_ptr<const config::Config> get() const { return current_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const config::Config> c) { current_.store(std::move(c), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const config::Config>> current_;
};

struct SharedState {
  explicit SharedState(std::shared_ptr<const config::Config> cfg) : config(std::move(cfg)) {}
  ConfigCell config;
  ServerIdentityCell identity;
  PoolSnapshotCell pool;
  ConnectionCounters connections;
  LatestWrite latest_write;  // consistency: global
  std::atomic<std::uint64_t> next_session_id{1};
  std::atomic<std::int64_t> active_sessions{0};
};

struct WorkerContext {
  WorkerContext(SharedState& s, const config::Config& cfg) : shared(s), pool(s.connections, cfg) {}
  SharedState& shared;
  BackendPool pool;
  ReplicaPicker picker;
};

}  // namespace mysqlproxy::proxy
