// How the health monitor's set of endpoints changes: reloads (reconcile_endpoints) and DNS
// (run_discovery).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "config/scalars.hpp"
#include "proxy/health/monitor_state.hpp"
#include "proxy/health/state_names.hpp"

namespace mysqlproxy::proxy {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<Endpoint> make_endpoint(MonitorState& state, const config::Config& cfg,
                                        std::size_t index, EndpointKey key, BackendState initial) {
  const config::BackendConfig& backend = cfg.backends[index];
  std::uint32_t id = state.ids.id_for(key);
  auto endpoint = std::make_shared<Endpoint>(
      id, std::move(key), backend.host,
      BackendStateMachine(HealthThresholds::from_config(cfg.health), initial));
  endpoint->config_index = index;
  endpoint->weight = backend.weight;
  return endpoint;
}

// Adds an endpoint, replacing a vanished one with the same key (it comes back as new).
void add_endpoint(const std::shared_ptr<MonitorState>& state, std::shared_ptr<Endpoint> endpoint) {
  auto& all = state->endpoints;
  for (auto it = all.begin(); it != all.end();) {
    bool same = false;
    {
      std::lock_guard lock((*it)->mu);
      same = (*it)->vanished && (*it)->key == endpoint->key;
    }
    if (same) {
      state->retired.push_back(std::move(*it));
      it = all.erase(it);
    } else {
      ++it;
    }
  }
  all.push_back(endpoint);
  if (state->started) start_endpoint(state, endpoint);
}

// DRAINING now, dropped from the snapshot after `grace`; its checks stop at once.
void vanish(MonitorState& state, Endpoint& endpoint, Clock::duration grace, std::string reason) {
  BackendState before;
  {
    std::lock_guard lock(endpoint.mu);
    if (endpoint.vanished) return;
    before = endpoint.machine.state();
    endpoint.vanished = true;
    endpoint.drop_at = Clock::now() + grace;
  }
  signal_endpoint_stop(endpoint);
  if (before != BackendState::kDraining) {
    state.report(endpoint, StateChange{before, BackendState::kDraining, std::move(reason)});
  }
}

struct LiveKey {
  std::shared_ptr<Endpoint> endpoint;
  EndpointKey key;
  std::string configured_host;
};

std::vector<LiveKey> live_endpoints(MonitorState& state) {
  std::vector<LiveKey> live;
  for (const auto& e : state.endpoints) {
    std::lock_guard lock(e->mu);
    if (!e->vanished) live.push_back({e, e->key, e->configured_host});
  }
  return live;
}

// Applies one backend's fresh resolution. Call with endpoints_mu held.
void apply_resolution(const std::shared_ptr<MonitorState>& state, const config::Config& cfg,
                      std::size_t index, const std::vector<std::string>& addresses) {
  const config::BackendConfig& backend = cfg.backends[index];
  std::vector<LiveKey> live = live_endpoints(*state);
  std::erase_if(live, [&](const LiveKey& l) { return l.key.backend != backend.name; });
  std::vector<EndpointKey> current;
  for (const LiveKey& l : live) current.push_back(l.key);
  DiscoveryPlan plan = plan_discovery(backend.name, backend.port, current, addresses);
  if (plan.rekeyed.empty() && plan.added.empty() && plan.removed.empty()) return;

  auto find = [&](const EndpointKey& key) {
    return std::ranges::find(live, key, &LiveKey::key)->endpoint;
  };
  for (const DiscoveryPlan::Rekey& r : plan.rekeyed) {
    std::shared_ptr<Endpoint> e = find(r.from);
    std::lock_guard lock(e->mu);
    e->key = r.to;
    state->ids.alias(r.to, e->id);
    spdlog::debug("backend {}: {} resolves to {}", backend.name, r.from.address, r.to.address);
  }
  for (const EndpointKey& key : plan.added) {
    spdlog::info("backend {}: new address {} (DOWN until {} good checks)", backend.name,
                 key.address, cfg.health.up_after);
    add_endpoint(state, make_endpoint(*state, cfg, index, key, BackendState::kDown));
  }
  for (const EndpointKey& key : plan.removed) {
    vanish(*state, *find(key), cfg.health.discovery_interval,
           "address " + key.address + " no longer in DNS; dropped in " +
               config::format_duration(cfg.health.discovery_interval));
  }
  refresh_names(*state);
}

// One pass over every backend; `errors` remembers resolution failures so each is logged once.
void discover_once(const std::shared_ptr<MonitorState>& state,
                   std::map<std::string, std::string>& errors) {
  std::shared_ptr<const config::Config> cfg = state->config();
  for (std::size_t i = 0; i < cfg->backends.size() && !state->stopping; ++i) {
    const config::BackendConfig& backend = cfg->backends[i];
    Resolution resolved = is_ip_address(backend.host)
                              ? Resolution{{backend.host}, {}}
                              : resolve_host(backend.host);  // may block: no lock held
    if (!resolved.error.empty()) {
      if (errors[backend.name] != resolved.error) {
        spdlog::warn("backend {}: cannot resolve {}: {}; keeping its current addresses",
                     backend.name, backend.host, resolved.error);
        errors[backend.name] = resolved.error;
      }
      continue;
    }
    errors.erase(backend.name);
    std::lock_guard lock(state->endpoints_mu);
    if (state->stopping || state->config() != cfg) return;  // reloaded meanwhile: next pass
    apply_resolution(state, *cfg, i, resolved.addresses);
  }
  state->notify_publisher();
}

}  // namespace

std::vector<std::size_t> names_sharing(const MonitorState& state) {
  std::map<std::string, std::pair<std::size_t, std::size_t>> counts;  // backend -> live, vanished
  for (const auto& e : state.endpoints) {
    std::lock_guard lock(e->mu);
    auto& [live, vanished] = counts[e->key.backend];
    ++(e->vanished ? vanished : live);
  }
  std::vector<std::size_t> sharing;
  for (const auto& e : state.endpoints) {
    std::lock_guard lock(e->mu);
    auto [live, vanished] = counts[e->key.backend];
    sharing.push_back(name_sharing(e->vanished, live, vanished));
  }
  return sharing;
}

void refresh_names(MonitorState& state) {
  std::vector<std::size_t> sharing = names_sharing(state);
  for (std::size_t i = 0; i < state.endpoints.size(); ++i) {
    Endpoint& e = *state.endpoints[i];
    std::lock_guard lock(e.mu);
    e.name = endpoint_name(e.key.backend, e.key.address, sharing[i]);
  }
}

void reconcile_endpoints(const std::shared_ptr<MonitorState>& state, const config::Config& cfg,
                         BackendState initial) {
  for (const LiveKey& l : live_endpoints(*state)) {
    auto it = std::ranges::find(cfg.backends, l.key.backend, &config::BackendConfig::name);
    if (it == cfg.backends.end()) {
      vanish(*state, *l.endpoint, cfg.health.discovery_interval, "removed from the config");
    } else if (it->host != l.configured_host || it->port != l.key.port) {
      vanish(*state, *l.endpoint, cfg.health.discovery_interval, "host or port changed");
    } else {
      std::lock_guard lock(l.endpoint->mu);
      l.endpoint->config_index = static_cast<std::size_t>(it - cfg.backends.begin());
      l.endpoint->weight = it->weight;
    }
  }
  std::vector<LiveKey> live = live_endpoints(*state);
  for (std::size_t i = 0; i < cfg.backends.size(); ++i) {
    const config::BackendConfig& b = cfg.backends[i];
    if (std::ranges::any_of(live, [&](const LiveKey& l) { return l.key.backend == b.name; })) {
      continue;
    }
    add_endpoint(state,
                 make_endpoint(*state, cfg, i, EndpointKey{b.name, b.host, b.port}, initial));
  }
  refresh_names(*state);
}

void run_discovery(std::shared_ptr<MonitorState> state) {
  std::map<std::string, std::string> errors;
  while (!state->stopping) {
    discover_once(state, errors);
    std::shared_ptr<const config::Config> cfg = state->config();
    std::unique_lock lock(state->signal_mu);
    state->signal.wait_for(lock, cfg->health.discovery_interval,
                           [&] { return state->stopping.load() || state->rediscover; });
    state->rediscover = false;
  }
  state->discovery_finished = true;
  state->signal.notify_all();
}

}  // namespace mysqlproxy::proxy
