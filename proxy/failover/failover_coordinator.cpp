#include "proxy/failover/failover_coordinator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "proxy/failover/agreement.hpp"
#include "proxy/failover/candidate.hpp"
#include "proxy/failover/fencing.hpp"

namespace mysqlproxy::proxy {
namespace {

constexpr std::size_t kRecentEvents = 8;

double seconds_since(FailoverCoordinator::Clock::time_point t) {
  return std::chrono::duration<double>(FailoverCoordinator::Clock::now() - t).count();
}

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

ReplicationAccount account(const config::Config& cfg) {
  return {cfg.failover.replication_user, cfg.failover.replication_password};
}

const BackendStatus* find_backend(const PoolSnapshot& snap, std::uint32_t id) {
  for (const BackendStatus& b : snap.backends) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

// What it holds: applied, or received and waiting in its relay log.
std::optional<GtidPosition> received_position(const ServerFacts& f) {
  auto applied = GtidPosition::parse(f.applied);
  if (!applied) return std::nullopt;
  if (f.replica && !f.replica->received_gtid.empty()) {
    auto received = GtidPosition::parse(f.replica->received_gtid);
    if (!received) return std::nullopt;
    applied->merge(*received);
  }
  return applied;
}

// It replicates from `primary` (by address, or by the server id its IO thread last saw) and
// applies what it gets.
bool follows(const ServerFacts& f, const BackendStatus& primary_backend, const ServerFacts& primary) {
  if (!f.replica || !f.replica->sql_running) return false;
  const bool by_address = f.replica->source_host == primary_backend.host && f.replica->source_port == primary_backend.port;
  const bool by_id = f.replica->io_running && f.replica->source_server_id == primary.server_id;
  return by_address || by_id;
}

}  // namespace

void FailoverCoordinator::start(std::shared_ptr<const config::Config> cfg) {
  {
    std::lock_guard lock(mu_);
    config_ = std::move(cfg);
  }
  thread_ = std::thread([this] { run(); });
}

void FailoverCoordinator::update_config(std::shared_ptr<const config::Config> cfg) {
  std::lock_guard lock(mu_);
  config_ = std::move(cfg);
}

void FailoverCoordinator::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

FailoverStatus FailoverCoordinator::status() const {
  std::lock_guard lock(mu_);
  FailoverStatus s = status_;
  s.automatic = config_ && config_->failover.automatic;  // the config in force, not a copy kept beside it
  return s;
}

void FailoverCoordinator::run() {
  for (;;) {
    std::shared_ptr<const config::Config> cfg;
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
      cfg = config_;
    }
    tick(*cfg);
    std::unique_lock lock(mu_);
    // Half the check interval: a lost primary is acted on soon after primary_down_after.
    wake_.wait_for(lock, std::max(cfg->health.interval / 2, std::chrono::milliseconds(50)),
                   [this] { return stopping_; });
    if (stopping_) return;
  }
}

void FailoverCoordinator::observe(const PoolSnapshot& snap, Clock::time_point now) {
  if (const BackendStatus* p = snap.primary_status(); p && primary_id_ != p->id) {
    primary_id_ = p->id;  // a new primary (at start, or promoted by anyone)
    unreachable_since_.reset();
  }
  if (!primary_id_) return;
  const BackendStatus* primary = find_backend(snap, *primary_id_);
  const bool reachable = primary && primary->reachable;
  if (reachable) {
    unreachable_since_.reset();
    for (const BackendStatus& b : snap.backends) {
      if (b.id != *primary_id_ && b.lag_seconds) lag_while_primary_seen_[b.id] = *b.lag_seconds;
    }
  } else if (!unreachable_since_) {
    unreachable_since_ = now;
  }
}

void FailoverCoordinator::tick(const config::Config& cfg) {
  const auto snap = pool_.get();
  const auto now = Clock::now();
  observe(*snap, now);
  if (!cfg.failover.automatic) return;

  const BackendStatus* primary = primary_id_ ? find_backend(*snap, *primary_id_) : nullptr;
  FailoverTrigger t;
  t.automatic = true;
  t.primary_known = primary != nullptr;
  t.primary_reachable = primary == nullptr || primary->reachable;
  t.unreachable_for = unreachable_since_
                          ? std::chrono::duration_cast<std::chrono::milliseconds>(now - *unreachable_since_)
                          : std::chrono::milliseconds(0);
  t.down_after = cfg.failover.primary_down_after;
  // Replicas still connected to it are counted under the lock (fail_over), from fresh facts.
  if (failover_verdict(t) == FailoverVerdict::kStart) {
    if (now >= next_failover_try_) fail_over(cfg, *snap, *primary);
    return;
  }
  if (primary == nullptr || !t.primary_reachable || now < next_fence_try_) return;
  // A server that must not take writes, or that replicates from nobody (and is not known to have
  // diverged): only then take the locks.
  const FailoverStatus known = status();
  const bool suspect = std::ranges::any_of(snap->backends, [&](const BackendStatus& b) {
    const bool diverged = std::ranges::any_of(known.diverged, [&](const DivergedServer& d) { return d.name == b.name; });
    return b.id != primary->id && b.reachable && (!b.read_only || (!b.replicates && !diverged));
  });
  if (suspect) fence(cfg, *snap);
}

std::optional<FailoverCoordinator::Locked> FailoverCoordinator::lock_majority(const config::Config& cfg,
                                                                             const PoolSnapshot& snap,
                                                                             std::optional<std::uint32_t> skip,
                                                                             std::string& why) {
  Locked locked;
  std::vector<std::string> missing;
  for (const BackendStatus& b : snap.backends) {
    if (skip && b.id == *skip) continue;
    auto link = std::make_unique<ServerLink>(b);
    if (auto error = link->connect(cfg, cfg.health.timeout)) {
      missing.push_back(b.name + " (unreachable)");
      continue;
    }
    if (!link->take_lock()) {
      // Every proxy takes the locks in the same order: whoever holds one here got there first.
      why = "another proxy holds the failover lock on " + b.name;
      return std::nullopt;
    }
    locked.links.push_back(std::move(link));
  }
  if (!holds_majority(snap.backends.size(), locked.links.size())) {
    why = "the failover lock on " + std::to_string(locked.links.size()) + " of " +
          std::to_string(snap.backends.size()) + " servers, not a majority (" + join(missing) + ")";
    return std::nullopt;
  }
  for (auto& link : locked.links) {
    ServerFacts f;
    auto error = link->read(f);
    if (error) spdlog::warn("failover: reading {} failed: {}", link->backend().name, *error);
    locked.read_ok.push_back(!error);
    locked.facts.push_back(std::move(f));
  }
  return locked;
}

void FailoverCoordinator::fail_over(const config::Config& cfg, const PoolSnapshot& snap, const BackendStatus& lost) {
  const auto started = Clock::now();
  const auto wall = std::chrono::system_clock::now();
  const auto refuse = [&](std::string why, std::chrono::milliseconds retry) {
    next_failover_try_ = Clock::now() + retry;
    if (why != last_refusal_) {
      spdlog::warn("failover from {}: not now: {}", lost.name, why);
      last_refusal_ = why;
      record(FailoverEvent{"failover", "refused", lost.name, "", why, wall, seconds_since(started)});
    }
  };
  std::string why;
  auto locked = lock_majority(cfg, snap, lost.id, why);
  if (!locked) return refuse(why, cfg.failover.primary_down_after);
  Acting acting(*this);

  std::vector<CandidateFacts> candidates;
  for (std::size_t i = 0; i < locked->links.size(); ++i) {
    const ServerFacts& f = locked->facts[i];
    const BackendStatus& b = locked->links[i]->backend();
    if (locked->read_ok[i] && !f.read_only) {
      return refuse(b.name + " is writable already: following it", cfg.failover.primary_down_after);
    }
    if (locked->read_ok[i] && f.replica && f.replica->io_running) {
      return refuse(b.name + " still receives from " + lost.name + ": the primary is alive, this proxy is cut off",
                    cfg.failover.primary_down_after);
    }
    CandidateFacts c;
    c.reachable = locked->read_ok[i];
    c.replicates = f.replica.has_value();
    c.applies = f.replica && f.replica->sql_running;
    c.drained = b.state == BackendState::kDraining;
    if (auto lag = lag_while_primary_seen_.find(b.id); lag != lag_while_primary_seen_.end()) c.lag_seconds = lag->second;
    c.received = received_position(f);
    candidates.push_back(std::move(c));
  }
  CandidateChoice choice = choose_candidate(candidates, cfg.failover.max_candidate_lag);
  if (!choice.chosen) {
    std::vector<std::string> reasons;
    for (auto [i, r] : choice.rejected) reasons.push_back(locked->links[i]->backend().name + ": " + std::string(to_string(r)));
    return refuse("no candidate (" + join(reasons) + ")", cfg.failover.catchup_timeout);
  }
  ServerLink& chosen = *locked->links[*choice.chosen];
  const BackendStatus& to = chosen.backend();
  const GtidPosition& received = *candidates[*choice.chosen].received;
  const std::string position = received.to_string();
  spdlog::warn("failover: {} lost for {} ms; promoting {} (at {}), holding the lock on {} of {} servers", lost.name,
               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *unreachable_since_).count(),
               to.name, position, locked->links.size(), snap.backends.size());
  const auto fail = [&](std::string why) {
    next_failover_try_ = Clock::now() + cfg.failover.catchup_timeout;
    spdlog::error("failover from {} to {} failed: {}", lost.name, to.name, why);
    record(FailoverEvent{"failover", "failed", lost.name, to.name, why, wall, seconds_since(started)});
  };

  // 1. Apply everything received, on a connection that may wait that long.
  ServerLink waiter(to);
  if (auto error = waiter.connect(cfg, cfg.failover.catchup_timeout + cfg.health.timeout)) {
    return fail("cannot reach it to catch up: " + *error);
  }
  std::string waited;
  if (auto error = waiter.scalar(wait_for_gtid_sql(chosen.flavor(), received, cfg.failover.catchup_timeout), waited)) {
    return fail(*error);
  }
  if (waited != "0") return fail("it did not apply " + position + " within failover.catchup_timeout");
  const double caught_up = seconds_since(started);

  // 2. Promote: replication off, writes on.
  std::vector<std::string> promote = promote_sql(chosen.flavor());
  if (chosen.flavor() == ServerFlavor::kMariaDb) {
    // A semi-synchronous replica becomes a semi-synchronous primary.
    promote.emplace_back("SET GLOBAL rpl_semi_sync_master_enabled = @@global.rpl_semi_sync_slave_enabled");
  }
  if (auto error = chosen.run(promote)) {
    // Leave it as it was found: replicating, so that it stays a candidate for the next try.
    if (auto restarted = chosen.run(replicate_again_sql(chosen.flavor()))) *error += "; restarting replication: " + *restarted;
    return fail(*error);
  }

  // 3. Every other replica follows it.
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < locked->links.size(); ++i) {
    ServerLink& other = *locked->links[i];
    if (i == *choice.chosen || !locked->read_ok[i] || !locked->facts[i].replica) continue;
    if (auto error = other.run(replicate_from_sql(other.flavor(), to.host, to.port, account(cfg)))) {
      problems.push_back(other.backend().name + ": " + *error);
    }
  }
  primary_id_ = to.id;
  unreachable_since_.reset();
  last_refusal_.clear();
  const double took = seconds_since(started);
  const std::string detail = "caught up in " + std::to_string(static_cast<int>(caught_up * 1000)) + " ms" +
                             (problems.empty() ? "" : "; not re-pointed: " + join(problems));
  spdlog::warn("failover: {} is the primary (was {}), {} ms after the decision; {}", to.name, lost.name,
               static_cast<int>(took * 1000), detail);
  record(FailoverEvent{"failover", "done", lost.name, to.name, detail, wall, took});
}

void FailoverCoordinator::fence(const config::Config& cfg, const PoolSnapshot& snap) {
  const auto started = Clock::now();
  const auto wall = std::chrono::system_clock::now();
  next_fence_try_ = started + cfg.health.interval * 2;
  std::string why;
  auto locked = lock_majority(cfg, snap, std::nullopt, why);
  if (!locked) {
    if (why != last_refusal_) spdlog::info("fencing: not now: {}", why);
    last_refusal_ = why;
    return;
  }
  Acting acting(*this);
  // The primary: the one writable server, or of several, the one the replicas follow.
  std::vector<std::size_t> writable_at;
  std::vector<WritableServer> writable;
  for (std::size_t i = 0; i < locked->links.size(); ++i) {
    if (!locked->read_ok[i] || locked->facts[i].read_only) continue;
    WritableServer w{locked->facts[i].server_id, 0};
    for (std::size_t j = 0; j < locked->links.size(); ++j) {
      if (j != i && locked->read_ok[j] && follows(locked->facts[j], locked->links[i]->backend(), locked->facts[i])) {
        ++w.followers;
      }
    }
    writable_at.push_back(i);
    writable.push_back(w);
  }
  if (writable.empty()) return;  // nothing to fence towards: a lost primary is fail_over's
  auto legit = legitimate_primary(writable);
  if (!legit) {
    std::vector<std::string> names;
    for (std::size_t i : writable_at) names.push_back(locked->links[i]->backend().name);
    const std::string text = "several writable servers and none followed by more replicas: " + join(names);
    if (text != last_refusal_) spdlog::error("fencing: {}; an operator must decide", text);
    last_refusal_ = text;
    return;
  }
  const std::size_t p = writable_at[*legit];
  const BackendStatus& primary = locked->links[p]->backend();
  const ServerFacts& primary_facts = locked->facts[p];
  for (std::size_t i = 0; i < locked->links.size(); ++i) {
    if (i == p || !locked->read_ok[i]) continue;
    ServerLink& s = *locked->links[i];
    const ServerFacts& f = locked->facts[i];
    FencingFacts facts;
    facts.reachable = true;
    facts.writable = !f.read_only;
    facts.replicates_from_primary = follows(f, primary, primary_facts);
    facts.binlog_state = f.binlog_history;
    facts.primary_binlog_state = primary_facts.binlog_history;
    FencingDecision d = decide_fencing(facts);
    if (d.make_read_only) {
      auto error = s.run(fence_sql(s.flavor()));
      spdlog::warn("fencing: {} was writable next to the primary {}: {}", s.backend().name, primary.name,
                   error ? "making it read-only failed: " + *error : std::string("made read-only"));
      record(FailoverEvent{"fence", error ? "failed" : "done", s.backend().name, primary.name, error.value_or(""), wall,
                           seconds_since(started)});
      if (error) continue;
    }
    if (d.next == FenceNext::kRejoin) {
      auto error = s.run(replicate_from_sql(s.flavor(), primary.host, primary.port, account(cfg)));
      spdlog::warn("fencing: {} {} {}", s.backend().name,
                   error ? "could not be pointed at " + primary.name + ": " + *error
                         : "rejoins as a replica of " + primary.name,
                   error ? "" : "(its binary log holds nothing the primary lacks)");
      record(FailoverEvent{"rejoin", error ? "failed" : "done", s.backend().name, primary.name, error.value_or(""),
                           wall, seconds_since(started)});
      if (!error) clear_diverged(s.backend().name);
    } else if (d.next == FenceNext::kKeepOut) {
      set_diverged(s.backend().name, d.errant);
    } else {
      clear_diverged(s.backend().name);
    }
  }
}

FailoverCoordinator::Acting::Acting(FailoverCoordinator& c) : c_(c) {
  std::lock_guard lock(c_.mu_);
  c_.status_.holds_lock = true;
}

FailoverCoordinator::Acting::~Acting() {
  std::lock_guard lock(c_.mu_);
  c_.status_.holds_lock = false;
}

void FailoverCoordinator::set_diverged(const std::string& name, std::vector<std::string> errant) {
  std::lock_guard lock(mu_);
  for (DivergedServer& d : status_.diverged) {
    if (d.name == name) {
      d.errant = std::move(errant);
      return;
    }
  }
  spdlog::error("fencing: {} is kept out, diverged: it holds transactions the primary lacks: {}", name, join(errant));
  status_.diverged.push_back(DivergedServer{name, std::move(errant)});
}

void FailoverCoordinator::clear_diverged(const std::string& name) {
  std::lock_guard lock(mu_);
  std::erase_if(status_.diverged, [&](const DivergedServer& d) { return d.name == name; });
}

void FailoverCoordinator::record(FailoverEvent e) {
  if (on_event_) on_event_(e);
  std::lock_guard lock(mu_);
  status_.recent.push_back(std::move(e));
  if (status_.recent.size() > kRecentEvents) status_.recent.erase(status_.recent.begin());
}

}  // namespace mysqlproxy::proxy
