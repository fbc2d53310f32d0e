#pragma once
// BackendStateMachine: one backend's state from its stream of check results, with hysteresis so a
// single bad (or good) check does not flip it. Pure: no clock, no I/O, no logging; every
// transition comes back with a reason for the caller to log.
//
//   UP/LAGGING --down_after failed checks--> DOWN --up_after good checks--> UP (or LAGGING)
//   UP --lagging_after checks over the lag limit or with replication broken--> LAGGING
//   LAGGING --recover_after checks under the limit, replication running--> UP
//   LAGGING --one check that finds it writable (promoted)--> UP
//   any --drain()--> DRAINING --enable()--> whatever the checks say by then
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "proxy/health/check_result.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

struct HealthThresholds {
  std::uint32_t down_after = 3;
  std::uint32_t up_after = 2;
  std::uint32_t lagging_after = 2;
  std::uint32_t recover_after = 3;
  std::chrono::milliseconds max_lag{5000};  // 0 = no limit

  static HealthThresholds from_config(const config::HealthConfig& health) noexcept;
};

struct StateChange {
  BackendState from;
  BackendState to;
  std::string reason;  // "3 failed checks: <error>", "lag 7.2s > 5s for 2 checks", ...
};

class BackendStateMachine {
 public:
  // `initial` is kUp for configured backends (optimistic: the first checks run at once) and kDown
  // for addresses found later, which join only after passing checks.
  explicit BackendStateMachine(HealthThresholds thresholds,
                               BackendState initial = BackendState::kUp) noexcept;

  // Feeds one check; returns the change of the published state, if any. While draining, checks
  // still move the underlying state, but nothing is published until enable().
  // `source_unreachable`: the monitor can't reach the primary either (or there is none). A
  // replica then only waiting for its source has the freshest data there is: not lagging.
  std::optional<StateChange> observe(const CheckResult& check, bool source_unreachable = false);

  // Operator override: no new work until enable(). Returns nullopt if already draining.
  std::optional<StateChange> drain();
  // Back to the state the checks say. Returns nullopt if not draining.
  std::optional<StateChange> enable();

  // Reload: new thresholds apply from the next check; streaks are kept.
  void set_thresholds(const HealthThresholds& thresholds) noexcept { thresholds_ = thresholds; }

  // What is published: kDraining while drained, else checked_state().
  [[nodiscard]] BackendState state() const noexcept {
    return draining_ ? BackendState::kDraining : health_;
  }
  // What the checks say: kUp, kLagging or kDown.
  [[nodiscard]] BackendState checked_state() const noexcept { return health_; }
  [[nodiscard]] bool draining() const noexcept { return draining_; }

 private:
  // True when a passed check shows a replica too far behind or not replicating.
  [[nodiscard]] bool lag_bad(const CheckResult& check, bool source_unreachable) const noexcept;
  [[nodiscard]] std::string lag_reason(const CheckResult& check, std::uint32_t checks) const;
  [[nodiscard]] std::string recovered_reason(const CheckResult& check, bool source_unreachable) const;
  std::optional<StateChange> move_to(BackendState to, std::string reason);

  HealthThresholds thresholds_;
  BackendState health_;
  bool draining_ = false;
  std::uint32_t failed_streak_ = 0;  // consecutive failed checks
  std::uint32_t good_streak_ = 0;    // consecutive passed checks
  std::uint32_t over_streak_ = 0;    // consecutive passed checks with lag_bad
  std::uint32_t under_streak_ = 0;   // consecutive passed checks without lag_bad
};

// "450ms" below a second, else "7.2s": lag as the logs show it.
std::string format_lag(double seconds);

}  // namespace mysqlproxy::proxy
