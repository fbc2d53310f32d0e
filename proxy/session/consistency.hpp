#pragma once
// Read-your-writes: finding the GTID a write produced, and the statements that set up and use
// GTID tracking on a backend. Pure.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/routing/gtid.hpp"
#include "proxy/routing/gtid_wait.hpp"

namespace mysqlproxy::proxy {

// The GTID of the write an OK reported through session-state tracking: MariaDB's last_gtid system
// variable, or MySQL's SESSION_TRACK_GTIDS (session_track_gtids = OWN_GTID). Empty if neither.
[[nodiscard]] std::optional<GtidPosition> gtid_from_session_state(std::string_view changes);

// Makes a backend connection report its writes' GTIDs in OK packets.
[[nodiscard]] std::string enable_gtid_tracking_sql(ServerFlavor f);
// Asks a connection for the GTID of its last write, for clients without session tracking.
[[nodiscard]] std::string last_write_gtid_sql(ServerFlavor f);

// The newest write of any session through this proxy (consistency: global).
class LatestWrite {
 public:
  void merge(const GtidPosition& g) {
    std::lock_guard lock(mutex_);
    latest_.merge(g);
  }
  [[nodiscard]] GtidPosition get() const {
    std::lock_guard lock(mutex_);
    return latest_;
  }

 private:
  mutable std::mutex mutex_;
  GtidPosition latest_;
};

}  // namespace mysqlproxy::proxy
