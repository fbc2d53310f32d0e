#pragma once
// caching_sha2_password's fast-auth cache, as a MySQL server keeps it: after a user has once
// proved the password in full (over TLS, or through the RSA exchange), later logins are checked
// with the scramble alone. Keyed by the password's digest too, so a changed password in a
// reloaded config needs a full login again. Shared by all workers.
#include <mutex>
#include <string>
#include <unordered_map>

#include "protocol/auth.hpp"

namespace mysqlproxy::proxy {

class FastAuthCache {
 public:
  [[nodiscard]] bool contains(const std::string& user, const protocol::Sha256Digest& stage2) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(user);
    return it != entries_.end() && it->second == stage2;
  }
  void add(const std::string& user, const protocol::Sha256Digest& stage2) {
    std::lock_guard lock(mu_);
    // Only users that proved their password get here, so the table is bounded by the config's
    // users; the cap only guards against a config with a huge user list.
    if (entries_.size() >= kMaxEntries && !entries_.contains(user)) entries_.clear();
    entries_[user] = stage2;
  }

 private:
  static constexpr std::size_t kMaxEntries = 100000;
  mutable std::mutex mu_;
  std::unordered_map<std::string, protocol::Sha256Digest> entries_;
};

}  // namespace mysqlproxy::proxy
