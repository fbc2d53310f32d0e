// The statement planner's decisions, one row per case: these tables are the specification a
// reader checks, and where a new rule goes first.
#include "proxy/session/statement_plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mysqlproxy::proxy {
namespace {

// ---- choose_backend --------------------------------------------------------------------------

BackendStatus backend(std::uint32_t id, BackendRole role, BackendState state = BackendState::kUp) {
  BackendStatus b;
  b.id = id;
  b.name = "b" + std::to_string(id);
  b.role = role;
  b.state = state;
  return b;
}

// Primary id 1, replicas 2 and 3 (3 lags behind a session's writes in the `accept` rows).
PoolSnapshot three_backends() {
  PoolSnapshot s;
  s.backends = {backend(1, BackendRole::kPrimary), backend(2, BackendRole::kReplica), backend(3, BackendRole::kReplica)};
  s.primary = 0;
  return s;
}

struct ChooseRow {
  const char* name;
  PoolSnapshot snap;
  Target target;
  std::vector<std::uint32_t> avoid;
  bool only_caught_up;  // accept only backend 2
  int turns_before;     // picks taken before the one checked
  std::optional<std::uint32_t> expected_id;
};

PoolSnapshot without_primary() {
  auto s = three_backends();
  s.primary.reset();
  return s;
}
PoolSnapshot replicas_down() {
  auto s = three_backends();
  s.backends[1].state = BackendState::kDown;
  s.backends[2].state = BackendState::kLagging;
  return s;
}

class ChooseBackend : public ::testing::TestWithParam<ChooseRow> {};

TEST_P(ChooseBackend, PicksTheExpectedBackend) {
  const ChooseRow& r = GetParam();
  ReplicaPicker picker;
  for (int i = 0; i < r.turns_before; ++i) (void)picker.pick(r.snap);
  const BackendFilter accept = r.only_caught_up ? BackendFilter([](const BackendStatus& b) { return b.id == 2; })
                                                : BackendFilter();
  const auto index = choose_backend(r.snap, picker, r.target, r.avoid, accept, true);
  std::optional<std::uint32_t> id;
  if (index) id = r.snap.backends[*index].id;
  EXPECT_EQ(id, r.expected_id);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ChooseBackend,
    ::testing::Values(
        ChooseRow{"WriteGoesToThePrimary", three_backends(), Target::kPrimary, {}, false, 0, 1},
        ChooseRow{"ReadTakesTheFirstReplicaInTurn", three_backends(), Target::kReplica, {}, false, 0, 2},
        ChooseRow{"ReadTakesTheNextReplicaNextTurn", three_backends(), Target::kReplica, {}, false, 1, 3},
        ChooseRow{"ReadSkipsAnAvoidedReplica", three_backends(), Target::kReplica, {2}, false, 0, 3},
        ChooseRow{"ReadFallsToThePrimaryWhenEveryReplicaIsAvoided", three_backends(), Target::kReplica, {2, 3}, false, 0, 1},
        ChooseRow{"NothingWhenEverythingIsAvoided", three_backends(), Target::kReplica, {1, 2, 3}, false, 0, std::nullopt},
        ChooseRow{"WriteWithThePrimaryAvoidedGetsNothing", three_backends(), Target::kPrimary, {1}, false, 0, std::nullopt},
        ChooseRow{"ReadTakesOnlyAReplicaTheFilterAccepts", three_backends(), Target::kReplica, {}, true, 1, 2},
        ChooseRow{"ReadWithNoReplicaUpGoesToThePrimary", replicas_down(), Target::kReplica, {}, false, 0, 1},
        ChooseRow{"WriteWithoutAPrimaryGetsNothing", without_primary(), Target::kPrimary, {}, false, 0, std::nullopt},
        ChooseRow{"ReadWithoutAPrimaryStillTakesAReplica", without_primary(), Target::kReplica, {}, false, 0, 2}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ChooseBackendTurns, ALoginCheckingItsDatabaseDoesNotMoveTheRotation) {
  const auto snap = three_backends();
  ReplicaPicker picker;
  const auto peek = choose_backend(snap, picker, Target::kReplica, {}, {}, /*take_turn=*/false);
  const auto first = choose_backend(snap, picker, Target::kReplica, {}, {}, /*take_turn=*/true);
  ASSERT_TRUE(peek && first);
  EXPECT_EQ(*peek, *first);
}

// ---- taints_connection -----------------------------------------------------------------------

struct TaintRow {
  PinReason reason;
  bool taints;
};

class TaintsConnection : public ::testing::TestWithParam<TaintRow> {};

TEST_P(TaintsConnection, SaysWhetherTheConnectionNeedsAReset) {
  EXPECT_EQ(taints_connection(GetParam().reason), GetParam().taints) << to_string(GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(Rows, TaintsConnection,
                         ::testing::Values(TaintRow{PinReason::kTransaction, false},  // ends with COMMIT/ROLLBACK
                                           TaintRow{PinReason::kLockTables, true},
                                           TaintRow{PinReason::kNamedLock, true},
                                           TaintRow{PinReason::kTemporaryTable, true},
                                           TaintRow{PinReason::kSqlPrepare, true},
                                           TaintRow{PinReason::kUserVariableInQuery, true},
                                           TaintRow{PinReason::kNextTransaction, true},
                                           TaintRow{PinReason::kLastInsertId, false},  // the next statement replaces it
                                           TaintRow{PinReason::kFoundRows, false},
                                           TaintRow{PinReason::kDiagnostics, false},
                                           TaintRow{PinReason::kCursor, true},
                                           TaintRow{PinReason::kLongData, true},
                                           TaintRow{PinReason::kConnectionId, false},
                                           TaintRow{PinReason::kUnreplayableState, true}),
                         [](const auto& info) { return std::string(to_string(info.param.reason)); });

TEST(TaintsConnectionTable, HasARowForEveryPinReason) {
  EXPECT_EQ(static_cast<std::size_t>(PinReason::kCount), 14u) << "a new pin reason needs its row above";
}

// ---- plan_pinned_lease ------------------------------------------------------------------------

struct PinnedRow {
  const char* name;
  PinnedLeaseFacts facts;
  PinnedLease expected;
};

class PlanPinnedLease : public ::testing::TestWithParam<PinnedRow> {};

TEST_P(PlanPinnedLease, FollowsTheRule) { EXPECT_EQ(plan_pinned_lease(GetParam().facts), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Rows, PlanPinnedLease,
    ::testing::Values(PinnedRow{"OnAReplicaItStays", {false, 2, 1, true, false}, PinnedLease::kKeep},
                      PinnedRow{"OnThePrimaryStillPrimaryItStays", {true, 1, 1, true, false}, PinnedLease::kKeep},
                      PinnedRow{"WithNoPrimaryNowItStays", {true, 1, std::nullopt, true, false}, PinnedLease::kKeep},
                      PinnedRow{"PrimaryMovedWithoutStateFollows", {true, 1, 2, false, false}, PinnedLease::kFollowPrimary},
                      PinnedRow{"PrimaryMovedWithStateEndsTheSession", {true, 1, 2, true, false}, PinnedLease::kEndSession},
                      PinnedRow{"PrimaryMovedReadingThePreviousResultStays", {true, 1, 2, false, true},
                                PinnedLease::kKeep},
                      PinnedRow{"PrimaryMovedInATransactionEndsItWhateverElse", {true, 1, 2, true, true},
                                PinnedLease::kEndSession}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- plan_after_acquire_failure and acquire_error --------------------------------------------

struct AcquireRow {
  const char* name;
  AcquireFailure failure;
  int attempt;
  Verdict expected;
  std::uint16_t code;  // the proxy's ERR when the verdict is an error (0: the server's own)
  std::optional<ErrorKind> counted;
};

class PlanAfterAcquireFailure : public ::testing::TestWithParam<AcquireRow> {};

TEST_P(PlanAfterAcquireFailure, FollowsTheRule) {
  const AcquireRow& r = GetParam();
  EXPECT_EQ(plan_after_acquire_failure(r.failure, r.attempt), r.expected);
  if (r.code == 0) return;
  const SessionError e = acquire_error(r.failure);
  EXPECT_EQ(e.code, r.code);
  EXPECT_EQ(e.counted, r.counted);
  EXPECT_EQ(e.after, AfterError::kGoOn);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, PlanAfterAcquireFailure,
    ::testing::Values(
        AcquireRow{"UnreachableFirstTryMovesOn", AcquireFailure::kUnreachable, 0, Verdict::kRetryElsewhere, 1158,
                   ErrorKind::kBackendUnreachable},
        AcquireRow{"UnreachableSecondTryMovesOn", AcquireFailure::kUnreachable, 1, Verdict::kRetryElsewhere, 1158,
                   ErrorKind::kBackendUnreachable},
        AcquireRow{"UnreachableLastTryIsAnError", AcquireFailure::kUnreachable, 2, Verdict::kErrorGoOn, 1158,
                   ErrorKind::kBackendUnreachable},
        AcquireRow{"LacksCapsMovesOn", AcquireFailure::kLacksCaps, 0, Verdict::kRetryElsewhere, 1158,
                   ErrorKind::kBackendUnreachable},
        AcquireRow{"LacksCapsLastTryIsAnError", AcquireFailure::kLacksCaps, 2, Verdict::kErrorGoOn, 1158,
                   ErrorKind::kBackendUnreachable},
        AcquireRow{"StateLostMovesOn", AcquireFailure::kStateLost, 0, Verdict::kRetryElsewhere, 1158,
                   ErrorKind::kBackendLost},
        AcquireRow{"StateLostLastTryIsAnError", AcquireFailure::kStateLost, 2, Verdict::kErrorGoOn, 1158,
                   ErrorKind::kBackendLost},
        AcquireRow{"NoBackendIsAnErrorAtOnce", AcquireFailure::kNoBackend, 0, Verdict::kErrorGoOn, 1105,
                   ErrorKind::kNoBackend},
        AcquireRow{"PoolTimeoutIsTooManyConnections", AcquireFailure::kPoolTimeout, 0, Verdict::kErrorGoOn, 1040,
                   ErrorKind::kPoolTimeout},
        AcquireRow{"ALoginRefusedIsTheServersWord", AcquireFailure::kRefused, 0, Verdict::kErrorGoOn, 0, std::nullopt},
        AcquireRow{"AStateRefusedIsTheServersWord", AcquireFailure::kStateRefused, 0, Verdict::kErrorGoOn, 0,
                   std::nullopt}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- plan_missing_database --------------------------------------------------------------------

struct MissingRow {
  const char* name;
  MissingDatabaseFacts facts;
  MissingDatabase expected;
};

class PlanMissingDatabase : public ::testing::TestWithParam<MissingRow> {};

TEST_P(PlanMissingDatabase, FollowsTheRule) { EXPECT_EQ(plan_missing_database(GetParam().facts), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Rows, PlanMissingDatabase,
    ::testing::Values(
        MissingRow{"AnotherErrorIsAnError", {false, true, false, false, false}, MissingDatabase::kAnError},
        MissingRow{"WithoutADefaultDatabaseItIsAnError", {true, false, false, false, false}, MissingDatabase::kAnError},
        MissingRow{"WhileALoginChecksItIsAnError", {true, true, true, false, false}, MissingDatabase::kAnError},
        MissingRow{"ALaggingReplicaLetsAnotherTry", {true, true, false, false, false}, MissingDatabase::kTryAnother},
        MissingRow{"OnTheLastTryAReplicasWordIsAnError", {true, true, false, false, true}, MissingDatabase::kAnError},
        MissingRow{"ThePrimarysWordForgetsTheDatabase", {true, true, false, true, false}, MissingDatabase::kForgotten},
        MissingRow{"ThePrimarysWordOnTheLastTryToo", {true, true, false, true, true}, MissingDatabase::kForgotten}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- plan_after_command_failure and command_error ---------------------------------------------

constexpr RouteDecision kRead{Target::kReplica, RouteReason::kRead};
constexpr RouteDecision kFallback{Target::kPrimary, RouteReason::kFallbackToPrimary};
constexpr RouteDecision kHintReplica{Target::kReplica, RouteReason::kHint};
constexpr RouteDecision kHintPrimary{Target::kPrimary, RouteReason::kHint};
constexpr RouteDecision kWrite{Target::kPrimary, RouteReason::kWrite};
constexpr RouteDecision kInTransaction{Target::kPrimary, RouteReason::kInTransaction};

// A read that failed on its replica before its first byte: every row changes one fact of it.
CommandFailure read_failed() {
  CommandFailure f;
  f.stage = CommandStage::kRelay;
  f.decision = kRead;
  f.replica_safe_read = true;
  return f;
}
template <class Change>
CommandFailure read_failed_but(Change change) {
  CommandFailure f = read_failed();
  change(f);
  return f;
}

struct CommandRow {
  const char* name;
  CommandFailure facts;
  Verdict expected;
  std::uint16_t code;  // of the error, when not a retry
  AfterError after;
};

class PlanAfterCommandFailure : public ::testing::TestWithParam<CommandRow> {};

TEST_P(PlanAfterCommandFailure, FollowsTheRule) {
  const CommandRow& r = GetParam();
  const Verdict v = plan_after_command_failure(r.facts);
  EXPECT_EQ(v, r.expected);
  if (v == Verdict::kRetryElsewhere) return;
  const SessionError e = command_error(r.facts, v);
  EXPECT_EQ(e.code, r.code);
  EXPECT_EQ(e.after, r.after);
  EXPECT_EQ(e.counted, r.facts.timed_out ? ErrorKind::kQueryTimeout : ErrorKind::kBackendLost);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, PlanAfterCommandFailure,
    ::testing::Values(
        CommandRow{"AReadBeforeItsFirstByteIsRetried", read_failed(), Verdict::kRetryElsewhere, 0, AfterError::kGoOn},
        CommandRow{"ASecondFailureIsRetriedToo", read_failed_but([](auto& f) { f.attempt = 1; }),
                   Verdict::kRetryElsewhere, 0, AfterError::kGoOn},
        CommandRow{"AThirdFailureIsAnError", read_failed_but([](auto& f) { f.attempt = 2; }), Verdict::kErrorGoOn,
                   1158, AfterError::kGoOn},
        CommandRow{"AFallbackReadIsRetried", read_failed_but([](auto& f) { f.decision = kFallback; }),
                   Verdict::kRetryElsewhere, 0, AfterError::kGoOn},
        CommandRow{"AReadHintedToAReplicaIsRetried", read_failed_but([](auto& f) { f.decision = kHintReplica; }),
                   Verdict::kRetryElsewhere, 0, AfterError::kGoOn},
        CommandRow{"AReadHintedToThePrimaryIsNotMoved", read_failed_but([](auto& f) { f.decision = kHintPrimary; }),
                   Verdict::kErrorGoOn, 1158, AfterError::kGoOn},
        CommandRow{"AWriteIsNeverRetried", read_failed_but([](auto& f) { f.decision = kWrite; f.replica_safe_read = false; }),
                   Verdict::kErrorGoOn, 1158, AfterError::kGoOn},
        CommandRow{"AReadThatIsNotReplicaSafeIsNotRetried", read_failed_but([](auto& f) { f.replica_safe_read = false; }),
                   Verdict::kErrorGoOn, 1158, AfterError::kGoOn},
        CommandRow{"AReadAfterPartOfTheAnswerIsNotRetried", read_failed_but([](auto& f) { f.answered = true; }),
                   Verdict::kErrorGoOn, 1158, AfterError::kGoOn},
        CommandRow{"AReadInATransactionIsNotRetried",
                   read_failed_but([](auto& f) { f.decision = kInTransaction; f.in_transaction = true; f.state_lost = true; }),
                   Verdict::kErrorEndSession, 1158, AfterError::kEndSession},
        CommandRow{"AReadWithAutocommitOffIsNotRetried", read_failed_but([](auto& f) { f.autocommit = false; }),
                   Verdict::kErrorGoOn, 1158, AfterError::kGoOn},
        CommandRow{"AReadWhoseConnectionHeldStateEndsTheSession", read_failed_but([](auto& f) { f.state_lost = true; }),
                   Verdict::kErrorEndSession, 1158, AfterError::kEndSession},
        CommandRow{"AReadCutByTheQueryTimeoutIsNotRetried", read_failed_but([](auto& f) { f.timed_out = true; }),
                   Verdict::kErrorGoOn, 1317, AfterError::kGoOn},
        CommandRow{"MidPacketTheConnectionCloses",
                   read_failed_but([](auto& f) { f.answered = true; f.at_packet_boundary = false; }),
                   Verdict::kCloseSilently, 1158, AfterError::kClose},
        CommandRow{"MidPacketWithStateLostStillCloses",
                   read_failed_but([](auto& f) { f.answered = true; f.at_packet_boundary = false; f.state_lost = true; }),
                   Verdict::kCloseSilently, 1158, AfterError::kClose},
        CommandRow{"APrepareLostOnceIsTriedOnAFreshConnection",
                   read_failed_but([](auto& f) { f.stage = CommandStage::kPrepare; }), Verdict::kRetryElsewhere, 0,
                   AfterError::kGoOn},
        CommandRow{"APrepareLostTwiceIsAnError",
                   read_failed_but([](auto& f) { f.stage = CommandStage::kPrepare; f.attempt = 1; }),
                   Verdict::kErrorGoOn, 1158, AfterError::kGoOn},
        CommandRow{"APrepareLostWhilePinnedIsAnError",
                   read_failed_but([](auto& f) { f.stage = CommandStage::kPrepare; f.pinned = true; }),
                   Verdict::kErrorGoOn, 1158, AfterError::kGoOn},
        CommandRow{"APrepareLostWithTheSessionsStateEndsIt",
                   read_failed_but([](auto& f) { f.stage = CommandStage::kPrepare; f.pinned = true; f.state_lost = true; }),
                   Verdict::kErrorEndSession, 1158, AfterError::kEndSession}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- the one exit's payload -------------------------------------------------------------------

TEST(SessionErrorPayload, TheProxysOwnErrorIsA41ErrPacket) {
  const auto p = session_error_payload(SessionError::of(kErrTooManyConnections, std::nullopt));
  const std::vector<std::uint8_t> expected = {0xff, 0x10, 0x04, '#', '0', '8', '0', '0', '4', 'T', 'o', 'o', ' ', 'm',
                                              'a',  'n',  'y',  ' ', 'c', 'o', 'n', 'n', 'e', 'c', 't', 'i', 'o', 'n', 's'};
  EXPECT_EQ(p, expected);
}

TEST(SessionErrorPayload, BeforeTheGreetingThereIsNoSqlState) {
  const auto p = session_error_payload(SessionError::before_greeting(1040, "Too many connections"));
  const std::vector<std::uint8_t> expected = {0xff, 0x10, 0x04, 'T', 'o', 'o', ' ', 'm', 'a', 'n',
                                              'y',  ' ',  'c',  'o', 'n', 'n', 'e', 'c', 't', 'i', 'o', 'n', 's'};
  EXPECT_EQ(p, expected);
}

TEST(SessionErrorPayload, AServersErrorIsRelayedAsItCame) {
  const std::vector<std::uint8_t> server = {0xff, 0x19, 0x04, '#', '4', '2', '0', '0', '0', 'x'};
  EXPECT_EQ(session_error_payload(SessionError::relayed(server)), server);
}

}  // namespace
}  // namespace mysqlproxy::proxy
