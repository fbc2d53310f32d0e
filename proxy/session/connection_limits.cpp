#include "proxy/session/connection_limits.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace mysqlproxy::proxy {

ConnectionLimits::ClientSlot& ConnectionLimits::ClientSlot::operator=(ClientSlot&& o) noexcept {
  if (this != &o) {
    reset();
    owner_ = std::exchange(o.owner_, nullptr);
  }
  return *this;
}

void ConnectionLimits::ClientSlot::reset() noexcept {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->close_client();
}

ConnectionLimits::UserSlot& ConnectionLimits::UserSlot::operator=(UserSlot&& o) noexcept {
  if (this != &o) {
    reset();
    owner_ = std::exchange(o.owner_, nullptr);
    user_ = std::move(o.user_);
  }
  return *this;
}

void ConnectionLimits::UserSlot::reset() noexcept {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->close_user(user_);
}

std::optional<ConnectionLimits::ClientSlot> ConnectionLimits::open_client(std::uint32_t max) noexcept {
  std::uint32_t now = clients_.load(std::memory_order_relaxed);
  do {
    if (max != 0 && now >= max) return std::nullopt;
  } while (!clients_.compare_exchange_weak(now, now + 1, std::memory_order_acq_rel, std::memory_order_relaxed));
  return ClientSlot(this);
}

void ConnectionLimits::close_client() noexcept { clients_.fetch_sub(1, std::memory_order_acq_rel); }

std::optional<ConnectionLimits::UserSlot> ConnectionLimits::open_user(const std::string& user, std::uint32_t max) {
  std::lock_guard lock(users_mu_);
  std::uint32_t& count = users_[user];
  if (max != 0 && count >= max) {
    if (count == 0) users_.erase(user);
    return std::nullopt;
  }
  ++count;
  return UserSlot(this, user);
}

void ConnectionLimits::close_user(const std::string& user) noexcept {
  std::lock_guard lock(users_mu_);
  const auto it = users_.find(user);
  if (it == users_.end()) return;  // cannot happen: every slot was counted
  if (--it->second == 0) users_.erase(it);
}

std::uint32_t ConnectionLimits::sessions_of(const std::string& user) const {
  std::lock_guard lock(users_mu_);
  const auto it = users_.find(user);
  return it == users_.end() ? 0 : it->second;
}

std::vector<std::pair<std::string, std::uint32_t>> ConnectionLimits::users() const {
  std::lock_guard lock(users_mu_);
  return {users_.begin(), users_.end()};
}

std::uint64_t raise_file_limit() noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    // An unlimited hard limit is not a valid soft one for descriptors (the kernel's nr_open is).
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? std::max<rlim_t>(limit.rlim_cur, 1u << 20) : limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

}  // namespace mysqlproxy::proxy
