// The failover decisions as tables, one row per case: which replica is promoted, when a proxy may
// start and which one may act, and what happens to a server that is not the primary.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/failover/agreement.hpp"
#include "proxy/failover/candidate.hpp"
#include "proxy/failover/fencing.hpp"

namespace mysqlproxy::proxy {
namespace {

using namespace std::chrono_literals;
using Reject = CandidateRejection;

CandidateFacts replica(std::string_view received, double lag = 0.0) {
  CandidateFacts f;
  f.reachable = f.replicates = f.applies = true;
  f.lag_seconds = lag;
  f.received = GtidPosition::parse(received);
  EXPECT_TRUE(f.received) << received;
  return f;
}

template <class F>
CandidateFacts with(CandidateFacts f, F change) {
  change(f);
  return f;
}

struct CandidateRow {
  std::string name;
  std::vector<CandidateFacts> backends;
  std::chrono::milliseconds max_lag;
  std::optional<std::size_t> chosen;
  std::vector<std::pair<std::size_t, Reject>> rejected;
};

TEST(ChooseCandidate, Table) {
  const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  const CandidateFacts lost_primary = with(replica("0-1-100"), [](auto& f) { f.reachable = false; });
  const std::vector<CandidateRow> rows = {
      {"the most advanced replica wins", {lost_primary, replica("0-1-98"), replica("0-1-100")}, 10s, 2,
       {{0, Reject::kUnreachable}, {1, Reject::kBehindAnother}}},
      {"advanced beats less lag", {replica("0-1-99", 0.1), replica("0-1-100", 3.0)}, 10s, 1,
       {{0, Reject::kBehindAnother}}},
      {"a tie goes to the smaller lag", {replica("0-1-100", 2.0), replica("0-1-100", 0.5)}, 10s, 1,
       {{0, Reject::kLostTheTie}}},
      {"then to the earlier backend", {replica("0-1-100", 1.0), replica("0-1-100", 1.0)}, 10s, 0,
       {{1, Reject::kLostTheTie}}},
      {"MariaDB compares within each domain", {replica("0-1-100,1-1-5"), replica("0-1-100,1-1-7")}, 10s, 1,
       {{0, Reject::kBehindAnother}}},
      {"MySQL sets", {replica(a + ":1-50"), replica(a + ":1-49")}, 10s, 0, {{1, Reject::kBehindAnother}}},
      {"a replica with transactions of its own: nobody",
       {replica(a + ":1-50"), replica(a + ":1-49," + "4e11fa47-71ca-11e1-9e33-c80aa9429562:1")}, 10s, std::nullopt,
       {{0, Reject::kDiverged}, {1, Reject::kDiverged}}},
      {"MariaDB domains diverged: nobody", {replica("0-1-100,1-1-5"), replica("0-1-99,1-1-7")}, 10s, std::nullopt,
       {{0, Reject::kDiverged}, {1, Reject::kDiverged}}},
      {"too far behind is no candidate, even when most advanced",
       {replica("0-1-100", 12.0), replica("0-1-90", 1.0)}, 10s, 1, {{0, Reject::kTooFarBehind}}},
      {"lag exactly at the limit is allowed", {replica("0-1-100", 10.0)}, 10s, 0, {}},
      {"no limit", {replica("0-1-100", 3600.0)}, 0ms, 0, {}},
      {"an unmeasured lag fails a limit", {with(replica("0-1-100"), [](auto& f) { f.lag_seconds.reset(); })}, 10s,
       std::nullopt, {{0, Reject::kTooFarBehind}}},
      {"not replicating", {with(replica("0-1-100"), [](auto& f) { f.replicates = false; }), replica("0-1-1")}, 10s, 1,
       {{0, Reject::kNotAReplica}}},
      {"SQL thread stopped", {with(replica("0-1-100"), [](auto& f) { f.applies = false; })}, 10s, std::nullopt,
       {{0, Reject::kNotApplying}}},
      {"drained by an operator", {with(replica("0-1-100"), [](auto& f) { f.drained = true; }), replica("0-1-99")}, 10s,
       1, {{0, Reject::kDrained}}},
      {"no position", {with(replica("0-1-100"), [](auto& f) { f.received.reset(); })}, 10s, std::nullopt,
       {{0, Reject::kNoPosition}}},
      {"nobody at all", {}, 10s, std::nullopt, {}},
  };
  for (const CandidateRow& r : rows) {
    CandidateChoice c = choose_candidate(r.backends, r.max_lag);
    EXPECT_EQ(c.chosen, r.chosen) << r.name;
    EXPECT_EQ(c.rejected, r.rejected) << r.name;
  }
}

TEST(HoldsMajority, CountsOverEveryServer) {
  struct Row {
    std::size_t servers, locked;
    bool majority;
  };
  for (const Row& r : std::vector<Row>{{3, 2, true},   // primary lost, both replicas locked
                                       {3, 1, false},  // one replica only
                                       {2, 1, false},  // a primary and one replica: never alone
                                       {2, 2, true},
                                       {5, 3, true},
                                       {5, 2, false},
                                       {4, 2, false},  // half is not a majority
                                       {1, 1, true},
                                       {0, 0, false}}) {
    EXPECT_EQ(holds_majority(r.servers, r.locked), r.majority) << r.locked << " of " << r.servers;
  }
  // Two proxies can't both hold a majority of the same servers (each server grants one holder).
  for (std::size_t n = 1; n <= 9; ++n) {
    for (std::size_t mine = 0; mine <= n; ++mine) {
      EXPECT_FALSE(holds_majority(n, mine) && holds_majority(n, n - mine)) << mine << " of " << n;
    }
  }
}

TEST(FailoverVerdict, Table) {
  FailoverTrigger lost;
  lost.automatic = true;
  lost.primary_known = true;
  lost.primary_reachable = false;
  lost.unreachable_for = 2500ms;
  lost.down_after = 2s;
  struct Row {
    std::string name;
    FailoverTrigger t;
    FailoverVerdict verdict;
  };
  auto change = [&](auto f) {
    FailoverTrigger t = lost;
    f(t);
    return t;
  };
  const std::vector<Row> rows = {
      {"lost long enough", lost, FailoverVerdict::kStart},
      {"exactly primary_down_after", change([](auto& t) { t.unreachable_for = 2s; }), FailoverVerdict::kStart},
      {"not yet", change([](auto& t) { t.unreachable_for = 1999ms; }), FailoverVerdict::kWaiting},
      {"the primary answers", change([](auto& t) { t.primary_reachable = true; }), FailoverVerdict::kHealthy},
      {"automatic off", change([](auto& t) { t.automatic = false; }), FailoverVerdict::kDisabled},
      {"a replica still receives from it",
       change([](auto& t) { t.replicas_connected = 1; }), FailoverVerdict::kReplicasSeeIt},
      {"another proxy already promoted one", change([](auto& t) { t.another_writable = true; }),
       FailoverVerdict::kAlreadyReplaced},
      {"promoted elsewhere, even with automatic off",
       change([](auto& t) { t.another_writable = true; t.automatic = false; }), FailoverVerdict::kAlreadyReplaced},
      {"never had a primary", change([](auto& t) { t.primary_known = false; }), FailoverVerdict::kNoPrimary},
      {"one is running", change([](auto& t) { t.in_progress = true; }), FailoverVerdict::kBusy},
  };
  for (const Row& r : rows) EXPECT_EQ(to_string(failover_verdict(r.t)), to_string(r.verdict)) << r.name;
}

TEST(ErrantTransactions, Table) {
  const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  const std::string b = "4e11fa47-71ca-11e1-9e33-c80aa9429562";
  struct Row {
    std::string server, primary;
    std::optional<std::vector<std::string>> errant;
  };
  const std::vector<Row> rows = {
      // MariaDB @@gtid_binlog_state: the old primary (server 1) against the promoted replica (2).
      {"0-1-100", "0-1-100,0-2-150", std::vector<std::string>{}},
      {"0-1-101", "0-1-100,0-2-150", std::vector<std::string>{"0-1-101"}},  // one nobody got
      {"0-1-100", "0-1-99,0-2-150", std::vector<std::string>{"0-1-100"}},   // lost in an async failover
      {"0-1-100,0-3-7", "0-1-100,0-2-150", std::vector<std::string>{"0-3-7"}},  // written by another server
      {"0-1-100,1-1-4", "0-1-100", std::vector<std::string>{"1-1-4"}},          // a domain it lacks
      {"", "0-1-100", std::vector<std::string>{}},
      {"0-1-100", "", std::vector<std::string>{"0-1-100"}},
      {"0-1", "0-1-100", std::nullopt},
      {"0-1-100", "garbage", std::nullopt},
      // MySQL @@gtid_executed.
      {a + ":1-100", a + ":1-120," + b + ":1-3", std::vector<std::string>{}},
      {a + ":1-101," + b + ":1", a + ":1-100", std::vector<std::string>{a + ":101", b + ":1"}},
      {a + ":1-100", "0-1-100", std::nullopt},  // flavours mixed: can't compare
  };
  for (const Row& r : rows) EXPECT_EQ(errant_transactions(r.server, r.primary), r.errant) << r.server << " vs " << r.primary;
}

TEST(LegitimatePrimary, IsTheOneTheReplicasFollow) {
  struct Row {
    std::string name;
    std::vector<WritableServer> writable;
    std::optional<std::size_t> primary;
  };
  const std::vector<Row> rows = {
      {"one writable server", {{1, 0}}, 0},
      {"the old primary back, the replicas follow the new one", {{1, 0}, {2, 2}}, 1},
      {"one follower is enough against none", {{1, 1}, {2, 0}}, 0},
      {"a tie names nobody", {{1, 1}, {2, 1}}, std::nullopt},
      {"nobody followed names nobody", {{1, 0}, {2, 0}}, std::nullopt},
      {"three writable", {{1, 0}, {2, 1}, {3, 2}}, 2},
      {"none", {}, std::nullopt},
  };
  for (const Row& r : rows) EXPECT_EQ(legitimate_primary(r.writable), r.primary) << r.name;
}

TEST(DecideFencing, Table) {
  struct Row {
    std::string name;
    FencingFacts f;
    bool make_read_only;
    FenceNext next;
    std::vector<std::string> errant;
  };
  auto facts = [](bool writable, bool replicates, std::string_view mine) {
    FencingFacts f;
    f.reachable = true;
    f.writable = writable;
    f.replicates_from_primary = replicates;
    f.binlog_state = mine;
    f.primary_binlog_state = "0-1-100,0-2-150";
    return f;
  };
  FencingFacts gone = facts(true, false, "0-1-100");
  gone.reachable = false;
  const std::vector<Row> rows = {
      {"the old primary back, nothing lost: read-only, then a replica", facts(true, false, "0-1-100"), true,
       FenceNext::kRejoin, {}},
      {"the old primary back with a write nobody got", facts(true, false, "0-1-101"), true, FenceNext::kKeepOut,
       {"0-1-101"}},
      {"already read-only and behind: rejoins", facts(false, false, "0-1-90"), false, FenceNext::kRejoin, {}},
      {"a healthy replica of the primary: left alone", facts(false, true, "0-1-100,0-2-150"), false,
       FenceNext::kNothing, {}},
      {"a writable replica of the primary: read-only only", facts(true, true, "0-1-100,0-2-150"), true,
       FenceNext::kNothing, {}},
      {"an unreadable position stays out", facts(true, false, "??"), true, FenceNext::kKeepOut, {"?"}},
      {"unreachable: nothing to do yet", gone, false, FenceNext::kNothing, {}},
  };
  for (const Row& r : rows) {
    FencingDecision d = decide_fencing(r.f);
    EXPECT_EQ(d.make_read_only, r.make_read_only) << r.name;
    EXPECT_EQ(to_string(d.next), to_string(r.next)) << r.name;
    EXPECT_EQ(d.errant, r.errant) << r.name;
  }
}

}  // namespace
}  // namespace mysqlproxy::proxy
