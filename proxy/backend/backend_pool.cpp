#include "proxy/backend/backend_pool.hpp"

#include <algorithm>

namespace mysqlproxy::proxy {
namespace {

// in_use_ has one writer (the worker's thread): a plain load and store, no locked instruction.
void bump(std::atomic<std::uint32_t>& n, int by) noexcept {
  n.store(static_cast<std::uint32_t>(static_cast<int>(n.load(std::memory_order_relaxed)) + by),
          std::memory_order_relaxed);
}

}  // namespace
namespace {

constexpr std::size_t kScanLimit = 16;  // idle connections examined for the best state match
constexpr auto kWaitStep = std::chrono::milliseconds(5);
constexpr auto kStaleAfter = std::chrono::seconds(1);

// How well a connection's carried state fits what the session wants; negative: unusable.
int fit(const CarriedState& have, const AcquireRequest& req) {
  // A connection with a database selected can't go back to none.
  if (req.want_schema.empty() && !have.schema.empty()) return -1;
  int score = have.schema == req.want_schema ? 1 : 0;
  if (have.tainted) return score;
  const auto& applied = have.applied;
  if (applied.size() > req.want_applied.size() ||
      !std::equal(applied.begin(), applied.end(), req.want_applied.begin())) {
    return score;  // needs a reset first
  }
  return score + (applied.size() == req.want_applied.size() ? 4 : 2);
}

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

}  // namespace

BackendPool::BackendPool(ConnectionCounters& counters, const config::Config& cfg) : counters_(counters) {
  update_config(cfg);
}

BackendPool::~BackendPool() {
  for (auto& slot : slots_) {
    for (auto& c : slot.idle) close_counted(*c);
  }
}

void BackendPool::update_config(const config::Config& cfg) {
  max_per_backend_ = static_cast<std::int32_t>(cfg.pool.max_connections_per_backend);
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
  for (;;) {
    int best_score = -1;
    std::size_t best = 0;
    const std::size_t n = slot.idle.size();
    for (std::size_t k = 0; k < std::min(n, kScanLimit); ++k) {
      const std::size_t i = n - 1 - k;
      const int score = fit(slot.idle[i]->carried(), req);
      if (score > best_score) {
        best_score = score;
        best = i;
        if (score >= 5) break;  // same schema, same state: can't do better
      }
    }
    if (best_score < 0) return nullptr;
    auto c = std::move(slot.idle[best]);
    slot.idle.erase(slot.idle.begin() + static_cast<std::ptrdiff_t>(best));
    if (rights_outdated(*c) || (now - c->idle_since > kStaleAfter && looks_closed(*c))) {
      close_counted(*c);
      continue;
    }
    return c;
  }
}

bool BackendPool::reserve(std::uint32_t backend_id) noexcept {
  auto& open = counters_.open[backend_id % kMaxBackends];
  std::int32_t current = open.load(std::memory_order_relaxed);
  while (current < max_per_backend_) {
    if (open.compare_exchange_weak(current, current + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

void BackendPool::close_counted(BackendConnection& c) noexcept {
  c.close();
  counters_.open[c.backend_id % kMaxBackends].fetch_sub(1, std::memory_order_relaxed);
}

awaitable<AcquireResult> BackendPool::acquire(const AcquireRequest& req) {
  AcquireResult result;
  const std::uint32_t id = req.key.backend_id;
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  for (;;) {
    const std::size_t slot = slot_for(req.key);  // re-find: the vector may have grown while we waited
    if (auto c = req.fresh ? nullptr : take_idle(slots_[slot], req)) {
      c->pool_slot = slot;
      bump(in_use_[id % kMaxBackends], +1);
      result.connection = std::move(c);
      co_return result;
    }
    if (reserve(id)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.error = AcquireError::kPoolTimeout;
      co_return result;
    }
    // At the limit: wait a little for a connection to come back (on any worker).
    asio::steady_timer pause(co_await asio::this_coro::executor, kWaitStep);
    co_await pause.async_wait(kUseTuple);
  }
  // Read before the login: a change made while it runs makes this connection outdated at once.
  const std::uint64_t changes = counters_.privilege_changes.load(std::memory_order_acquire);
  auto opened = co_await BackendConnection::open(req.target, req.credentials, connect_timeout_, max_packet_size_);
  if (!opened.connection) {
    counters_.open[id % kMaxBackends].fetch_sub(1, std::memory_order_relaxed);
    result.error = AcquireError::kBackend;
    result.failure = std::move(opened.failure);
    co_return result;
  }
  opened.connection->backend_id = id;
  opened.connection->privilege_changes = changes;
  opened.connection->statements().set_limits(max_statements_, max_statement_bytes_);
  opened.connection->pool_slot = slot_for(req.key);
  bump(in_use_[id % kMaxBackends], +1);
  result.connection = std::move(opened.connection);
  result.opened = true;
  co_return result;
}

void BackendPool::release(std::unique_ptr<BackendConnection> c) {
  bump(in_use_[c->backend_id % kMaxBackends], -1);
  if (rights_outdated(*c)) {
    close_counted(*c);
    return;
  }
  c->statements().shed_excess();  // closed before its next command: take_displaced()
  c->idle_since = std::chrono::steady_clock::now();
  slots_[c->pool_slot].idle.push_back(std::move(c));
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
