#include "proxy/routing/replica_picker.hpp"

#include <gtest/gtest.h>

#include <map>

namespace mysqlproxy::proxy {
namespace {

PoolSnapshot snapshot(std::initializer_list<std::tuple<const char*, BackendRole, BackendState, std::uint32_t>> rows) {
  PoolSnapshot s;
  std::uint32_t id = 0;
  for (const auto& [name, role, state, weight] : rows) {
    BackendStatus b;
    b.id = id++;
    b.name = name;
    b.role = role;
    b.state = state;
    b.weight = weight;
    s.backends.push_back(b);
  }
  return s;
}

std::map<std::string, int> count_picks(ReplicaPicker& p, const PoolSnapshot& s, int n) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i) {
    auto idx = p.pick(s);
    counts[idx ? s.backends[*idx].name : "none"]++;
  }
  return counts;
}

TEST(ReplicaPicker, AlternatesBetweenEqualReplicas) {
  auto s = snapshot({{"p", BackendRole::kPrimary, BackendState::kUp, 1},
                     {"r1", BackendRole::kReplica, BackendState::kUp, 1},
                     {"r2", BackendRole::kReplica, BackendState::kUp, 1}});
  ReplicaPicker p;
  auto first = p.pick(s);
  auto second = p.pick(s);
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
  EXPECT_EQ(count_picks(p, s, 100), (std::map<std::string, int>{{"r1", 50}, {"r2", 50}}));
}

TEST(ReplicaPicker, HonoursWeights) {
  auto s = snapshot({{"r1", BackendRole::kReplica, BackendState::kUp, 3},
                     {"r2", BackendRole::kReplica, BackendState::kUp, 1},
                     {"r3", BackendRole::kReplica, BackendState::kUp, 0}});
  ReplicaPicker p;
  EXPECT_EQ(count_picks(p, s, 400), (std::map<std::string, int>{{"r1", 300}, {"r2", 100}}));
}

TEST(ReplicaPicker, SkipsReplicasThatAreNotUp) {
  auto s = snapshot({{"r1", BackendRole::kReplica, BackendState::kLagging, 1},
                     {"r2", BackendRole::kReplica, BackendState::kUp, 1},
                     {"r3", BackendRole::kReplica, BackendState::kDown, 1},
                     {"r4", BackendRole::kReplica, BackendState::kDraining, 1}});
  ReplicaPicker p;
  EXPECT_EQ(count_picks(p, s, 10), (std::map<std::string, int>{{"r2", 10}}));
}

TEST(ReplicaPicker, NoneWhenNoReplicaTakesReads) {
  auto s = snapshot({{"p", BackendRole::kPrimary, BackendState::kUp, 1},
                     {"r1", BackendRole::kReplica, BackendState::kDown, 1}});
  ReplicaPicker p;
  EXPECT_FALSE(p.pick(s).has_value());
}

TEST(ReplicaPicker, APickThatTakesNoTurnLeavesTheRotation) {
  auto s = snapshot({{"r1", BackendRole::kReplica, BackendState::kUp, 1},
                     {"r2", BackendRole::kReplica, BackendState::kUp, 1}});
  ReplicaPicker p;
  const auto any = [](const BackendStatus&) { return true; };
  // A login's database check, then the session's read, login after login: reads still alternate.
  std::map<std::string, int> reads;
  for (int session = 0; session < 10; ++session) {
    ASSERT_TRUE(p.pick(s, any, /*advance=*/false));
    reads[s.backends[*p.pick(s)].name]++;
  }
  EXPECT_EQ(reads, (std::map<std::string, int>{{"r1", 5}, {"r2", 5}}));
}

TEST(ReplicaPicker, AcceptFilterExcludesCandidates) {
  auto s = snapshot({{"r1", BackendRole::kReplica, BackendState::kUp, 1},
                     {"r2", BackendRole::kReplica, BackendState::kUp, 1}});
  ReplicaPicker p;
  for (int i = 0; i < 5; ++i) {
    auto idx = p.pick(s, [](const BackendStatus& b) { return b.name != "r1"; });
    ASSERT_TRUE(idx);
    EXPECT_EQ(s.backends[*idx].name, "r2");
  }
}

}  // namespace
}  // namespace mysqlproxy::proxy
