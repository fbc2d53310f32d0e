// The health monitor's publisher: from every endpoint's latest state to the PoolSnapshot.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "proxy/health/monitor_state.hpp"
#include "proxy/health/role_detection.hpp"
#include "proxy/health/snapshot_builder.hpp"
#include "proxy/health/state_names.hpp"

namespace mysqlproxy::proxy {
namespace {

using Clock = std::chrono::steady_clock;

// Drops endpoints whose DRAINING time is over and joins worker threads that have ended.
void drop_and_reap(MonitorState& state) {
  const auto now = Clock::now();
  auto& all = state.endpoints;
  for (auto it = all.begin(); it != all.end();) {
    bool drop = false;
    {
      std::lock_guard lock((*it)->mu);
      drop = (*it)->vanished && now >= (*it)->drop_at;
    }
    if (drop) {
      state.retired.push_back(std::move(*it));
      it = all.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(state.retired, [](const std::shared_ptr<Endpoint>& e) {
    if (e->thread.joinable()) {
      if (!e->finished) return false;
      e->thread.join();
    }
    return true;
  });
}

std::string names_of(const std::vector<std::size_t>& indexes,
                     const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i : indexes) {
    if (!out.empty()) out += ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

void publish_pass(MonitorState& state, PublisherMemory& memory, bool force) {
  std::vector<EndpointView> views;
  std::vector<RoleObservation> roles;
  std::vector<std::string> names;
  std::vector<std::uint64_t> checks;
  {
    std::lock_guard lock(state.endpoints_mu);
    drop_and_reap(state);
    refresh_names(state);  // a dropped endpoint may give its name back
    std::vector<std::size_t> sharing = names_sharing(state);
    for (std::size_t i = 0; i < state.endpoints.size(); ++i) {
      const auto& e = state.endpoints[i];
      std::lock_guard elock(e->mu);
      EndpointView& v = views.emplace_back();
      v.id = e->id;
      v.key = e->key;
      v.config_index = e->config_index;
      v.weight = e->weight;
      v.state = e->machine.state();
      v.name_sharing = sharing[i];
      v.vanished = e->vanished;
      v.last = e->last;
      v.checks = e->checks;
      v.checks_failed = e->checks_failed;
      RoleObservation& r = roles.emplace_back();
      r.checked = e->last.has_value() && !e->vanished;
      r.reachable = e->last && !e->last->failed();
      r.read_only = !e->last || e->last->read_only;
      r.down = e->vanished || e->machine.checked_state() == BackendState::kDown;
      names.push_back(e->name);
      checks.push_back(e->checks);
    }
  }

  const std::uint32_t old_primary = state.primary_id;
  std::optional<std::size_t> current;
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (views[i].id == old_primary && !views[i].vanished) current = i;
  }
  RoleDecision decision = decide_primary(roles, current);

  // Split brain: each check that finds a second writable backend is logged and counted once.
  if (decision.split_brain()) {
    for (std::size_t i : decision.writable) {
      if (decision.primary == i) continue;
      std::uint64_t& counted = memory.split_brain_checks[views[i].id];
      if (checks[i] == counted) continue;
      counted = checks[i];
      ++state.split_brain_total;
      spdlog::error("split brain: {} are writable at once; {}", names_of(decision.writable, names),
                    decision.primary ? "keeping " + names[*decision.primary] + " as the primary"
                                     : std::string("publishing no primary"));
    }
  }

  const std::uint32_t new_primary = decision.primary ? views[*decision.primary].id : kNoPrimary;
  state.source_unreachable = !decision.primary || !roles[*decision.primary].reachable;
  if (new_primary != old_primary) {
    state.primary_id = new_primary;
    std::string was = current ? names[*current] : std::string("none");
    if (decision.primary) {
      spdlog::warn("primary is now {} (was {}): it is the writable backend",
                   names[*decision.primary], was);
    } else if (decision.writable.empty()) {
      spdlog::error("no primary: no backend is writable (was {})", was);
    } else {
      spdlog::error("no primary: {} are writable at once (was {})",
                    names_of(decision.writable, names), was);
    }
  }

  std::optional<std::uint32_t> primary_id;
  if (new_primary != kNoPrimary) primary_id = new_primary;
  auto snapshot = build_snapshot(views, primary_id, memory.version + 1);
  if (!force && memory.last && same_routing_content(*snapshot, *memory.last)) return;
  memory.version = snapshot->version;
  memory.last = snapshot;
  memory.last_published = Clock::now();
  state.out.set(std::move(snapshot));
}

void run_publisher(std::shared_ptr<MonitorState> state, PublisherMemory memory) {
  while (!state->stopping) {
    std::shared_ptr<const config::Config> cfg = state->config();
    const auto due = memory.last_published + cfg->health.interval;
    {
      std::unique_lock lock(state->signal_mu);
      state->signal.wait_until(lock, due, [&] { return state->stopping.load() || state->dirty; });
      if (state->stopping) break;
      state->dirty = false;
    }
    publish_pass(*state, memory, /*force=*/Clock::now() >= due);
  }
}

}  // namespace mysqlproxy::proxy
