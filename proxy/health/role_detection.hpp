#pragma once
// decide_primary: which backend takes writes, from every backend's latest check. Pure.
//
// The writable one (reachable, read_only = 0) is the primary. The current primary keeps the role
// while it is writable, even if another backend is writable too (split brain: never publish two
// primaries; the caller logs and counts it). It also keeps it through failed checks until its
// state machine says DOWN, so one lost check does not stop all writes. A primary that answers
// read-only has been demoted: the role moves to the one writable backend; while there is none, it
// keeps the role, so that writes get the server's own read-only error and reads go on.
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace mysqlproxy::proxy {

struct RoleObservation {
  bool checked = false;    // has at least one check result
  bool reachable = false;  // the latest check passed
  bool read_only = true;   // from the latest check (meaningful only when reachable)
  bool down = false;       // its state machine says DOWN
};

struct RoleDecision {
  std::optional<std::size_t> primary;
  std::vector<std::size_t> writable;  // every reachable writable backend, in index order

  [[nodiscard]] bool split_brain() const noexcept { return writable.size() > 1; }
};

// `current`: the primary published so far (at start, the configured one).
RoleDecision decide_primary(std::span<const RoleObservation> backends,
                            std::optional<std::size_t> current);

}  // namespace mysqlproxy::proxy
