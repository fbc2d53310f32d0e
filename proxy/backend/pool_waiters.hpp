#pragma once
// PoolWaiters: the connection slots to each backend (pool.max_connections_per_backend, counted
// over all workers) and the sessions waiting for one, in arrival order.
//
// A waiter is served in one of two ways, as with PgBouncer's reuse_on_release:
// - a connection coming back to its own worker's pool, fitting its key and state, is handed to it
//   directly, without passing through the idle list (oldest such waiter first);
// - a freed slot (a connection closed anywhere) goes to the oldest waiter, which opens a
//   connection of its own: a connection lives on its worker's io_context and can't move.
// Across workers the order is relaxed, because serving a waiter elsewhere costs a close there and
// a login here; in strict order that happened on about a quarter of all leases under pressure
// (64 clients, 4 connections per backend, 2 workers). So a waiter is served by its own worker
// first. Once it has waited `move_after` (a few ms), a pool gets a connection back that no waiter
// of its own can take, or while it holds more than its share (which follows how many of the
// waiters are its own), closes it for that waiter's sake, and so does a pool holding idle
// connections to the backend. Once it has waited half its acquire timeout, any connection
// coming back is closed for it first.
// Wake-ups: a waiter on the same worker is woken in place, one on another worker by a wake-up
// posted to its executor. Whoever serves a waiter removes it under the lock, so a waiter that
// timed out (removed itself first) is never served, and one served as its time runs out takes
// what it got.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "proxy/net/asio.hpp"

namespace mysqlproxy::proxy {

inline constexpr std::size_t kMaxBackends = 1024;

class BackendConnection;
struct AcquireRequest;

enum class Grant : std::uint8_t { kNone, kSlot, kConnection };

struct PoolWaiter {
  PoolWaiter();
  ~PoolWaiter();
  PoolWaiter(const PoolWaiter&) = delete;
  PoolWaiter& operator=(const PoolWaiter&) = delete;

  const void* pool = nullptr;        // the waiting worker's pool: compared, never dereferenced
  asio::any_io_executor executor;    // the waiting worker's
  std::size_t slot = 0;              // the pool slot (key) it waits in
  const AcquireRequest* request = nullptr;  // read by its own pool only, on its thread
  std::int32_t limit = 0;            // pool.max_connections_per_backend when it began to wait
  std::chrono::steady_clock::time_point since;
  // Set, under the lock, by whoever serves it.
  Grant grant = Grant::kNone;
  std::unique_ptr<BackendConnection> connection;  // kConnection: handed over on its own worker
  // The waiter's thread only: cancelled to wake it; null once it has stopped waiting.
  asio::steady_timer* timer = nullptr;
};

// What a pool does with a connection that comes back while someone waits for its backend.
enum class AfterRelease : std::uint8_t {
  kIdle,       // to the idle list: nobody waits after all, or only younger waiters elsewhere
  kHandedOff,  // given to a waiter on this worker
  kClose,      // close it: its slot serves an older waiter it can't
};

// A worker's pool as the other workers see it: where to ask it to close an idle connection.
struct PoolHandle {
  PoolHandle();
  ~PoolHandle();
  PoolHandle(const PoolHandle&) = delete;
  PoolHandle& operator=(const PoolHandle&) = delete;

  const void* pool = nullptr;
  asio::any_io_executor executor;  // its worker's
  // Its idle connections per backend: written by its thread, read by any.
  std::array<std::atomic<std::int32_t>, kMaxBackends> idle{};
  // Closes its least recently used idle connection to the backend; run on its thread only, and
  // only while `alive`.
  std::function<void(std::uint32_t backend_id)> close_idle;
  std::atomic<bool> alive{true};
};

class PoolWaiters {
 public:
  using WaiterPtr = std::shared_ptr<PoolWaiter>;

  explicit PoolWaiters(std::array<std::atomic<std::int32_t>, kMaxBackends>& open) : open_(open) {}
  PoolWaiters(const PoolWaiters&) = delete;
  PoolWaiters& operator=(const PoolWaiters&) = delete;

  // Someone waits for the backend: one load, all the path without waiters pays.
  [[nodiscard]] bool any(std::uint32_t backend_id) const noexcept {
    return queue(backend_id).count.load(std::memory_order_relaxed) > 0;
  }
  [[nodiscard]] std::size_t waiting(std::uint32_t backend_id) const noexcept;

  // Takes a slot if fewer than `limit` are taken. Doesn't look at the queue: callers that must
  // not jump it check any() first.
  [[nodiscard]] bool reserve(std::uint32_t backend_id, std::int32_t limit) noexcept;
  // A connection to the backend closed (or a slot went unused): the slot goes to the oldest
  // waiter, if any. `from`: the pool calling, on its own thread (null: anywhere).
  void free_slot(std::uint32_t backend_id, const void* from);
  // pool.max_connections_per_backend changed: the waiters take the new limit, and free slots go
  // to them, oldest first.
  void set_limit(std::uint32_t backend_id, std::int32_t limit, const void* from);

  // Queues the waiter last; free slots are then served oldest first, which may serve it at once
  // (true). Otherwise it waits on its timer (PoolWaiter::timer, set before) until woken.
  bool enqueue(std::uint32_t backend_id, const WaiterPtr& w);
  // The waiter stops waiting (woken, or its time is up): what it was given, or kNone when it
  // left the queue unserved. After this no one serves it.
  Grant withdraw(std::uint32_t backend_id, PoolWaiter& w);
  // Its session went away while it waited: it leaves the queue, and a slot or connection it
  // had been given goes to the next waiter.
  void abandon(std::uint32_t backend_id, PoolWaiter& w);
  // The waiter has been served (the grant stays: withdraw() takes it).
  [[nodiscard]] bool served(std::uint32_t backend_id, const PoolWaiter& w);

  // Pools that can be asked to close idle connections. A pool joins once it knows its worker's
  // executor, and leaves in its destructor.
  void add_pool(std::shared_ptr<PoolHandle> pool);
  void remove_pool(const PoolHandle* pool);
  // More than one worker's pool: connections may be parked where a waiter can't use them.
  [[nodiscard]] bool several_pools() const noexcept { return pool_count_.load(std::memory_order_relaxed) > 1; }
  // A waiter has waited `move_after`: every pool with an idle connection to the backend (its own
  // included, where they can't serve it) is asked to close one, so the slot serves the oldest
  // waiter. `from`: the asking pool, on its own thread.
  void close_idle_for_waiters(std::uint32_t backend_id, const void* from);

  // How a pool weighs a connection that comes back against the waiters it can't serve.
  struct ReleasePolicy {
    std::int32_t held = 0;  // connections the pool holds to the backend, this one included
    // An older waiter it can't serve (another worker's, another key's) gets this connection's
    // slot (it is closed) once that waiter has waited `move_after`, if no waiter here can take
    // the connection or the pool holds more than its share; and once it has waited
    // `starving_after`, whatever the shares.
    std::chrono::steady_clock::duration move_after{};
    std::chrono::steady_clock::duration starving_after{};
  };
  // Whether a waiter of this pool can take the connection (same key, usable state).
  using CanTake = bool (*)(const void* context, const PoolWaiter& w);

  // Pool `from` got `c` back while someone waits: hands it to the oldest waiter on this worker
  // that can take it, unless an older one it can't serve goes first (see the top and
  // ReleasePolicy); then the caller closes it and the slot serves that one.
  AfterRelease on_release(std::uint32_t backend_id, const void* from, std::unique_ptr<BackendConnection>& c,
                          const ReleasePolicy& policy, CanTake can_take, const void* context);

  // A worker's share of `limit` connections when `mine` of `waiting` waiters are its own: at
  // least 1, rounded up.
  [[nodiscard]] static std::int64_t share(std::int32_t limit, std::size_t mine, std::size_t waiting) noexcept {
    const auto n = static_cast<std::int64_t>(limit) * static_cast<std::int64_t>(mine);
    const auto d = static_cast<std::int64_t>(waiting);
    return std::max<std::int64_t>(1, (n + d - 1) / d);
  }

 private:
  struct Queue {
    std::mutex mutex;
    std::vector<WaiterPtr> fifo;         // oldest first
    std::atomic<std::int32_t> count{0};  // fifo.size(), for any() without the lock
  };

  Queue& queue(std::uint32_t backend_id) noexcept { return queues_[backend_id % kMaxBackends]; }
  const Queue& queue(std::uint32_t backend_id) const noexcept { return queues_[backend_id % kMaxBackends]; }
  static WaiterPtr remove_at(Queue& q, std::size_t i);
  // Under q's lock.
  void serve_locked(Queue& q, std::uint32_t backend_id, const void* from);
  static void wake(const WaiterPtr& w, const void* from);

  std::array<std::atomic<std::int32_t>, kMaxBackends>& open_;
  std::array<Queue, kMaxBackends> queues_;
  std::mutex pools_mutex_;
  std::vector<std::shared_ptr<PoolHandle>> pools_;
  std::atomic<std::size_t> pool_count_{0};
};

}  // namespace mysqlproxy::proxy
