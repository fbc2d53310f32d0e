#pragma once
// HealthMonitor: checks every backend on its own thread (so one stuck server cannot delay the
// others), turns the results into states with hysteresis (state_machine.hpp), finds the primary
// (role_detection.hpp), expands DNS names with several addresses (discovery.hpp) and publishes
// it all as one immutable PoolSnapshot whenever something sessions route by changes, and at
// least every interval. Self-contained: main.cpp constructs it, calls start(), and stop() at
// shutdown. Errors never leave it as exceptions; they are logged and shown in the snapshot.
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "config/config.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

struct MonitorState;

class HealthMonitor {
 public:
  // Called on a monitor thread for every published state change (for metrics). Must not block
  // and must not call back into the monitor (it may run under the monitor's locks).
  using StateCallback = std::function<void(const BackendStatus& backend, BackendState from,
                                           BackendState to, std::string_view reason)>;

  // Publishes the initial snapshot at once, from the config alone: roles as configured, every
  // backend UP. `out` must outlive the monitor.
  HealthMonitor(std::shared_ptr<const config::Config> cfg, PoolSnapshotCell& out);
  ~HealthMonitor();  // stop()
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // Starts the checks (the first run at once), the publisher and the discovery thread. Once.
  void start();
  // Ends every thread; returns within about health.timeout even if a server hangs (a check
  // stuck in connect is left to finish on its own). Idempotent.
  void stop();

  // Reload: backends added (they start DOWN and join after up_after good checks) or removed
  // (DRAINING for one discovery interval, then dropped); thresholds, interval, timeout,
  // credentials and heartbeat settings apply from each backend's next check.
  void update_config(std::shared_ptr<const config::Config> cfg);

  // Operator override: DRAINING (no new work) until enable(), while checks keep running. `name`
  // is a published name ("replica1", "replica1/10.0.0.7") or a config name (all its addresses).
  // False if no backend has that name.
  bool drain(std::string_view name);
  bool enable(std::string_view name);

  // Checks that found a second writable backend next to the primary.
  [[nodiscard]] std::uint64_t split_brain_detected_total() const;

  // Set before start().
  void set_state_callback(StateCallback callback);

 private:
  std::shared_ptr<MonitorState> state_;
};

}  // namespace mysqlproxy::proxy
