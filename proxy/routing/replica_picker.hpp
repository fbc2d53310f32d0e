#pragma once
// ReplicaPicker: weighted round-robin over the replicas that can take reads in a snapshot. One per
// worker thread, so its counter needs no atomics.
#include <cstdint>
#include <optional>

#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

class ReplicaPicker {
 public:
  // Index into snapshot.backends of the next replica, or nothing if none takes reads.
  // `accept` may exclude candidates (e.g. one that just failed, or one behind a session's writes).
  template <class Accept>
  // `advance` = false leaves the rotation where it is (a login checking its default database must
  // not take a turn, or every new session's first read would go to the same replica).
  [[nodiscard]] std::optional<std::size_t> pick(const PoolSnapshot& snapshot, Accept&& accept, bool advance = true) noexcept {
    std::uint64_t total = 0;
    for (const auto& b : snapshot.backends) {
      if (snapshot.takes_reads(b) && accept(b)) total += b.weight;
    }
    if (total == 0) return std::nullopt;
    std::uint64_t slot = (advance ? counter_++ : counter_) % total;
    for (std::size_t i = 0; i < snapshot.backends.size(); ++i) {
      const auto& b = snapshot.backends[i];
      if (!snapshot.takes_reads(b) || !accept(b)) continue;
      if (slot < b.weight) return i;
      slot -= b.weight;
    }
    return std::nullopt;
  }
  [[nodiscard]] std::optional<std::size_t> pick(const PoolSnapshot& snapshot) noexcept {
    return pick(snapshot, [](const BackendStatus&) { return true; });
  }

 private:
  std::uint64_t counter_ = 0;
};

}  // namespace mysqlproxy::proxy
