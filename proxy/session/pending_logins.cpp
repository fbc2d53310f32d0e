#include "proxy/session/pending_logins.hpp"

#include <string_view>

namespace mysqlproxy::proxy {

PendingLogins::Slot& PendingLogins::Slot::operator=(Slot&& o) noexcept {
  if (this != &o) {
    reset();
    owner_ = std::exchange(o.owner_, nullptr);
    source_ = o.source_;
  }
  return *this;
}

void PendingLogins::Slot::reset() noexcept {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->close(source_);
}

std::size_t PendingLogins::KeyHash::operator()(const SourceKey& k) const noexcept {
  return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(k.data()), k.size()));
}

std::optional<PendingLogins::Slot> PendingLogins::open(const SourceKey& source, std::uint32_t max) {
  const std::lock_guard lock(mu_);
  std::uint32_t& count = counts_[source];
  if (max != 0 && count >= max) return std::nullopt;
  ++count;
  return Slot(this, source);
}

std::uint32_t PendingLogins::of(const SourceKey& source) const {
  const std::lock_guard lock(mu_);
  const auto it = counts_.find(source);
  return it == counts_.end() ? 0 : it->second;
}

void PendingLogins::close(const SourceKey& source) noexcept {
  const std::lock_guard lock(mu_);
  const auto it = counts_.find(source);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

}  // namespace mysqlproxy::proxy
