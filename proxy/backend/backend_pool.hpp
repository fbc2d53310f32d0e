#pragma once
// BackendPool: logged-in backend connections kept per worker thread, keyed by backend, user and
// the client capabilities that shape answers. A session leases one for a statement (or longer,
// when pinned) and gives it back; the number open to each backend is bounded across all workers,
// and sessions that find it reached wait in line (pool_waiters.hpp), woken when one comes free.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "protocol/handshake.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/backend/pool_fit.hpp"
#include "proxy/backend/pool_waiters.hpp"
#include "proxy/metrics/metrics.hpp"

namespace mysqlproxy::proxy {

// Open connections per backend id, shared by all workers: an atomic per backend, no lock.
struct ConnectionCounters {
  std::array<std::atomic<std::int32_t>, kMaxBackends> open{};
  // Sessions waiting for one of those connections, over all workers.
  PoolWaiters waiters{open};
  // Counts statements that changed accounts or privileges (GRANT, REVOKE, ...). A server gives a
  // connection its rights at login (and at USE), so one that logged in before the last change is
  // not leased again: a new session must not inherit rights the server would no longer give it.
  std::atomic<std::uint64_t> privilege_changes{0};
};

// Connections to one backend over all workers (idle = open - in use).
struct BackendConnections {
  std::uint32_t open = 0;
  std::uint32_t in_use = 0;
  std::uint32_t idle = 0;
};

struct PoolKey {
  std::uint32_t backend_id = 0;
  std::string user;
  std::uint32_t caps = 0;           // only the bits that shape answers
  std::uint32_t extended_caps = 0;  // MariaDB's, likewise
  std::uint8_t collation = 0;
  bool operator==(const PoolKey&) const = default;
};

// Capability bits that change what a backend sends or accepts: connections differing in these
// can't be shared.
inline constexpr std::uint32_t kAnswerShapingCaps =
    protocol::kClientFoundRows | protocol::kClientDeprecateEof | protocol::kClientMultiStatements |
    protocol::kClientMultiResults | protocol::kClientPsMultiResults | protocol::kClientLocalFiles |
    protocol::kClientSessionTrack | protocol::kClientIgnoreSpace | protocol::kClientLongFlag |
    protocol::kClientInteractive | protocol::kClientNoSchema;

// MariaDB extended capabilities that change answers: progress packets, a block more in each
// column definition, result sets without column definitions.
inline constexpr std::uint32_t kAnswerShapingExtendedCaps =
    protocol::kMariaDbClientProgress | protocol::kMariaDbClientExtendedMetadata | protocol::kMariaDbClientCacheMetadata;

// The pool a client's connections come from: what the client negotiated, cut to what shapes answers.
[[nodiscard]] PoolKey pool_key(std::uint32_t backend_id, std::string user, protocol::Capabilities caps,
                               std::uint32_t extended_caps, std::uint8_t collation);

// False when the connection's answers are not shaped as the client negotiated: a backend that lacks
// an extended capability the client has (the proxy presented it before that backend was seen).
[[nodiscard]] bool answers_as_negotiated(const BackendConnection& c, std::uint32_t client_extended_caps) noexcept;

struct AcquireRequest {
  PoolKey key;
  BackendTarget target;
  BackendCredentials credentials;  // database = the session's schema, used for a new connection
  std::span<const std::uint64_t> want_applied;  // the session's replay log hashes
  std::string_view want_schema;
  bool fresh = false;  // a new connection, never an idle one (pool.mode: session)

  [[nodiscard]] WantedState wanted() const noexcept { return {want_schema, want_applied}; }
};

enum class AcquireError : std::uint8_t { kNone, kPoolTimeout, kBackend };

struct AcquireResult {
  std::unique_ptr<BackendConnection> connection;
  bool opened = false;  // a new login, not an idle connection: what its greeting said is news
  AcquireError error = AcquireError::kNone;
  BackendFailure failure;  // for kBackend
};

class BackendPool {
 public:
  BackendPool(ConnectionCounters& counters, const config::Config& cfg);
  ~BackendPool();
  BackendPool(const BackendPool&) = delete;
  BackendPool& operator=(const BackendPool&) = delete;

  // An idle connection whose carried state fits best, or a new one, or after a wait of at most
  // pool.acquire_timeout, in line behind sessions already waiting, for one to come free. Each
  // worker's io_context runs on one thread (wake-ups rely on it).
  awaitable<AcquireResult> acquire(const AcquireRequest& req);
  // Back to be reused: to the oldest waiter on this worker it fits, else to the idle list, or
  // closed so that its slot serves an older waiter it can't (pool_waiters.hpp).
  void release(std::unique_ptr<BackendConnection> c);
  // Closed for good (broken, or in a state the proxy can't vouch for).
  void discard(std::unique_ptr<BackendConnection> c);
  // A client changed accounts or privileges: connections logged in before are leased no more.
  void privileges_changed() noexcept;
  // Closes idle connections that have waited too long, or whose backend `keep` rejects.
  template <class Keep>
  void sweep(std::chrono::steady_clock::time_point now, Keep&& keep) {
    for (auto& slot : slots_) {
      std::erase_if(slot.idle, [&](std::unique_ptr<BackendConnection>& c) {
        const bool expired = idle_timeout_.count() > 0 && now - c->idle_since > idle_timeout_;
        if (!expired && keep(c->backend_id)) return false;
        count_idle(c->backend_id, -1);
        close_counted(*c);
        return true;
      });
    }
  }
  void update_config(const config::Config& cfg);
  // Where acquire() records how long it waited for a connection or slot to come free (0 when it
  // did not wait; not the login of a new connection). Null: not recorded.
  void set_wait_histogram(metrics::Histogram* h) noexcept { wait_histogram_ = h; }

  struct Stats {
    std::uint32_t idle = 0;
    std::uint32_t in_use = 0;
  };
  [[nodiscard]] Stats stats(std::uint32_t backend_id) const;  // the worker's thread only
  // Connections to the backend leased out right now; safe to read from any thread.
  [[nodiscard]] std::uint32_t in_use(std::uint32_t backend_id) const noexcept;

 private:
  struct Slot {
    PoolKey key;
    std::vector<std::unique_ptr<BackendConnection>> idle;  // most recently used last
  };
  std::size_t slot_for(const PoolKey& key);
  std::unique_ptr<BackendConnection> take_idle(Slot& slot, const AcquireRequest& req);
  // Waits in line for a connection or a slot, until pool.acquire_timeout: what it was given.
  awaitable<Grant> wait_in_line(const AcquireRequest& req, std::size_t slot,
                                std::unique_ptr<BackendConnection>& handed);
  std::unique_ptr<BackendConnection> lease(std::unique_ptr<BackendConnection> c, std::size_t slot) noexcept;
  void record_wait(double seconds) noexcept {
    if (wait_histogram_ != nullptr) wait_histogram_->observe(seconds);
  }
  [[nodiscard]] bool rights_outdated(const BackendConnection& c) const noexcept;
  void close_counted(BackendConnection& c) noexcept;
  void count_idle(std::uint32_t backend_id, int by) noexcept {
    auto& n = handle_->idle[backend_id % kMaxBackends];
    n.store(n.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);  // one writer
  }
  // A waiter (of any worker) has waited kMoveAfter: closes the least recently used idle
  // connection to the backend, so the slot serves the oldest waiter.
  void close_idle_for_waiters(std::uint32_t backend_id);

  ConnectionCounters& counters_;
  std::vector<Slot> slots_;
  std::array<std::atomic<std::uint32_t>, kMaxBackends> in_use_{};
  std::array<std::int32_t, kMaxBackends> held_{};  // open connections of this pool (its thread only)
  std::shared_ptr<PoolHandle> handle_;  // how other workers ask it to close idle connections
  bool joined_ = false;                 // handle_ is in counters_.waiters
  std::int32_t max_per_backend_ = 0;
  std::chrono::milliseconds acquire_timeout_;
  std::chrono::milliseconds idle_timeout_;
  std::chrono::milliseconds connect_timeout_;
  std::size_t max_packet_size_;
  std::size_t max_statements_ = 256;
  std::size_t max_statement_bytes_ = 4u << 20;
  metrics::Histogram* wait_histogram_ = nullptr;
};

}  // namespace mysqlproxy::proxy
