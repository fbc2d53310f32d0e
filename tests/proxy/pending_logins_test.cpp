// PendingLogins: logins in progress per source address, capped, given back by RAII slots.
#include "proxy/session/pending_logins.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

namespace mysqlproxy::proxy {
namespace {

SourceKey source(std::uint8_t last) {
  return source_key(config::ipv4_mapped({10, 0, 0, last}));
}

TEST(PendingLogins, CapsEachSourceApart) {
  PendingLogins pending;
  std::vector<PendingLogins::Slot> held;
  for (int i = 0; i < 3; ++i) {
    auto slot = pending.open(source(1), 3);
    ASSERT_TRUE(slot) << i;
    held.push_back(std::move(*slot));
  }
  EXPECT_FALSE(pending.open(source(1), 3)) << "a fourth from the same source";
  EXPECT_EQ(pending.of(source(1)), 3u);
  auto other = pending.open(source(2), 3);
  EXPECT_TRUE(other) << "another source has its own count";
  EXPECT_EQ(pending.of(source(2)), 1u);
}

TEST(PendingLogins, ASlotGivesItsCountBackWhicheverWayItEnds) {
  PendingLogins pending;
  {
    auto a = pending.open(source(1), 2);
    auto b = pending.open(source(1), 2);
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(pending.open(source(1), 2));
    a->reset();
    EXPECT_EQ(pending.of(source(1)), 1u);
    PendingLogins::Slot moved = std::move(*b);
    EXPECT_FALSE(b->held());
    EXPECT_TRUE(moved.held());
    EXPECT_EQ(pending.of(source(1)), 1u) << "a move does not count twice";
  }
  EXPECT_EQ(pending.of(source(1)), 0u);
  auto again = pending.open(source(1), 2);
  EXPECT_TRUE(again);
}

TEST(PendingLogins, ZeroMeansNoLimit) {
  PendingLogins pending;
  std::vector<PendingLogins::Slot> held;
  for (int i = 0; i < 1000; ++i) {
    auto slot = pending.open(source(1), 0);
    ASSERT_TRUE(slot) << i;
    held.push_back(std::move(*slot));
  }
  EXPECT_EQ(pending.of(source(1)), 1000u);
  held.clear();
  EXPECT_EQ(pending.of(source(1)), 0u);
}

TEST(PendingLogins, AnIpv6SourceIsItsSlash64) {
  PendingLogins pending;
  const auto a = config::parse_ip_address("2001:db8:1:2::1");
  const auto b = config::parse_ip_address("2001:db8:1:2:ffff::9");
  ASSERT_TRUE(a && b);
  auto first = pending.open(source_key(*a), 1);
  ASSERT_TRUE(first);
  EXPECT_FALSE(pending.open(source_key(*b), 1)) << "same /64";
}

}  // namespace
}  // namespace mysqlproxy::proxy
