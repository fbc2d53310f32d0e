#include "proxy/backend/backend_pool.hpp"

#include <algorithm>
#include <tuple>

namespace mysqlproxy::proxy {
namespace {

// in_use_ has one writer (the worker's thread): a plain load and store, no locked instruction.
void bump(std::atomic<std::uint32_t>& n, int by) noexcept {
  n.store(static_cast<std::uint32_t>(static_cast<int>(n.load(std::memory_order_relaxed)) + by),
          std::memory_order_relaxed);
}

constexpr auto kStaleAfter = std::chrono::seconds(1);
// A waiter is served by its own worker's connections for this long before connections on other
// workers are closed for it (a close there, a login here): shorter waits are the noise of queues
// that share the load evenly, and moving connections for them costs more logins than it saves
// waiting (pool_waiters.hpp).
constexpr auto kMoveAfter = std::chrono::milliseconds(5);

// An idle connection the server has closed (wait_timeout, restart) reads as EOF at once.
bool looks_closed(BackendConnection& c) {
  auto& socket = c.stream().socket();
  std::uint8_t byte;
  error_code ec;
  socket.non_blocking(true, ec);
  const std::size_t n = socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  socket.non_blocking(false, ec);
  return n > 0 || ec != asio::error::would_block;  // data or EOF while idle: not reusable
}

// Removes a waiter from the line when its session goes while it waits (the coroutine frame is
// destroyed), passing on what it was given; and stops wake-ups from reaching its timer after.
class WaitGuard {
 public:
  WaitGuard(PoolWaiters& waiters, std::uint32_t backend_id, PoolWaiter& w, asio::steady_timer& timer)
      : waiters_(waiters), backend_id_(backend_id), waiter_(w) {
    waiter_.timer = &timer;
  }
  ~WaitGuard() {
    if (waiting_) {
      waiters_.abandon(backend_id_, waiter_);
    } else {
      waiter_.timer = nullptr;
    }
  }
  WaitGuard(const WaitGuard&) = delete;
  WaitGuard& operator=(const WaitGuard&) = delete;

  Grant finish() {
    waiting_ = false;
    waiter_.timer = nullptr;
    return waiters_.withdraw(backend_id_, waiter_);
  }

 private:
  PoolWaiters& waiters_;
  std::uint32_t backend_id_;
  PoolWaiter& waiter_;
  bool waiting_ = true;
};

// A slot reserved for a new connection goes back if the login fails, or if the session goes
// during it.
class SlotHold {
 public:
  SlotHold(PoolWaiters& waiters, std::uint32_t backend_id, const void* pool)
      : waiters_(waiters), backend_id_(backend_id), pool_(pool) {}
  ~SlotHold() {
    if (held_) waiters_.free_slot(backend_id_, pool_);
  }
  SlotHold(const SlotHold&) = delete;
  SlotHold& operator=(const SlotHold&) = delete;
  void keep() noexcept { held_ = false; }  // the connection counts it from now on

 private:
  PoolWaiters& waiters_;
  std::uint32_t backend_id_;
  const void* pool_;
  bool held_ = true;
};

}  // namespace

BackendPool::BackendPool(ConnectionCounters& counters, const config::Config& cfg)
    : counters_(counters), handle_(std::make_shared<PoolHandle>()) {
  handle_->pool = this;
  handle_->close_idle = [this](std::uint32_t backend_id) { close_idle_for_waiters(backend_id); };
  update_config(cfg);
}

BackendPool::~BackendPool() {
  handle_->alive = false;  // a request already posted finds it gone
  counters_.waiters.remove_pool(handle_.get());
  for (auto& slot : slots_) {
    for (auto& c : slot.idle) close_counted(*c);
  }
}

void BackendPool::update_config(const config::Config& cfg) {
  const auto before = max_per_backend_;
  max_per_backend_ = static_cast<std::int32_t>(cfg.pool.max_connections_per_backend);
  if (max_per_backend_ != before) {
    for (std::uint32_t id = 0; id < kMaxBackends; ++id) {
      if (counters_.waiters.any(id)) counters_.waiters.set_limit(id, max_per_backend_, this);
    }
  }
  acquire_timeout_ = cfg.pool.acquire_timeout;
  idle_timeout_ = cfg.pool.idle_timeout;
  connect_timeout_ = cfg.timeouts.connect;
  max_packet_size_ = cfg.max_packet_size;
  max_statements_ = cfg.pool.max_prepared_statements;
  max_statement_bytes_ = cfg.pool.max_prepared_statement_bytes;
}

PoolKey pool_key(std::uint32_t backend_id, std::string user, protocol::Capabilities caps, std::uint32_t extended_caps,
                 std::uint8_t collation) {
  return PoolKey{backend_id, std::move(user), caps.bits & kAnswerShapingCaps,
                 extended_caps & kAnswerShapingExtendedCaps, collation};
}

bool answers_as_negotiated(const BackendConnection& c, std::uint32_t client_extended_caps) noexcept {
  return (c.extended_caps() & kAnswerShapingExtendedCaps) == (client_extended_caps & kAnswerShapingExtendedCaps);
}

std::size_t BackendPool::slot_for(const PoolKey& key) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].key == key) return i;
  }
  slots_.push_back(Slot{key, {}});  // slots are never removed, so an index stays valid
  return slots_.size() - 1;
}

std::unique_ptr<BackendConnection> BackendPool::take_idle(Slot& slot, const AcquireRequest& req) {
  const auto now = std::chrono::steady_clock::now();
  const WantedState want = req.wanted();
  for (;;) {
    const auto best = choose_idle(slot.idle.size(), want,
                                  [&](std::size_t i) -> const CarriedState& { return slot.idle[i]->carried(); });
    if (!best) return nullptr;
    auto c = std::move(slot.idle[*best]);
    slot.idle.erase(slot.idle.begin() + static_cast<std::ptrdiff_t>(*best));
    count_idle(c->backend_id, -1);
    if (rights_outdated(*c) || (now - c->idle_since > kStaleAfter && looks_closed(*c))) {
      close_counted(*c);
      continue;
    }
    return c;
  }
}

void BackendPool::close_counted(BackendConnection& c) noexcept {
  c.close();
  --held_[c.backend_id % kMaxBackends];
  counters_.waiters.free_slot(c.backend_id, this);  // the oldest waiter may open one now
}

std::unique_ptr<BackendConnection> BackendPool::lease(std::unique_ptr<BackendConnection> c,
                                                      std::size_t slot) noexcept {
  c->pool_slot = slot;
  bump(in_use_[c->backend_id % kMaxBackends], +1);
  return c;
}

awaitable<Grant> BackendPool::wait_in_line(const AcquireRequest& req, std::size_t slot,
                                           std::unique_ptr<BackendConnection>& handed) {
  const std::uint32_t id = req.key.backend_id;
  auto waiter = std::make_shared<PoolWaiter>();
  waiter->pool = this;
  waiter->executor = co_await asio::this_coro::executor;
  waiter->slot = slot;
  waiter->request = &req;
  waiter->limit = max_per_backend_;
  waiter->since = std::chrono::steady_clock::now();
  const auto deadline = waiter->since + acquire_timeout_;
  // The timer is the deadline and the wake-up at once: whoever serves the waiter cancels it. With
  // other workers, it first ends after kMoveAfter: then their idle connections are closed for
  // the waiter.
  const bool look_elsewhere = counters_.waiters.several_pools();
  asio::steady_timer timer(waiter->executor,
                           look_elsewhere ? std::min(waiter->since + kMoveAfter, deadline) : deadline);
  WaitGuard guard(counters_.waiters, id, *waiter, timer);  // declared after the timer: goes first
  if (!counters_.waiters.enqueue(id, waiter)) {
    // Idle connections here couldn't serve it (take_idle found none): one closes for its slot.
    if (handle_->idle[id % kMaxBackends].load(std::memory_order_relaxed) > 0) close_idle_for_waiters(id);
    error_code ec;
    if (!counters_.waiters.served(id, *waiter)) std::tie(ec) = co_await timer.async_wait(kUseTuple);
    if (look_elsewhere && !counters_.waiters.served(id, *waiter) && std::chrono::steady_clock::now() < deadline) {
      counters_.waiters.close_idle_for_waiters(id, this);  // may serve this waiter at once
      if (!counters_.waiters.served(id, *waiter)) {
        // A wake-up posted meanwhile runs only once this wait has begun (one thread per worker).
        timer.expires_at(deadline);
        std::tie(ec) = co_await timer.async_wait(kUseTuple);
      }
    }
    (void)ec;  // woken or timed out: the grant below says which
  }
  const Grant grant = guard.finish();
  if (grant == Grant::kConnection) handed = std::move(waiter->connection);
  co_return grant;
}

awaitable<AcquireResult> BackendPool::acquire(const AcquireRequest& req) {
  AcquireResult result;
  const std::uint32_t id = req.key.backend_id;
  if (!joined_) {  // the first lease: now the worker's executor is known
    handle_->executor = co_await asio::this_coro::executor;
    counters_.waiters.add_pool(handle_);
    joined_ = true;
  }
  const std::size_t slot = slot_for(req.key);  // slots are never removed: the index stays valid
  if (auto c = req.fresh ? nullptr : take_idle(slots_[slot], req)) {
    record_wait(0);
    result.connection = lease(std::move(c), slot);
    co_return result;
  }
  // A free slot is taken at once only when nobody waits for one: sessions in line go first.
  if (!counters_.waiters.any(id) && counters_.waiters.reserve(id, max_per_backend_)) {
    record_wait(0);
  } else {
    const auto start = std::chrono::steady_clock::now();
    std::unique_ptr<BackendConnection> handed;
    const Grant grant = co_await wait_in_line(req, slot, handed);
    record_wait(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (grant == Grant::kNone) {
      result.error = AcquireError::kPoolTimeout;
      co_return result;
    }
    if (grant == Grant::kConnection) {
      result.connection = lease(std::move(handed), slot);
      co_return result;
    }
  }
  SlotHold hold(counters_.waiters, id, this);
  // Read before the login: a change made while it runs makes this connection outdated at once.
  const std::uint64_t changes = counters_.privilege_changes.load(std::memory_order_acquire);
  auto opened = co_await BackendConnection::open(req.target, req.credentials, connect_timeout_, max_packet_size_);
  if (!opened.connection) {
    result.error = AcquireError::kBackend;
    result.failure = std::move(opened.failure);
    co_return result;
  }
  hold.keep();
  ++held_[id % kMaxBackends];
  opened.connection->backend_id = id;
  opened.connection->privilege_changes = changes;
  opened.connection->statements().set_limits(max_statements_, max_statement_bytes_);
  result.connection = lease(std::move(opened.connection), slot);
  result.opened = true;
  co_return result;
}

void BackendPool::release(std::unique_ptr<BackendConnection> c) {
  const std::uint32_t id = c->backend_id;
  bump(in_use_[id % kMaxBackends], -1);
  if (rights_outdated(*c)) {
    close_counted(*c);
    return;
  }
  c->statements().shed_excess();  // closed before its next command: take_displaced()
  c->idle_since = std::chrono::steady_clock::now();
  if (counters_.waiters.any(id)) {
    struct Offer {
      std::size_t slot;
      const CarriedState* carried;
    };
    const Offer offer{c->pool_slot, &c->carried()};
    const auto can_take = [](const void* context, const PoolWaiter& w) {
      const auto& o = *static_cast<const Offer*>(context);
      return w.slot == o.slot && !w.request->fresh && fit(*o.carried, w.request->wanted()) >= 0;
    };
    PoolWaiters::ReleasePolicy policy;
    policy.held = held_[id % kMaxBackends];
    policy.move_after = kMoveAfter;
    policy.starving_after = acquire_timeout_ / 2;
    switch (counters_.waiters.on_release(id, this, c, policy, can_take, &offer)) {
      case AfterRelease::kHandedOff:
        return;
      case AfterRelease::kClose:
        close_counted(*c);
        return;
      case AfterRelease::kIdle:
        break;
    }
  }
  count_idle(id, +1);
  slots_[c->pool_slot].idle.push_back(std::move(c));
}

void BackendPool::close_idle_for_waiters(std::uint32_t backend_id) {
  if (!counters_.waiters.any(backend_id)) return;  // served meanwhile
  Slot* oldest = nullptr;
  for (auto& slot : slots_) {
    if (slot.key.backend_id != backend_id || slot.idle.empty()) continue;
    if (oldest == nullptr || slot.idle.front()->idle_since < oldest->idle.front()->idle_since) oldest = &slot;
  }
  if (oldest == nullptr) return;
  auto c = std::move(oldest->idle.front());
  oldest->idle.erase(oldest->idle.begin());
  count_idle(backend_id, -1);
  close_counted(*c);
}

void BackendPool::privileges_changed() noexcept {
  counters_.privilege_changes.fetch_add(1, std::memory_order_acq_rel);
}

bool BackendPool::rights_outdated(const BackendConnection& c) const noexcept {
  return c.privilege_changes < counters_.privilege_changes.load(std::memory_order_acquire);
}

void BackendPool::discard(std::unique_ptr<BackendConnection> c) {
  bump(in_use_[c->backend_id % kMaxBackends], -1);
  close_counted(*c);
}

BackendPool::Stats BackendPool::stats(std::uint32_t backend_id) const {
  Stats s;
  s.in_use = in_use(backend_id);
  for (const auto& slot : slots_) {
    if (slot.key.backend_id == backend_id) s.idle += static_cast<std::uint32_t>(slot.idle.size());
  }
  return s;
}

std::uint32_t BackendPool::in_use(std::uint32_t backend_id) const noexcept {
  return in_use_[backend_id % kMaxBackends].load(std::memory_order_relaxed);
}

}  // namespace mysqlproxy::proxy
