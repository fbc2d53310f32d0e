#include "proxy/health/state_machine.hpp"

#include <fmt/format.h>

#include <cmath>

#include "config/scalars.hpp"

namespace mysqlproxy::proxy {

HealthThresholds HealthThresholds::from_config(const config::HealthConfig& health) noexcept {
  return HealthThresholds{health.down_after, health.up_after, health.lagging_after,
                          health.recover_after, health.max_replication_lag};
}

std::string format_lag(double seconds) {
  if (seconds < 1.0)
    return fmt::format("{}ms", static_cast<long long>(std::lround(seconds * 1000)));
  return fmt::format("{:.1f}s", seconds);
}

BackendStateMachine::BackendStateMachine(HealthThresholds thresholds, BackendState initial) noexcept
    : thresholds_(thresholds),
      health_(initial == BackendState::kDown ? BackendState::kDown : BackendState::kUp) {}

bool BackendStateMachine::lag_bad(const CheckResult& check, bool source_unreachable) const noexcept {
  // A writable server is (or is about to become) the primary: its own replication, if any, says
  // nothing about how fresh its data is.
  if (!check.read_only) return false;
  // With the primary gone, a replica that applied all it received is as fresh as data gets (its
  // heartbeat lag only counts the outage): reads stay on the replicas.
  if (source_unreachable && check.replication_waits_for_source) return false;
  if (check.replication_broken) return true;
  if (thresholds_.max_lag.count() == 0 || !check.lag_seconds) return false;
  return *check.lag_seconds * 1000.0 > static_cast<double>(thresholds_.max_lag.count());
}

std::string BackendStateMachine::lag_reason(const CheckResult& check, std::uint32_t checks) const {
  if (check.replication_broken) return check.replication_problem;
  return fmt::format("lag {} > {} for {} check{}", format_lag(check.lag_seconds.value_or(0)),
                     config::format_duration(thresholds_.max_lag), checks, checks == 1 ? "" : "s");
}

std::string BackendStateMachine::recovered_reason(const CheckResult& check, bool source_unreachable) const {
  std::uint32_t n = under_streak_;
  if (source_unreachable && check.replication_waits_for_source) {
    return fmt::format("the primary is unreachable too: nothing newer to replicate ({} checks)", n);
  }
  if (!check.lag_seconds) return fmt::format("replication running for {} checks", n);
  std::string limit = thresholds_.max_lag.count() == 0
                          ? std::string("no limit")
                          : config::format_duration(thresholds_.max_lag);
  return fmt::format("lag {} <= {} for {} check{}", format_lag(*check.lag_seconds), limit, n,
                     n == 1 ? "" : "s");
}

std::optional<StateChange> BackendStateMachine::move_to(BackendState to, std::string reason) {
  BackendState before = state();
  health_ = to;
  if (draining_ || before == to) return std::nullopt;  // hidden behind DRAINING
  return StateChange{before, to, std::move(reason)};
}

std::optional<StateChange> BackendStateMachine::observe(const CheckResult& check, bool source_unreachable) {
  if (check.failed()) {
    ++failed_streak_;
    // A failed (or too slow) check is no evidence of health: it breaks every good streak.
    // It is no evidence about lag either, so the over-limit streak is left as it is.
    good_streak_ = 0;
    under_streak_ = 0;
    if (health_ != BackendState::kDown && failed_streak_ >= thresholds_.down_after) {
      std::string error = check.error.empty() ? std::string("check failed") : check.error;
      return move_to(BackendState::kDown, fmt::format("{} failed check{}: {}", failed_streak_,
                                                      failed_streak_ == 1 ? "" : "s", error));
    }
    return std::nullopt;
  }

  failed_streak_ = 0;
  ++good_streak_;
  if (lag_bad(check, source_unreachable)) {
    ++over_streak_;
    under_streak_ = 0;
  } else {
    ++under_streak_;
    over_streak_ = 0;
  }

  switch (health_) {
    case BackendState::kDown:
      if (good_streak_ < thresholds_.up_after) return std::nullopt;
      // Back, but a replica that is still behind comes back LAGGING, not UP.
      if (over_streak_ > 0) {
        return move_to(BackendState::kLagging,
                       fmt::format("{} good checks, but {}", good_streak_, lag_reason(check, 1)));
      }
      return move_to(BackendState::kUp,
                     fmt::format("{} good check{}", good_streak_, good_streak_ == 1 ? "" : "s"));
    case BackendState::kUp:
      if (over_streak_ < thresholds_.lagging_after) return std::nullopt;
      return move_to(BackendState::kLagging, lag_reason(check, over_streak_));
    case BackendState::kLagging:
      // Promoted: a writable server takes the writes, and lag is about reads from replicas.
      if (!check.read_only) return move_to(BackendState::kUp, "writable (promoted to primary)");
      if (under_streak_ < thresholds_.recover_after) return std::nullopt;
      return move_to(BackendState::kUp, recovered_reason(check, source_unreachable));
    case BackendState::kDraining:
      break;  // never stored in health_
  }
  return std::nullopt;
}

std::optional<StateChange> BackendStateMachine::drain() {
  if (draining_) return std::nullopt;
  draining_ = true;
  return StateChange{health_, BackendState::kDraining, "drained by operator"};
}

std::optional<StateChange> BackendStateMachine::enable() {
  if (!draining_) return std::nullopt;
  draining_ = false;
  return StateChange{BackendState::kDraining, health_, "enabled by operator"};
}

}  // namespace mysqlproxy::proxy
