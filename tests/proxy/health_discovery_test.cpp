// Discovery, the pure part: which addresses count, what they are called, how a new resolution
// changes the set of endpoints, and ids that stay stable.
#include <gtest/gtest.h>

#include "proxy/health/discovery.hpp"

namespace mysqlproxy::proxy {
namespace {

using Keys = std::vector<EndpointKey>;
using Addresses = std::vector<std::string>;

EndpointKey key(const char* address, std::uint16_t port = 3306) {
  return EndpointKey{"replicas", address, port};
}

TEST(DiscoveryChooseAddresses, PrefersIpv4SortsAndDeduplicates) {
  EXPECT_EQ(choose_addresses({"10.0.0.9", "::1", "10.0.0.10", "10.0.0.9", "fe80::1"}),
            (Addresses{"10.0.0.10", "10.0.0.9"}));
  EXPECT_EQ(choose_addresses({"fe80::2", "::1", "::1"}), (Addresses{"::1", "fe80::2"}));
  EXPECT_EQ(choose_addresses({}), Addresses{});
}

TEST(DiscoveryEndpointName, PlainWithOneAddressQualifiedWithSeveral) {
  EXPECT_EQ(endpoint_name("replicas", "10.0.0.7", 1), "replicas");
  EXPECT_EQ(endpoint_name("replicas", "10.0.0.7", 2), "replicas/10.0.0.7");
  EXPECT_EQ(endpoint_name("replicas", "10.0.0.7", 0), "replicas/10.0.0.7");
}

TEST(DiscoveryNameSharing, VanishedEndpointsGiveWayToLiveOnes) {
  EXPECT_EQ(name_sharing(false, 1, 0), 1u);  // the one live address: plain name
  EXPECT_EQ(name_sharing(false, 1, 1), 1u);  // ... even while another address drains
  EXPECT_EQ(name_sharing(false, 3, 0), 3u);
  EXPECT_EQ(name_sharing(true, 1, 1), 0u);  // draining next to a live one: qualified
  EXPECT_EQ(name_sharing(true, 0, 1), 1u);  // removed from the config: keeps its plain name
  EXPECT_EQ(name_sharing(true, 0, 2), 2u);  // several drain together: qualified
}

TEST(DiscoveryIsIpAddress, TellsLiteralsFromNames) {
  EXPECT_TRUE(is_ip_address("127.0.0.1"));
  EXPECT_TRUE(is_ip_address("::1"));
  EXPECT_TRUE(is_ip_address("fd00::12:34"));
  EXPECT_FALSE(is_ip_address("localhost"));
  EXPECT_FALSE(is_ip_address("mysql-0.mysql.default.svc"));
  EXPECT_FALSE(is_ip_address("127.0.0"));
  EXPECT_FALSE(is_ip_address(""));
}

TEST(DiscoveryEndpointIds, AreStableAndDistinct) {
  EndpointIds ids;
  EXPECT_EQ(ids.id_for(key("10.0.0.1")), 0u);
  EXPECT_EQ(ids.id_for(key("10.0.0.2")), 1u);
  EXPECT_EQ(ids.id_for(key("10.0.0.1")), 0u);
  EXPECT_EQ(ids.id_for(key("10.0.0.1", 3307)), 2u) << "another port is another server";
  EXPECT_EQ(ids.id_for(EndpointKey{"other", "10.0.0.1", 3306}), 3u);
  ids.alias(key("10.0.0.3"), 1);
  EXPECT_EQ(ids.id_for(key("10.0.0.3")), 1u);
  EXPECT_EQ(ids.id_for(key("10.0.0.4")), 4u);
}

TEST(DiscoveryPlan, NothingChangesWhenTheAddressesAreTheSame) {
  Keys current = {key("10.0.0.1"), key("10.0.0.2")};
  Addresses now = {"10.0.0.1", "10.0.0.2"};
  DiscoveryPlan plan = plan_discovery("replicas", 3306, current, now);
  EXPECT_TRUE(plan.added.empty());
  EXPECT_TRUE(plan.removed.empty());
  EXPECT_TRUE(plan.rekeyed.empty());
}

TEST(DiscoveryPlan, NewAddressesAreAdded) {
  Keys current = {key("10.0.0.1")};
  Addresses now = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
  DiscoveryPlan plan = plan_discovery("replicas", 3306, current, now);
  EXPECT_EQ(plan.added, (Keys{key("10.0.0.2"), key("10.0.0.3")}));
  EXPECT_TRUE(plan.removed.empty());
  EXPECT_TRUE(plan.rekeyed.empty());
}

TEST(DiscoveryPlan, VanishedAddressesAreRemoved) {
  Keys current = {key("10.0.0.1"), key("10.0.0.2"), key("10.0.0.3")};
  Addresses now = {"10.0.0.2"};
  DiscoveryPlan plan = plan_discovery("replicas", 3306, current, now);
  EXPECT_TRUE(plan.added.empty());
  EXPECT_EQ(plan.removed, (Keys{key("10.0.0.1"), key("10.0.0.3")}));
}

TEST(DiscoveryPlan, AChangedAddressIsOneRemovedAndOneAdded) {
  Keys current = {key("10.0.0.1")};
  Addresses now = {"10.0.0.9"};
  DiscoveryPlan plan = plan_discovery("replicas", 3306, current, now);
  EXPECT_EQ(plan.added, Keys{key("10.0.0.9")});
  EXPECT_EQ(plan.removed, Keys{key("10.0.0.1")});
  EXPECT_TRUE(plan.rekeyed.empty()) << "a resolved address is never re-keyed";
}

TEST(DiscoveryPlan, TheConfiguredHostNameIsAdoptedByItsFirstAddress) {
  // At start the endpoint is keyed by the host name; its first resolution keeps the endpoint
  // (id, state, streaks) and gives it the address; further addresses are new.
  Keys current = {key("mysql-replicas.db.svc")};
  Addresses now = {"10.0.0.1", "10.0.0.2"};
  DiscoveryPlan plan = plan_discovery("replicas", 3306, current, now);
  ASSERT_EQ(plan.rekeyed.size(), 1u);
  EXPECT_EQ(plan.rekeyed[0].from, key("mysql-replicas.db.svc"));
  EXPECT_EQ(plan.rekeyed[0].to, key("10.0.0.1"));
  EXPECT_EQ(plan.added, Keys{key("10.0.0.2")});
  EXPECT_TRUE(plan.removed.empty());
}

TEST(DiscoveryPlan, AHostNameWithOneAddressIsSimplyAdopted) {
  Keys current = {key("localhost")};
  Addresses now = {"127.0.0.1"};
  DiscoveryPlan plan = plan_discovery("replicas", 3306, current, now);
  ASSERT_EQ(plan.rekeyed.size(), 1u);
  EXPECT_EQ(plan.rekeyed[0].to, key("127.0.0.1"));
  EXPECT_TRUE(plan.added.empty());
  EXPECT_TRUE(plan.removed.empty());
}

TEST(DiscoveryPlan, AnIpLiteralHostIsAlreadyItsAddress) {
  Keys current = {key("127.0.0.1")};
  Addresses now = {"127.0.0.1"};
  DiscoveryPlan plan = plan_discovery("replicas", 3306, current, now);
  EXPECT_TRUE(plan.added.empty() && plan.removed.empty() && plan.rekeyed.empty());
}

TEST(DiscoveryPlan, AFailedResolutionChangesNothing) {
  Keys current = {key("10.0.0.1"), key("10.0.0.2")};
  DiscoveryPlan plan = plan_discovery("replicas", 3306, current, Addresses{});
  EXPECT_TRUE(plan.added.empty() && plan.removed.empty() && plan.rekeyed.empty());
}

TEST(DiscoveryPlan, GrowsThenShrinks) {
  Keys current = {key("127.0.0.1")};
  Addresses two = {"127.0.0.1", "127.0.0.2"};
  DiscoveryPlan grow = plan_discovery("replicas", 3306, current, two);
  EXPECT_EQ(grow.added, Keys{key("127.0.0.2")});
  current.push_back(key("127.0.0.2"));
  Addresses one = {"127.0.0.1"};
  DiscoveryPlan shrink = plan_discovery("replicas", 3306, current, one);
  EXPECT_EQ(shrink.removed, Keys{key("127.0.0.2")});
  EXPECT_TRUE(shrink.added.empty());
}

TEST(DiscoveryResolveHost, ResolvesLiteralsAndLocalhost) {
  Resolution literal = resolve_host("127.0.0.1");
  EXPECT_EQ(literal.error, "");
  EXPECT_EQ(literal.addresses, Addresses{"127.0.0.1"});
  Resolution local = resolve_host("localhost");
  EXPECT_EQ(local.error, "");
  ASSERT_FALSE(local.addresses.empty());
  EXPECT_EQ(local.addresses.front(), "127.0.0.1") << "IPv4 wins over ::1";
}

TEST(DiscoveryResolveHost, ReportsAFailure) {
  Resolution r = resolve_host("no-such-host.invalid");
  EXPECT_TRUE(r.addresses.empty());
  EXPECT_NE(r.error, "");
}

}  // namespace
}  // namespace mysqlproxy::proxy
