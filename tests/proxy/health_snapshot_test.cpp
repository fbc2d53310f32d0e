// build_snapshot: order, names, roles, states, reads_fall_back_to_primary; and the comparison the
// publisher uses to skip snapshots that would change nothing.
#include <gtest/gtest.h>

#include "proxy/health/snapshot_builder.hpp"

namespace mysqlproxy::proxy {
namespace {

using namespace std::chrono_literals;

EndpointView view(std::uint32_t id, const char* backend, const char* address,
                  std::size_t config_index, BackendState state = BackendState::kUp) {
  EndpointView v;
  v.id = id;
  v.key = EndpointKey{backend, address, 3306};
  v.config_index = config_index;
  v.state = state;
  return v;
}

CheckResult replica_check(double lag) {
  CheckResult r;
  r.reachable = true;
  r.read_only = true;
  r.is_replica = true;
  r.lag_seconds = lag;
  r.gtid_position = "0-1-42";
  r.duration = 1500us;
  return r;
}

TEST(HealthSnapshot, OrdersByConfigThenAddressAndAssignsRoles) {
  std::vector<EndpointView> views = {
      view(5, "replicas", "10.0.0.9", 1),
      view(0, "primary", "10.0.0.1", 0),
      view(4, "replicas", "10.0.0.10", 1),
  };
  views[0].name_sharing = views[2].name_sharing = 2;
  auto snap = build_snapshot(views, 0u, 7);
  EXPECT_EQ(snap->version, 7u);
  ASSERT_EQ(snap->backends.size(), 3u);
  EXPECT_EQ(snap->backends[0].name, "primary");
  EXPECT_EQ(snap->backends[0].role, BackendRole::kPrimary);
  EXPECT_EQ(snap->backends[1].name, "replicas/10.0.0.10");
  EXPECT_EQ(snap->backends[1].id, 4u);
  EXPECT_EQ(snap->backends[2].name, "replicas/10.0.0.9");
  EXPECT_EQ(snap->backends[2].role, BackendRole::kReplica);
  EXPECT_EQ(snap->primary, 0u);
  ASSERT_NE(snap->primary_status(), nullptr);
  EXPECT_EQ(snap->primary_status()->host, "10.0.0.1");
  EXPECT_FALSE(snap->reads_fall_back_to_primary);
}

TEST(HealthSnapshot, CopiesTheLatestCheck) {
  std::vector<EndpointView> views = {view(1, "replica1", "127.0.0.1", 0)};
  views[0].weight = 3;
  views[0].last = replica_check(0.25);
  auto snap = build_snapshot(views, std::nullopt, 1);
  const BackendStatus& b = snap->backends[0];
  EXPECT_EQ(b.weight, 3u);
  EXPECT_EQ(b.lag_seconds, 0.25);
  EXPECT_EQ(b.gtid_position, "0-1-42");
  EXPECT_EQ(b.check_duration, 1500us);
  EXPECT_EQ(b.last_error, "");
  EXPECT_EQ(snap->primary, std::nullopt);
}

TEST(HealthSnapshot, LastErrorShowsAFailureOrBrokenReplication) {
  std::vector<EndpointView> views = {view(1, "a", "127.0.0.1", 0), view(2, "b", "127.0.0.2", 1)};
  views[0].last = CheckResult{};
  views[0].last->error = "connect: refused";
  views[1].last = replica_check(0);
  views[1].last->replication_broken = true;
  views[1].last->replication_problem = "SQL thread stopped";
  auto snap = build_snapshot(views, std::nullopt, 1);
  EXPECT_EQ(snap->backends[0].last_error, "connect: refused");
  EXPECT_EQ(snap->backends[1].last_error, "SQL thread stopped");
}

TEST(HealthSnapshot, ReadsFallBackWhenNoReplicaIsUp) {
  std::vector<EndpointView> views = {
      view(0, "primary", "127.0.0.1", 0),
      view(1, "replica1", "127.0.0.1", 1, BackendState::kLagging),
      view(2, "replica2", "127.0.0.1", 2, BackendState::kDown),
  };
  EXPECT_TRUE(build_snapshot(views, 0u, 1)->reads_fall_back_to_primary);
  views[2].state = BackendState::kDraining;
  EXPECT_TRUE(build_snapshot(views, 0u, 1)->reads_fall_back_to_primary);
  views[2].state = BackendState::kUp;
  EXPECT_FALSE(build_snapshot(views, 0u, 1)->reads_fall_back_to_primary);
  // The primary alone never counts as a replica taking reads.
  std::vector<EndpointView> alone = {view(0, "primary", "127.0.0.1", 0)};
  EXPECT_TRUE(build_snapshot(alone, 0u, 1)->reads_fall_back_to_primary);
}

TEST(HealthSnapshot, VanishedEndpointsAreDrainingQualifiedAndNeverPrimary) {
  std::vector<EndpointView> views = {view(3, "replicas", "10.0.0.1", 0),
                                     view(4, "replicas", "10.0.0.2", 0)};
  views[0].name_sharing = 1;
  views[1].vanished = true;
  views[1].name_sharing = name_sharing(true, 1, 1);
  auto snap = build_snapshot(views, 4u, 1);
  EXPECT_EQ(snap->backends[0].name, "replicas");
  EXPECT_EQ(snap->backends[1].name, "replicas/10.0.0.2");
  EXPECT_EQ(snap->backends[1].state, BackendState::kDraining);
  EXPECT_EQ(snap->primary, std::nullopt);
}

TEST(HealthSnapshot, ABackendRemovedFromTheConfigKeepsItsNameWhileDraining) {
  std::vector<EndpointView> views = {view(0, "primary", "10.0.0.1", 0),
                                     view(2, "replica2", "10.0.0.3", 1)};
  views[1].vanished = true;
  views[1].name_sharing = name_sharing(true, 0, 1);
  auto snap = build_snapshot(views, 0u, 1);
  EXPECT_EQ(snap->backends[1].name, "replica2");
  EXPECT_EQ(snap->backends[1].state, BackendState::kDraining);
  EXPECT_TRUE(snap->reads_fall_back_to_primary);
}

TEST(HealthSnapshot, SameRoutingContentIgnoresCheckTimes) {
  std::vector<EndpointView> views = {view(0, "primary", "127.0.0.1", 0),
                                     view(1, "replica1", "127.0.0.1", 1)};
  views[1].last = replica_check(0.1);
  auto a = build_snapshot(views, 0u, 1);
  views[1].last->duration = 9ms;
  views[1].last->finished = std::chrono::system_clock::now();
  auto b = build_snapshot(views, 0u, 2);
  EXPECT_TRUE(same_routing_content(*a, *b));

  views[1].last->lag_seconds = 0.2;
  EXPECT_FALSE(same_routing_content(*a, *build_snapshot(views, 0u, 3)));
  views[1].last->lag_seconds = 0.1;
  views[1].last->gtid_position = "0-1-43";
  EXPECT_FALSE(same_routing_content(*a, *build_snapshot(views, 0u, 3)));
  views[1].last->gtid_position = "0-1-42";
  views[1].state = BackendState::kLagging;
  EXPECT_FALSE(same_routing_content(*a, *build_snapshot(views, 0u, 3)));
  views[1].state = BackendState::kUp;
  EXPECT_FALSE(same_routing_content(*a, *build_snapshot(views, 1u, 3)));
  EXPECT_FALSE(same_routing_content(*a, *build_snapshot(views, std::nullopt, 3)));
  views.pop_back();
  EXPECT_FALSE(same_routing_content(*a, *build_snapshot(views, 0u, 3)));
}

}  // namespace
}  // namespace mysqlproxy::proxy
