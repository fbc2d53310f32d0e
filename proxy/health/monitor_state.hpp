#pragma once
// Internal to the health monitor: what its threads share. Everything lives in shared_ptrs so a
// worker left behind by stop() (stuck in connect) can finish safely on its own.
//
// Lock order: MonitorState::endpoints_mu, then Endpoint::mu. Neither is held during I/O.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "proxy/health/backend_probe.hpp"
#include "proxy/health/discovery.hpp"
#include "proxy/health/health_monitor.hpp"
#include "proxy/health/pool_snapshot.hpp"
#include "proxy/health/state_machine.hpp"

namespace mysqlproxy::proxy {

inline constexpr std::uint32_t kNoPrimary = UINT32_MAX;

// One checked server: a configured backend at one address.
struct Endpoint {
  Endpoint(std::uint32_t id_, EndpointKey key_, std::string configured_host_,
           BackendStateMachine machine_)
      : id(id_),
        key(std::move(key_)),
        configured_host(std::move(configured_host_)),
        machine(machine_) {}

  const std::uint32_t id;
  BackendProbe probe;  // used by the worker thread only (interrupt() from anywhere)

  mutable std::mutex mu;  // guards everything below
  EndpointKey key;
  std::string configured_host;  // the config's host it came from
  std::string name;             // published name, kept current by the monitor
  std::size_t config_index = 0;
  std::uint32_t weight = 1;
  BackendStateMachine machine;
  std::optional<CheckResult> last;
  std::uint64_t checks = 0;
  std::uint64_t checks_failed = 0;
  bool vanished = false;  // DRAINING until drop_at, then removed
  std::chrono::steady_clock::time_point drop_at{};

  std::condition_variable wake;  // with mu: ends the wait between checks early
  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};
  std::thread thread;
};

struct MonitorState {
  explicit MonitorState(PoolSnapshotCell& out_) : out(out_) {}

  // Read once per check; a mutex rather than std::atomic<std::shared_ptr> (whose libstdc++ 12
  // implementation ThreadSanitizer reports).
  [[nodiscard]] std::shared_ptr<const config::Config> config() const {
    std::lock_guard lock(config_mu);
    return config_;
  }
  void set_config(std::shared_ptr<const config::Config> cfg) {
    std::lock_guard lock(config_mu);
    config_ = std::move(cfg);
  }
  PoolSnapshotCell& out;  // touched by the publisher only, which stop() always joins

  std::atomic<std::uint32_t> primary_id{kNoPrimary};
  // No primary, or its latest check failed: replicas waiting for it are not held against.
  std::atomic<bool> source_unreachable{false};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> split_brain_total{0};

  // Wakes the publisher (dirty) and the discovery thread (rediscover).
  std::mutex signal_mu;
  std::condition_variable signal;
  bool dirty = false;
  bool rediscover = false;

  std::mutex endpoints_mu;
  std::vector<std::shared_ptr<Endpoint>> endpoints;  // live and vanished
  std::vector<std::shared_ptr<Endpoint>> retired;    // removed; their threads still to join
  EndpointIds ids;
  bool started = false;  // workers run; new endpoints get a thread at once

  std::thread publisher;
  std::thread discovery;
  std::atomic<bool> discovery_finished{false};

  std::mutex callback_mu;
  HealthMonitor::StateCallback callback;
  bool callbacks_closed = false;

  mutable std::mutex config_mu;
  std::shared_ptr<const config::Config> config_;

  void notify_publisher();
  void notify_discovery();
  // Logs a published state change and tells the callback.
  void report(const Endpoint& endpoint, const StateChange& change);
};

// Endpoint set changes (monitor_discovery.cpp). Call with endpoints_mu held.
// Makes the endpoints match the config's backends: a backend removed, or whose host or port
// changed, vanishes; a backend without an endpoint gets one (keyed by its configured host until
// discovery resolves it) in state `initial`.
void reconcile_endpoints(const std::shared_ptr<MonitorState>& state, const config::Config& cfg,
                         BackendState initial);
// Sets every endpoint's published name (see name_sharing()).
void refresh_names(MonitorState& state);
// name_sharing() for every endpoint, in order. Call with endpoints_mu held.
std::vector<std::size_t> names_sharing(const MonitorState& state);

// The discovery thread: resolves every backend's host now and then every discovery_interval
// (or at once after a reload).
void run_discovery(std::shared_ptr<MonitorState> state);

// The publisher (monitor_publisher.cpp).
struct PublisherMemory {
  std::shared_ptr<const PoolSnapshot> last;
  std::uint64_t version = 0;
  std::chrono::steady_clock::time_point last_published{};
  std::map<std::uint32_t, std::uint64_t> split_brain_checks;  // checks already counted, by id
};
// One pass: drops endpoints whose DRAINING time is over, decides the primary, counts split
// brain, and publishes if anything sessions route by changed or `force`.
void publish_pass(MonitorState& state, PublisherMemory& memory, bool force);
// The publisher thread: a pass whenever a check or a change wakes it, and every interval.
void run_publisher(std::shared_ptr<MonitorState> state, PublisherMemory memory);

// The worker thread of one endpoint: a check every interval until endpoint->stop.
void run_endpoint_checks(std::shared_ptr<MonitorState> state, std::shared_ptr<Endpoint> endpoint);

// Starts the worker thread of `endpoint`.
void start_endpoint(const std::shared_ptr<MonitorState>& state,
                    const std::shared_ptr<Endpoint>& endpoint);

// Asks the worker to stop and interrupts its check (does not wait).
void signal_endpoint_stop(Endpoint& endpoint);

// The status as a callback or log sees it (no lock held by the caller).
BackendStatus status_of(const Endpoint& endpoint, std::uint32_t primary_id);

}  // namespace mysqlproxy::proxy
