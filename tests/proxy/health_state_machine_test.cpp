// BackendStateMachine, table-driven: each case feeds a sequence of checks and states the published
// state after every one of them.
//
// Check letters:  G good replica (lag 0)     L good replica, lag 10s     B SQL thread stopped
//                 F unreachable              T answered, but too slowly (timed out)
//                 W writable (a primary)     X writable with broken replication
//                 4 lag 4s   5 lag 5s   6 lag 6s   a lag 0.3s   b lag 0.301s
//                 C replica whose IO thread can't reach the source (SQL thread running)
// State letters:  U up   L lagging   D down   R draining
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/health/state_machine.hpp"

namespace mysqlproxy::proxy {
namespace {

using namespace std::chrono_literals;

CheckResult check(char c) {
  CheckResult r;
  r.reachable = true;
  r.read_only = true;
  r.is_replica = true;
  r.lag_seconds = 0.0;
  switch (c) {
    case 'G':
      break;
    case 'L':
      r.lag_seconds = 10.0;
      break;
    case '4':
    case '5':
    case '6':
      r.lag_seconds = static_cast<double>(c - '0');
      break;
    case 'a':
      r.lag_seconds = 0.3;
      break;
    case 'b':
      r.lag_seconds = 0.301;
      break;
    case 'B':
      r.lag_seconds.reset();
      r.replication_broken = true;
      r.replication_problem = "SQL thread stopped";
      break;
    case 'F':
      r = CheckResult{};
      r.error = "connect: [2002] Can't connect to server on '127.0.0.1' (111)";
      break;
    case 'T':
      r.timed_out = true;
      r.error = "check took 1.2s, over the 1s timeout";
      break;
    case 'W':
      r.read_only = false;
      r.is_replica = false;
      r.lag_seconds.reset();
      break;
    case 'X':
      r.read_only = false;
      r.lag_seconds.reset();
      r.replication_broken = true;
      r.replication_problem = "IO thread Connecting";
      break;
    case 'C':
      r.lag_seconds = 40.0;  // (heartbeat lag: the heartbeat stopped with the primary)
      r.replication_broken = true;
      r.replication_problem = "IO thread Connecting";
      r.replication_waits_for_source = true;
      break;
    default:
      ADD_FAILURE() << "unknown check letter " << c;
  }
  return r;
}

char letter(BackendState s) {
  switch (s) {
    case BackendState::kUp:
      return 'U';
    case BackendState::kLagging:
      return 'L';
    case BackendState::kDown:
      return 'D';
    case BackendState::kDraining:
      return 'R';
  }
  return '?';
}

HealthThresholds defaults() { return HealthThresholds{3, 2, 2, 3, 5000ms}; }

struct Trace {
  std::string states;                // after each check
  std::vector<std::string> reasons;  // of each published change
};

Trace run(BackendStateMachine& machine, std::string_view checks, bool source_unreachable = false) {
  Trace out;
  for (char c : checks) {
    BackendState before = machine.state();
    auto change = machine.observe(check(c), source_unreachable);
    if (change) {
      EXPECT_EQ(change->from, before);
      EXPECT_EQ(change->to, machine.state());
      EXPECT_NE(change->from, change->to);
      out.reasons.push_back(change->reason);
    } else {
      EXPECT_EQ(machine.state(), before) << "state changed without a reported transition";
    }
    out.states += letter(machine.state());
  }
  return out;
}

struct Case {
  const char* name;
  const char* checks;
  const char* states;
  HealthThresholds thresholds = defaults();
  BackendState initial = BackendState::kUp;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class HealthStateMachineTable : public testing::TestWithParam<Case> {};

TEST_P(HealthStateMachineTable, GoesThroughTheExpectedStates) {
  const Case& c = GetParam();
  ASSERT_EQ(std::string(c.checks).size(), std::string(c.states).size()) << "bad case";
  BackendStateMachine machine(c.thresholds, c.initial);
  EXPECT_EQ(run(machine, c.checks).states, c.states) << "checks " << c.checks;
}

HealthThresholds with_lag(std::chrono::milliseconds lag) {
  HealthThresholds t = defaults();
  t.max_lag = lag;
  return t;
}

HealthThresholds all_one() { return HealthThresholds{1, 1, 1, 1, 5000ms}; }

INSTANTIATE_TEST_SUITE_P(
    DownAndUp, HealthStateMachineTable,
    testing::Values(Case{"StaysUpWhileHealthy", "GGGGGG", "UUUUUU"},
                    Case{"DownAfterThreeFailures", "FFF", "UUD"},
                    Case{"FlappingFailuresNeverGoDown", "FFGFFGFFGFF", "UUUUUUUUUUU"},
                    Case{"UpAfterTwoGoodChecks", "FFFGG", "UUDDU"},
                    Case{"FlappingRecoveryStaysDown", "FFFGFGFGF", "UUDDDDDDD"},
                    Case{"RecoversOnceTwoInARow", "FFFGFGG", "UUDDDDU"},
                    Case{"StaysDownWhileFailing", "FFFFFFF", "UUDDDDD"},
                    Case{"TimeoutsCountAsFailures", "TTT", "UUD"},
                    Case{"MixedFailuresAndTimeoutsGoDown", "FTF", "UUD"},
                    Case{"TimeoutBreaksARecovery", "FFFGTGG", "UUDDDDU"},
                    Case{"TimeoutsNeverBringItBack", "FFFTTTTT", "UUDDDDDD"},
                    Case{"OneFailureEnoughWhenDownAfterIsOne", "GFG", "UDU", all_one()},
                    Case{"DiscoveredStartsDown", "GG", "DU", defaults(), BackendState::kDown},
                    Case{"DiscoveredNeedsConsecutiveGoodChecks", "GFGTGG", "DDDDDU", defaults(),
                         BackendState::kDown},
                    Case{"DiscoveredDeadOneStaysDown", "FFFF", "DDDD", defaults(),
                         BackendState::kDown},
                    Case{"WritableServerIsUp", "WWWW", "UUUU"},
                    Case{"WritableServerGoesDownToo", "WFFF", "UUUD"}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Lag, HealthStateMachineTable,
    testing::Values(Case{"LaggingAfterTwoChecksOverTheLimit", "LL", "UL"},
                    Case{"FlappingLagStaysUp", "LGLGLGLG", "UUUUUUUU"},
                    Case{"RecoversAfterThreeChecksUnder", "LLGGG", "ULLLU"},
                    Case{"FlappingRecoveryStaysLagging", "LLGGLGGLGG", "ULLLLLLLLL"},
                    Case{"RecoveryRestartsAfterAnotherLag", "LLGGLGGG", "ULLLLLLU"},
                    Case{"LagAtTheLimitIsFine", "5555", "UUUU"},
                    Case{"LagOverTheLimitLags", "4666", "UULL"},
                    Case{"SubSecondLimit", "aaabbaaa", "UUUULLLU", with_lag(300ms)},
                    Case{"NoLimitIgnoresLag", "LLLL", "UUUU", with_lag(0ms)},
                    Case{"NoLimitStillCatchesBrokenReplication", "BB", "UL", with_lag(0ms)},
                    Case{"SqlThreadStoppedLags", "BB", "UL"},
                    Case{"BrokenThenRunningRecovers", "BBBGGG", "ULLLLU"},
                    Case{"BrokenAndLagCountTogether", "BL", "UL"},
                    Case{"FailureNeitherCountsNorResetsLag", "LFL", "UUL"},
                    Case{"FailureResetsRecovery", "LLGGFGG", "ULLLLLL"},
                    Case{"FailureResetsRecoveryThenRecovers", "LLGGFGGG", "ULLLLLLU"},
                    Case{"LaggingGoesDownOnFailures", "LLFFF", "ULLLD"},
                    Case{"DownComesBackLaggingWhenBehind", "FFFGL", "UUDDL"},
                    Case{"DownComesBackUpWhenCaughtUp", "FFFLG", "UUDDU"},
                    Case{"DownComesBackLaggingWhenBroken", "FFFBB", "UUDDL"},
                    Case{"WritableIgnoresItsOwnReplication", "XXXX", "UUUU"},
                    Case{"PromotedReplicaIsUpAtOnce", "BBWWW", "ULUUU"},
                    Case{"PromotedWhileDownNeedsUpAfterChecks", "FFFWW", "UUDDU"},
                    Case{"DemotedPrimaryStartsCountingLag", "WWLL", "UUUL"}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(HealthStateMachine, ReasonsNameTheEvidence) {
  BackendStateMachine machine(defaults());
  Trace r = run(machine, "FFFGG");
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0],
            "3 failed checks: connect: [2002] Can't connect to server on '127.0.0.1' (111)");
  EXPECT_EQ(r.reasons[1], "2 good checks");

  BackendStateMachine lagging(defaults());
  CheckResult seven = check('G');
  seven.lag_seconds = 7.2;
  lagging.observe(seven);
  auto change = lagging.observe(seven);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->reason, "lag 7.2s > 5s for 2 checks");
  r = run(lagging, "GGG");
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0], "lag 0ms <= 5s for 3 checks");
}

TEST(HealthStateMachine, ReasonsForBrokenReplicationTimeoutsAndSubSecondLag) {
  BackendStateMachine broken(defaults());
  Trace r = run(broken, "BB");
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0], "SQL thread stopped");

  BackendStateMachine slow(defaults());
  r = run(slow, "TTT");
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0], "3 failed checks: check took 1.2s, over the 1s timeout");

  BackendStateMachine fine(with_lag(300ms));
  r = run(fine, "bb");
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0], "lag 301ms > 300ms for 2 checks");

  BackendStateMachine back(defaults());
  r = run(back, "FFFGL");
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[1], "2 good checks, but lag 10.0s > 5s for 1 check");

  BackendStateMachine promoted(defaults());
  r = run(promoted, "BBW");
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[1], "writable (promoted to primary)");

  BackendStateMachine one(all_one());
  r = run(one, "F");
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0],
            "1 failed check: connect: [2002] Can't connect to server on '127.0.0.1' (111)");
}

TEST(HealthStateMachine, DrainHoldsUntilEnableWhileChecksContinue) {
  BackendStateMachine machine(defaults());
  auto drained = machine.drain();
  ASSERT_TRUE(drained);
  EXPECT_EQ(drained->from, BackendState::kUp);
  EXPECT_EQ(drained->to, BackendState::kDraining);
  EXPECT_EQ(drained->reason, "drained by operator");
  EXPECT_FALSE(machine.drain()) << "draining twice is no change";

  // The server dies while drained: nothing is published, but the checks see it.
  Trace r = run(machine, "FFFF");
  EXPECT_EQ(r.states, "RRRR");
  EXPECT_TRUE(r.reasons.empty());
  EXPECT_EQ(machine.checked_state(), BackendState::kDown);
  EXPECT_TRUE(machine.draining());

  auto enabled = machine.enable();
  ASSERT_TRUE(enabled);
  EXPECT_EQ(enabled->from, BackendState::kDraining);
  EXPECT_EQ(enabled->to, BackendState::kDown) << "enable returns to what the checks say";
  EXPECT_EQ(enabled->reason, "enabled by operator");
  EXPECT_FALSE(machine.enable()) << "enabling twice is no change";
  EXPECT_EQ(run(machine, "GG").states, "DU");
}

TEST(HealthStateMachine, DrainedLaggingReplicaCanRecoverUnderneath) {
  BackendStateMachine machine(defaults());
  EXPECT_EQ(run(machine, "LL").states, "UL");
  ASSERT_TRUE(machine.drain());
  EXPECT_EQ(run(machine, "GGG").states, "RRR");
  EXPECT_EQ(machine.checked_state(), BackendState::kUp);
  auto enabled = machine.enable();
  ASSERT_TRUE(enabled);
  EXPECT_EQ(enabled->to, BackendState::kUp);
}

TEST(HealthStateMachine, EnableWithoutChangeUnderneathReturnsToUp) {
  BackendStateMachine machine(defaults());
  ASSERT_TRUE(machine.drain());
  EXPECT_EQ(run(machine, "GGGG").states, "RRRR");
  auto enabled = machine.enable();
  ASSERT_TRUE(enabled);
  EXPECT_EQ(enabled->to, BackendState::kUp);
}

TEST(HealthStateMachine, NewThresholdsApplyToTheNextCheck) {
  BackendStateMachine machine(defaults());
  EXPECT_EQ(run(machine, "FF").states, "UU");
  machine.set_thresholds(HealthThresholds{5, 2, 2, 3, 5000ms});
  EXPECT_EQ(run(machine, "FFF").states, "UUD") << "the streak is kept; 5 failures now";
  machine.set_thresholds(with_lag(20000ms));
  EXPECT_EQ(run(machine, "LLLL").states, "DUUU") << "10s lag is under a 20s limit";
}

TEST(HealthStateMachine, InitialDrainingIsTreatedAsUp) {
  BackendStateMachine machine(defaults(), BackendState::kDraining);
  EXPECT_EQ(machine.state(), BackendState::kUp);
  EXPECT_FALSE(machine.draining());
}

TEST(HealthThresholdsFromConfig, CopiesTheHealthSection) {
  config::HealthConfig h;
  h.down_after = 7;
  h.up_after = 8;
  h.lagging_after = 9;
  h.recover_after = 10;
  h.max_replication_lag = 300ms;
  HealthThresholds t = HealthThresholds::from_config(h);
  EXPECT_EQ(t.down_after, 7u);
  EXPECT_EQ(t.up_after, 8u);
  EXPECT_EQ(t.lagging_after, 9u);
  EXPECT_EQ(t.recover_after, 10u);
  EXPECT_EQ(t.max_lag, 300ms);
}

TEST(HealthFormatLag, UsesMillisecondsBelowOneSecond) {
  EXPECT_EQ(format_lag(0), "0ms");
  EXPECT_EQ(format_lag(0.0004), "0ms");
  EXPECT_EQ(format_lag(0.45), "450ms");
  EXPECT_EQ(format_lag(0.9994), "999ms");
  EXPECT_EQ(format_lag(1.0), "1.0s");
  EXPECT_EQ(format_lag(7.25), "7.2s");
  EXPECT_EQ(format_lag(123.46), "123.5s");
}

TEST(HealthStateMachine, AReplicaWaitingForAReachablePrimaryIsLagging) {
  BackendStateMachine machine(defaults());
  const Trace t = run(machine, "CCC");
  EXPECT_EQ(t.states, "ULL");
  ASSERT_EQ(t.reasons.size(), 1u);
  EXPECT_EQ(t.reasons[0], "IO thread Connecting");
}

TEST(HealthStateMachine, AReplicaWaitingForAnUnreachablePrimaryKeepsTakingReads) {
  BackendStateMachine machine(defaults());
  EXPECT_EQ(run(machine, "CCCCCC", /*source_unreachable=*/true).states, "UUUUUU");
  // A stopped SQL thread is the replica's own problem, primary or not.
  EXPECT_EQ(run(machine, "BB", /*source_unreachable=*/true).states, "UL");
}

TEST(HealthStateMachine, ALaggingReplicaRecoversOnceThePrimaryIsUnreachableToo) {
  BackendStateMachine machine(defaults());
  EXPECT_EQ(run(machine, "CC").states, "UL");
  const Trace t = run(machine, "CCC", /*source_unreachable=*/true);
  EXPECT_EQ(t.states, "LLU");
  ASSERT_EQ(t.reasons.size(), 1u);
  EXPECT_EQ(t.reasons[0], "the primary is unreachable too: nothing newer to replicate (3 checks)");
}

}  // namespace
}  // namespace mysqlproxy::proxy
