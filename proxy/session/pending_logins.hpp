#pragma once
// PendingLogins: connections from one source address (login_throttle's SourceKey: an IPv4
// address or an IPv6 /64) that have not finished their login, over all workers. A login holds a
// slot from connect to its end, whichever way it ends: the RAII slot gives the count back.
//
// Why: before a login succeeds, each connection costs memory a stranger chooses (its handshake
// response, up to the login packet cap) and a handshake timeout's worth of time. Without a cap
// per source, one address can open thousands and hold them; max_client_connections alone would
// then lock everyone else out too.
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include "proxy/session/login_throttle.hpp"

namespace mysqlproxy::proxy {

class PendingLogins {
 public:
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), source_(o.source_) {}
    Slot& operator=(Slot&& o) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { reset(); }
    void reset() noexcept;
    [[nodiscard]] bool held() const noexcept { return owner_ != nullptr; }

   private:
    friend class PendingLogins;
    Slot(PendingLogins* owner, const SourceKey& source) : owner_(owner), source_(source) {}
    PendingLogins* owner_ = nullptr;
    SourceKey source_{};
  };

  PendingLogins() = default;
  PendingLogins(const PendingLogins&) = delete;
  PendingLogins& operator=(const PendingLogins&) = delete;

  // A login from `source`, unless it has `max` (0 = no limit) in progress already.
  [[nodiscard]] std::optional<Slot> open(const SourceKey& source, std::uint32_t max);
  // Logins in progress from `source` now.
  [[nodiscard]] std::uint32_t of(const SourceKey& source) const;

 private:
  struct KeyHash {
    std::size_t operator()(const SourceKey& k) const noexcept;
  };
  void close(const SourceKey& source) noexcept;

  mutable std::mutex mu_;
  std::unordered_map<SourceKey, std::uint32_t, KeyHash> counts_;  // only sources with a login in progress
};

}  // namespace mysqlproxy::proxy
