#include "proxy/backend/pool_waiters.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "proxy/backend/backend_connection.hpp"

namespace mysqlproxy::proxy {

PoolWaiter::PoolWaiter() = default;
PoolWaiter::~PoolWaiter() = default;
PoolHandle::PoolHandle() = default;
PoolHandle::~PoolHandle() = default;

std::size_t PoolWaiters::waiting(std::uint32_t backend_id) const noexcept {
  return static_cast<std::size_t>(std::max(0, queue(backend_id).count.load(std::memory_order_acquire)));
}

bool PoolWaiters::reserve(std::uint32_t backend_id, std::int32_t limit) noexcept {
  auto& open = open_[backend_id % kMaxBackends];
  std::int32_t current = open.load();
  while (current < limit) {
    if (open.compare_exchange_weak(current, current + 1)) return true;
  }
  return false;
}

void PoolWaiters::free_slot(std::uint32_t backend_id, const void* from) {
  open_[backend_id % kMaxBackends].fetch_sub(1);
  // Both sequentially consistent, as enqueue's count and reserve: either this sees the waiter, or
  // the waiter's reserve sees the freed slot. No wake-up is lost.
  Queue& q = queue(backend_id);
  if (q.count.load() == 0) return;
  std::lock_guard lock(q.mutex);
  serve_locked(q, backend_id, from);
}

void PoolWaiters::set_limit(std::uint32_t backend_id, std::int32_t limit, const void* from) {
  Queue& q = queue(backend_id);
  std::lock_guard lock(q.mutex);
  for (auto& w : q.fifo) w->limit = limit;
  serve_locked(q, backend_id, from);
}

bool PoolWaiters::enqueue(std::uint32_t backend_id, const WaiterPtr& w) {
  Queue& q = queue(backend_id);
  std::lock_guard lock(q.mutex);
  q.fifo.push_back(w);
  q.count.fetch_add(1);
  // A slot freed since the caller last looked went unserved if it saw no waiter: serve it now.
  serve_locked(q, backend_id, w->pool);
  return w->grant != Grant::kNone;
}

Grant PoolWaiters::withdraw(std::uint32_t backend_id, PoolWaiter& w) {
  Queue& q = queue(backend_id);
  std::lock_guard lock(q.mutex);
  if (w.grant != Grant::kNone) return w.grant;  // served: already out of the queue
  const auto it = std::find_if(q.fifo.begin(), q.fifo.end(), [&](const WaiterPtr& p) { return p.get() == &w; });
  if (it != q.fifo.end()) remove_at(q, static_cast<std::size_t>(it - q.fifo.begin()));
  return Grant::kNone;
}

void PoolWaiters::abandon(std::uint32_t backend_id, PoolWaiter& w) {
  w.timer = nullptr;
  switch (withdraw(backend_id, w)) {
    case Grant::kNone:
      return;
    case Grant::kConnection:
      w.connection->close();
      w.connection.reset();
      break;
    case Grant::kSlot:
      break;
  }
  // Nobody is left to use it: the slot goes on to the next waiter.
  free_slot(backend_id, nullptr);
}

AfterRelease PoolWaiters::on_release(std::uint32_t backend_id, const void* from, std::unique_ptr<BackendConnection>& c,
                                     const ReleasePolicy& policy, CanTake can_take, const void* context) {
  Queue& q = queue(backend_id);
  std::lock_guard lock(q.mutex);
  if (q.fifo.empty()) return AfterRelease::kIdle;
  std::size_t mine = 0;
  std::size_t taker = q.fifo.size();
  for (std::size_t i = 0; i < q.fifo.size(); ++i) {
    if (q.fifo[i]->pool != from) continue;
    ++mine;
    if (taker == q.fifo.size() && can_take(context, *q.fifo[i])) taker = i;
  }
  if (taker != 0) {  // an older waiter this connection can't serve
    const PoolWaiter& oldest = *q.fifo.front();
    const auto waited = std::chrono::steady_clock::now() - oldest.since;
    const bool none_here = taker == q.fifo.size();
    // One of ours that can't take it (another key, or a state it can't go back from) needs a slot.
    if (none_here && oldest.pool == from) return AfterRelease::kClose;
    const bool yield = none_here || policy.held > share(oldest.limit, mine, q.fifo.size());
    if (waited > policy.starving_after || (yield && waited > policy.move_after)) return AfterRelease::kClose;
    // A younger one is served by its own worker for now: it asks again once it has waited longer.
    if (none_here) return AfterRelease::kIdle;
  }
  WaiterPtr w = remove_at(q, taker);
  w->grant = Grant::kConnection;
  w->connection = std::move(c);
  wake(w, from);
  return AfterRelease::kHandedOff;
}

bool PoolWaiters::served(std::uint32_t backend_id, const PoolWaiter& w) {
  std::lock_guard lock(queue(backend_id).mutex);
  return w.grant != Grant::kNone;
}

void PoolWaiters::add_pool(std::shared_ptr<PoolHandle> pool) {
  std::lock_guard lock(pools_mutex_);
  pools_.push_back(std::move(pool));
  pool_count_.store(pools_.size(), std::memory_order_relaxed);
}

void PoolWaiters::remove_pool(const PoolHandle* pool) {
  std::lock_guard lock(pools_mutex_);
  std::erase_if(pools_, [&](const std::shared_ptr<PoolHandle>& p) { return p.get() == pool; });
  pool_count_.store(pools_.size(), std::memory_order_relaxed);
}

void PoolWaiters::close_idle_for_waiters(std::uint32_t backend_id, const void* from) {
  std::lock_guard lock(pools_mutex_);
  for (const auto& p : pools_) {
    if (p->idle[backend_id % kMaxBackends].load(std::memory_order_relaxed) <= 0) continue;
    if (p->pool == from) {
      p->close_idle(backend_id);  // our own thread
      continue;
    }
    asio::post(p->executor, [p, backend_id] {
      if (p->alive.load()) p->close_idle(backend_id);
    });
  }
}

PoolWaiters::WaiterPtr PoolWaiters::remove_at(Queue& q, std::size_t i) {
  WaiterPtr w = std::move(q.fifo[i]);
  q.fifo.erase(q.fifo.begin() + static_cast<std::ptrdiff_t>(i));
  q.count.fetch_sub(1);
  return w;
}

void PoolWaiters::serve_locked(Queue& q, std::uint32_t backend_id, const void* from) {
  while (!q.fifo.empty() && reserve(backend_id, q.fifo.front()->limit)) {
    WaiterPtr w = remove_at(q, 0);
    w->grant = Grant::kSlot;
    wake(w, from);
  }
}

void PoolWaiters::wake(const WaiterPtr& w, const void* from) {
  // Under the queue's lock: cancel() only queues the waiter's completion, and post() only queues.
  if (from != nullptr && w->pool == from) {
    if (w->timer != nullptr) w->timer->cancel();  // same worker, same thread
    return;
  }
  asio::post(w->executor, [w] {
    if (w->timer != nullptr) w->timer->cancel();  // null: it stopped waiting meanwhile
  });
}

}  // namespace mysqlproxy::proxy
