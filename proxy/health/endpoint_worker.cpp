// The per-endpoint check loop and the small helpers the monitor's threads share.
#include <mysql.h>
#include <spdlog/spdlog.h>

#include "proxy/health/monitor_state.hpp"
#include "proxy/health/state_names.hpp"

namespace mysqlproxy::proxy {
namespace {

ProbeSettings probe_settings(const config::Config& cfg, const EndpointKey& key) {
  ProbeSettings s;
  s.connection = monitor_settings(cfg, key.backend, key.address, key.port, cfg.health.timeout);
  s.heartbeat = cfg.health.heartbeat.enabled;
  s.heartbeat_table = cfg.health.heartbeat.table;
  s.keep_connection = cfg.health.keep_connection;
  return s;
}

}  // namespace

void MonitorState::notify_publisher() {
  {
    std::lock_guard lock(signal_mu);
    dirty = true;
  }
  signal.notify_all();
}

void MonitorState::notify_discovery() {
  {
    std::lock_guard lock(signal_mu);
    rediscover = true;
  }
  signal.notify_all();
}

BackendStatus status_of(const Endpoint& endpoint, std::uint32_t primary_id) {
  std::lock_guard lock(endpoint.mu);
  BackendStatus s;
  s.id = endpoint.id;
  s.name = endpoint.name;
  s.host = endpoint.key.address;
  s.port = endpoint.key.port;
  s.role = endpoint.id == primary_id ? BackendRole::kPrimary : BackendRole::kReplica;
  s.state = endpoint.vanished ? BackendState::kDraining : endpoint.machine.state();
  s.weight = endpoint.weight;
  if (endpoint.last) {
    s.lag_seconds = endpoint.last->lag_seconds;
    s.gtid_position = endpoint.last->gtid_position;
    s.last_check = endpoint.last->finished;
    s.check_duration = endpoint.last->duration;
    s.last_error =
        endpoint.last->error.empty() ? endpoint.last->replication_problem : endpoint.last->error;
  }
  return s;
}

void MonitorState::report(const Endpoint& endpoint, const StateChange& change) {
  if (stopping) return;  // after stop() the logger and the callback's owner may be gone
  BackendStatus status = status_of(endpoint, primary_id);
  // Losing capacity is a warning; gaining it back is news.
  auto level = change.to == BackendState::kDown || change.to == BackendState::kLagging
                   ? spdlog::level::warn
                   : spdlog::level::info;
  spdlog::log(level, "backend {} {} -> {}: {}", status.name, state_name(change.from),
              state_name(change.to), change.reason);
  std::lock_guard lock(callback_mu);
  if (callback && !callbacks_closed) callback(status, change.from, change.to, change.reason);
}

void signal_endpoint_stop(Endpoint& endpoint) {
  endpoint.stop = true;
  endpoint.probe.interrupt();
  std::lock_guard lock(endpoint.mu);
  endpoint.wake.notify_all();
}

void start_endpoint(const std::shared_ptr<MonitorState>& state,
                    const std::shared_ptr<Endpoint>& endpoint) {
  endpoint->thread = std::thread(run_endpoint_checks, state, endpoint);
}

void run_endpoint_checks(std::shared_ptr<MonitorState> state, std::shared_ptr<Endpoint> endpoint) {
  mysql_thread_init();
  while (!endpoint->stop) {
    const auto started = std::chrono::steady_clock::now();
    std::shared_ptr<const config::Config> cfg = state->config();
    EndpointKey key;
    {
      std::lock_guard lock(endpoint->mu);
      key = endpoint->key;
    }
    const bool primary = state->primary_id.load() == endpoint->id;
    CheckResult result = endpoint->probe.check(probe_settings(*cfg, key), primary);
    if (endpoint->stop) break;  // an interrupted check says nothing about the server

    std::optional<StateChange> change;
    {
      std::lock_guard lock(endpoint->mu);
      endpoint->machine.set_thresholds(HealthThresholds::from_config(cfg->health));
      change = endpoint->machine.observe(result, state->source_unreachable.load());
      if (result.failed()) ++endpoint->checks_failed;
      endpoint->last = std::move(result);
      ++endpoint->checks;
    }
    if (change) state->report(*endpoint, *change);
    state->notify_publisher();

    // The next check starts one interval after this one started, so slow checks do not make
    // the schedule drift (a check longer than the interval is followed by the next at once).
    std::unique_lock lock(endpoint->mu);
    endpoint->wake.wait_until(lock, started + cfg->health.interval,
                              [&] { return endpoint->stop.load(); });
  }
  endpoint->probe.close();
  mysql_thread_end();
  endpoint->finished = true;
  state->notify_publisher();  // lets stop() and the reaper see it
}

}  // namespace mysqlproxy::proxy
