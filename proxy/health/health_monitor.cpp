#include "proxy/health/health_monitor.hpp"

#include <spdlog/spdlog.h>

#include "config/scalars.hpp"
#include "proxy/health/monitor_connection.hpp"
#include "proxy/health/monitor_state.hpp"

namespace mysqlproxy::proxy {
namespace {

using Clock = std::chrono::steady_clock;

// Applies drain() or enable() to every endpoint `name` stands for.
bool set_draining(MonitorState& state, std::string_view name, bool drain) {
  std::vector<std::shared_ptr<Endpoint>> matched;
  {
    std::lock_guard lock(state.endpoints_mu);
    for (bool by_config_name : {false, true}) {
      for (const auto& e : state.endpoints) {
        std::lock_guard elock(e->mu);
        if (e->vanished) continue;
        if ((by_config_name ? e->key.backend : e->name) == name) matched.push_back(e);
      }
      if (!matched.empty()) break;  // a published name wins over a config name
    }
  }
  for (const auto& e : matched) {
    std::optional<StateChange> change;
    {
      std::lock_guard lock(e->mu);
      change = drain ? e->machine.drain() : e->machine.enable();
    }
    if (change) state.report(*e, *change);
  }
  if (!matched.empty()) state.notify_publisher();
  return !matched.empty();
}

}  // namespace

HealthMonitor::HealthMonitor(std::shared_ptr<const config::Config> cfg, PoolSnapshotCell& out)
    : state_(std::make_shared<MonitorState>(out)) {
  MonitorState& s = *state_;
  s.set_config(cfg);
  PublisherMemory memory;
  {
    std::lock_guard lock(s.endpoints_mu);
    // Configured backends start UP (optimistic: their first checks run at once) and get ids
    // 0..n-1 in config order.
    reconcile_endpoints(state_, *cfg, BackendState::kUp);
    const config::BackendConfig* primary = config::primary_backend(*cfg);
    for (const auto& e : s.endpoints) {
      std::lock_guard elock(e->mu);
      if (primary != nullptr && e->key.backend == primary->name) s.primary_id = e->id;
    }
  }
  publish_pass(s, memory, /*force=*/true);
}

HealthMonitor::~HealthMonitor() { stop(); }

void HealthMonitor::set_state_callback(StateCallback callback) {
  std::lock_guard lock(state_->callback_mu);
  state_->callback = std::move(callback);
}

void HealthMonitor::start() {
  MonitorState& s = *state_;
  std::shared_ptr<const config::Config> cfg = s.config();
  {
    std::lock_guard lock(s.endpoints_mu);
    if (s.started || s.stopping) return;
    s.started = true;
    // The client library (and OpenSSL under it) is initialised here, before the threads, as
    // libmysqlclient asks of threaded programs. Done by a check thread, OpenSSL's per-thread state
    // would belong to that thread, which stop() may leave in connect() past the process's exit.
    ensure_mysql_library();
    for (const auto& e : s.endpoints) start_endpoint(state_, e);
  }
  const config::HealthConfig& h = cfg->health;
  if (h.heartbeat.enabled && h.max_replication_lag.count() > 0 &&
      h.interval >= h.max_replication_lag) {
    spdlog::warn(
        "health: heartbeat lag overstates by up to one interval ({}), which is not below "
        "max_replication_lag ({}): healthy replicas may look LAGGING",
        config::format_duration(h.interval), config::format_duration(h.max_replication_lag));
  }
  PublisherMemory memory;
  memory.last = s.out.get();
  memory.version = memory.last ? memory.last->version : 0;
  memory.last_published = Clock::now();
  s.publisher = std::thread(run_publisher, state_, std::move(memory));
  s.discovery = std::thread(run_discovery, state_);
  spdlog::info("health monitor started: {} backends, a check every {}, timeout {}",
               cfg->backends.size(), config::format_duration(h.interval),
               config::format_duration(h.timeout));
}

void HealthMonitor::stop() {
  MonitorState& s = *state_;
  if (s.stopping.exchange(true)) return;
  std::vector<std::shared_ptr<Endpoint>> all;
  {
    std::lock_guard lock(s.endpoints_mu);
    all = s.endpoints;
    all.insert(all.end(), s.retired.begin(), s.retired.end());
  }
  for (const auto& e : all) signal_endpoint_stop(*e);
  s.notify_publisher();
  s.notify_discovery();
  if (s.publisher.joinable()) s.publisher.join();  // never blocks on I/O

  // Checks blocked in a read or write end at once (interrupt() shut their sockets down); one
  // blocked in connect cannot be interrupted, so it is left to finish on its own after the
  // deadline. Its thread only owns shared state, so that is safe.
  const auto deadline = Clock::now() + s.config()->health.timeout;
  auto all_done = [&] {
    bool done = !s.discovery.joinable() || s.discovery_finished;
    for (const auto& e : all) done = done && (!e->thread.joinable() || e->finished);
    return done;
  };
  {
    std::unique_lock lock(s.signal_mu);
    while (!all_done() && Clock::now() < deadline) {
      s.signal.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::milliseconds(20)));
    }
  }
  for (const auto& e : all) {
    if (!e->thread.joinable()) continue;
    if (e->finished) {
      e->thread.join();
    } else {
      e->thread.detach();
    }
  }
  if (s.discovery.joinable()) {
    if (s.discovery_finished) {
      s.discovery.join();
    } else {
      s.discovery.detach();  // inside getaddrinfo
    }
  }
  std::lock_guard lock(s.callback_mu);
  s.callbacks_closed = true;
}

void HealthMonitor::update_config(std::shared_ptr<const config::Config> cfg) {
  MonitorState& s = *state_;
  {
    std::lock_guard lock(s.endpoints_mu);
    if (s.stopping) return;
    s.set_config(cfg);
    reconcile_endpoints(state_, *cfg, BackendState::kDown);
  }
  s.notify_discovery();
  s.notify_publisher();
}

bool HealthMonitor::drain(std::string_view name) { return set_draining(*state_, name, true); }

bool HealthMonitor::enable(std::string_view name) { return set_draining(*state_, name, false); }

std::uint64_t HealthMonitor::split_brain_detected_total() const {
  return state_->split_brain_total.load();
}

}  // namespace mysqlproxy::proxy
