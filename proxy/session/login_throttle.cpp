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

void LoginThrottle::make_room(Clock::time_point now, const ThrottlePolicy& policy) {
  if (lru_.size() < capacity_) return;
  // Only when full: one walk drops every source that expired.
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (expired(*it, now, policy)) {
      index_.erase(it->source);
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
  if (lru_.size() < capacity_) return;
  // Still full: the least recently failed source that is not blocked goes, so a flood of
  // addresses with a failure each cannot free the blocked ones; if every one is blocked, the
  // least recently failed.
  auto victim = std::ranges::find_if(lru_, [&](const Entry& e) { return e.blocked_until <= now; });
  if (victim == lru_.end()) victim = lru_.begin();
  index_.erase(victim->source);
  lru_.erase(victim);
}

bool LoginThrottle::record_failure(const SourceKey& source, Clock::time_point now, const ThrottlePolicy& policy) {
  if (policy.max_failures == 0) return false;
  std::lock_guard lock(mu_);
  auto it = index_.find(source);
  Lru::iterator entry;
  if (it == index_.end()) {
    make_room(now, policy);
    lru_.push_back(Entry{source, {}, {}});
    entry = std::prev(lru_.end());
    index_.emplace(source, entry);
  } else {
    entry = it->second;
    lru_.splice(lru_.end(), lru_, entry);  // most recently failed
  }
  size_.store(lru_.size(), std::memory_order_release);
  if (entry->blocked_until > now) return false;  // tried before the block was known
  prune(*entry, now, policy);
  entry->failures.push_back(now);
  if (entry->failures.size() < policy.max_failures) return false;
  entry->blocked_until = now + policy.block;
  entry->failures.clear();  // after the block, a fresh count
  return true;
}

std::size_t LoginThrottle::clear() {
  std::lock_guard lock(mu_);
  const std::size_t forgotten = lru_.size();
  lru_.clear();
  index_.clear();
  size_.store(0, std::memory_order_release);
  return forgotten;
}

std::vector<LoginThrottle::SourceState> LoginThrottle::sources(Clock::time_point now,
                                                               const ThrottlePolicy& policy) const {
  std::vector<SourceState> out;
  {
    std::lock_guard lock(mu_);
    for (const Entry& e : lru_) {
      if (expired(e, now, policy)) continue;
      SourceState s;
      s.source = e.source;
      s.failures = recent_failures(e, now, policy);
      if (policy.max_failures != 0 && e.blocked_until > now) s.blocked_for = e.blocked_until - now;
      out.push_back(s);
    }
  }
  std::ranges::stable_sort(out, [](const SourceState& a, const SourceState& b) {
    return a.blocked_for.has_value() && !b.blocked_for.has_value();
  });
  return out;
}

LoginThrottle::Counts LoginThrottle::counts(Clock::time_point now, const ThrottlePolicy& policy) const {
  Counts c;
  if (size_.load(std::memory_order_acquire) == 0) return c;
  std::lock_guard lock(mu_);
  for (const Entry& e : lru_) {
    if (expired(e, now, policy)) continue;
    ++c.tracked;
    if (policy.max_failures != 0 && e.blocked_until > now) ++c.blocked;
  }
  return c;
}

}  // namespace mysqlproxy::proxy
