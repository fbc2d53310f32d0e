#pragma once
// Read-your-writes: finding the GTID a write produced, and the statements that set up and use
// GTID tracking on a backend. Pure.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/routing/gtid.hpp"

namespace mysqlproxy::proxy {

enum class ServerFlavor : std::uint8_t { kMariaDb, kMySql };

[[nodiscard]] ServerFlavor flavor_of(std::string_view server_version) noexcept;

// The GTID of the write an OK reported through session-state tracking: MariaDB's last_gtid system
// variable, or MySQL's SESSION_TRACK_GTIDS (session_track_gtids = OWN_GTID). Empty if neither.
[[nodiscard]] std::optional<GtidPosition> gtid_from_session_state(std::string_view changes);

// Makes a backend connection report its writes' GTIDs in OK packets.
[[nodiscard]] std::string enable_gtid_tracking_sql(ServerFlavor f);
// Asks a connection for the GTID of its last write, for clients without session tracking.
[[nodiscard]] std::string last_write_gtid_sql(ServerFlavor f);
// Blocks on a replica until it has applied `gtid` or `timeout` passes; answers 0 on success.
[[nodiscard]] std::string wait_for_gtid_sql(ServerFlavor f, const GtidPosition& gtid, std::chrono::milliseconds timeout);

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
