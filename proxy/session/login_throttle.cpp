#include "proxy/session/login_throttle.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace mysqlproxy::proxy {

SourceKey source_key(const config::IpBytes& address) noexcept {
  SourceKey key = address;
  if (!config::is_ipv4_mapped(address)) std::fill(key.begin() + 8, key.end(), std::uint8_t{0});
  return key;
}

std::string source_text(const SourceKey& source) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (config::is_ipv4_mapped(source)) {
    ::inet_ntop(AF_INET, source.data() + 12, buf, sizeof buf);
    return buf;
  }
  ::inet_ntop(AF_INET6, source.data(), buf, sizeof buf);
  return std::string(buf) + "/64";
}

ThrottlePolicy throttle_policy(const config::LimitsConfig& limits) noexcept {
  return ThrottlePolicy{limits.login_failures, limits.login_failure_window, limits.login_block_time};
}

std::size_t LoginThrottle::KeyHash::operator()(const SourceKey& k) const noexcept {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, k.data(), 8);
  std::memcpy(&b, k.data() + 8, 8);
  return std::hash<std::uint64_t>{}(a * 0x9e3779b97f4a7c15ull ^ b);
}

LoginThrottle::LoginThrottle(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}

void LoginThrottle::prune(Entry& e, Clock::time_point now, const ThrottlePolicy& policy) {
  const auto horizon = now - policy.window;
  const auto first_recent = std::ranges::find_if(e.failures, [&](Clock::time_point t) { return t > horizon; });
  e.failures.erase(e.failures.begin(), first_recent);
}

std::uint32_t LoginThrottle::recent_failures(const Entry& e, Clock::time_point now, const ThrottlePolicy& policy) {
  const auto horizon = now - policy.window;
  return static_cast<std::uint32_t>(std::ranges::count_if(e.failures, [&](Clock::time_point t) { return t > horizon; }));
}

bool LoginThrottle::expired(const Entry& e, Clock::time_point now, const ThrottlePolicy& policy) {
  return e.blocked_until <= now && (e.failures.empty() || e.failures.back() <= now - policy.window);
}

std::optional<LoginThrottle::Clock::duration> LoginThrottle::blocked_for(const SourceKey& source, Clock::time_point now,
                                                                         const ThrottlePolicy& policy) const {
  if (policy.max_failures == 0 || size_.load(std::memory_order_acquire) == 0) return std::nullopt;
  std::lock_guard lock(mu_);
  const auto it = index_.find(source);
  if (it == index_.end() || it->second->blocked_until <= now) return std::nullopt;
  return it->second->blocked_until - now;
}

void LoginThrottle::forget(Table::iterator e) {
  if (e->in_blocked) block_ends_.erase(e->block_end);
  index_.erase(e->source);
  (e->in_blocked ? blocked_ : open_).erase(e);
}

void LoginThrottle::block(Table::iterator e, Clock::time_point until) {
  e->blocked_until = until;
  e->failures.clear();  // after the block, a fresh count
  e->block_end = block_ends_.emplace(until, e);
  e->in_blocked = true;
  blocked_.splice(blocked_.end(), open_, e);
}

void LoginThrottle::make_room(Clock::time_point now, const ThrottlePolicy& policy) {
  if (open_.size() + blocked_.size() < capacity_) return;
  // Only when full, every source that expired goes. open_ is in the order of the last failure,
  // so its expired sources come first; a blocked source expires when its block ends.
  while (!open_.empty()) {
    ++eviction_steps_;
    if (!expired(open_.front(), now, policy)) break;
    forget(open_.begin());
  }
  while (!block_ends_.empty()) {
    ++eviction_steps_;
    if (block_ends_.begin()->first > now) break;
    forget(block_ends_.begin()->second);
  }
  if (open_.size() + blocked_.size() < capacity_) return;
  // Still full: the least recently failed source that is not blocked goes, so a flood of
  // addresses with a failure each cannot free the blocked ones; if every one is blocked, the
  // least recently failed.
  ++eviction_steps_;
  forget(!open_.empty() ? open_.begin() : blocked_.begin());
}

bool LoginThrottle::record_failure(const SourceKey& source, Clock::time_point now, const ThrottlePolicy& policy) {
  if (policy.max_failures == 0) return false;
  std::lock_guard lock(mu_);
  const auto found = index_.find(source);
  Table::iterator entry;
  if (found == index_.end()) {
    make_room(now, policy);
    open_.push_back(Entry{source, {}, {}});
    entry = std::prev(open_.end());
    index_.emplace(source, entry);
  } else if (!found->second->in_blocked) {
    entry = found->second;
    open_.splice(open_.end(), open_, entry);  // most recently failed
  } else if (found->second->blocked_until > now) {
    blocked_.splice(blocked_.end(), blocked_, found->second);  // most recently failed
    return false;  // tried before the block was known
  } else {
    entry = found->second;  // its block is over: a source like any other again
    block_ends_.erase(entry->block_end);
    entry->in_blocked = false;
    open_.splice(open_.end(), blocked_, entry);
  }
  publish_size();
  prune(*entry, now, policy);
  entry->failures.push_back(now);
  if (entry->failures.size() < policy.max_failures) return false;
  block(entry, now + policy.block);
  return true;
}

std::size_t LoginThrottle::clear() {
  std::lock_guard lock(mu_);
  const std::size_t forgotten = open_.size() + blocked_.size();
  open_.clear();
  blocked_.clear();
  block_ends_.clear();
  index_.clear();
  publish_size();
  return forgotten;
}

std::uint64_t LoginThrottle::eviction_steps() const {
  std::lock_guard lock(mu_);
  return eviction_steps_;
}

std::vector<LoginThrottle::SourceState> LoginThrottle::sources(Clock::time_point now,
                                                               const ThrottlePolicy& policy) const {
  std::vector<SourceState> out;
  std::lock_guard lock(mu_);
  // Blocked ones first (a source in open_ has failed since any block of its own ended), each list
  // in the order of the last failure.
  for (const Table* list : {&blocked_, &open_}) {
    for (const Entry& e : *list) {
      if (expired(e, now, policy)) continue;
      SourceState s;
      s.source = e.source;
      s.failures = recent_failures(e, now, policy);
      if (policy.max_failures != 0 && e.blocked_until > now) s.blocked_for = e.blocked_until - now;
      out.push_back(s);
    }
  }
  return out;
}

LoginThrottle::Counts LoginThrottle::counts(Clock::time_point now, const ThrottlePolicy& policy) const {
  Counts c;
  if (size_.load(std::memory_order_acquire) == 0) return c;
  std::lock_guard lock(mu_);
  for (const Table* list : {&blocked_, &open_}) {
    for (const Entry& e : *list) {
      if (expired(e, now, policy)) continue;
      ++c.tracked;
      if (policy.max_failures != 0 && e.blocked_until > now) ++c.blocked;
    }
  }
  return c;
}

}  // namespace mysqlproxy::proxy
