// LoginThrottle with a clock of the test's own: N failures within the window block a source for
// the block time, nothing else; sources are counted apart; the table stays within its capacity.
#include "proxy/session/login_throttle.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace mysqlproxy::proxy {
namespace {

using namespace std::chrono_literals;
using Clock = LoginThrottle::Clock;

const Clock::time_point t0 = Clock::time_point{} + 1000h;  // any fixed point

SourceKey v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return source_key(config::ipv4_mapped({a, b, c, d}));
}

SourceKey v6(const char* text) { return source_key(*config::parse_ip_address(text)); }

ThrottlePolicy policy(std::uint32_t failures = 3, std::chrono::milliseconds window = 60s,
                      std::chrono::milliseconds block = 30s) {
  return ThrottlePolicy{failures, window, block};
}

TEST(LoginThrottle, BlocksASourceAtItsNthFailureWithinTheWindow) {
  LoginThrottle t;
  const auto p = policy(3);
  const SourceKey s = v4(10, 0, 0, 7);
  EXPECT_FALSE(t.blocked_for(s, t0, p));
  EXPECT_FALSE(t.record_failure(s, t0, p));
  EXPECT_FALSE(t.record_failure(s, t0 + 1s, p));
  EXPECT_FALSE(t.blocked_for(s, t0 + 2s, p)) << "two failures of three do not block";
  EXPECT_TRUE(t.record_failure(s, t0 + 2s, p)) << "the third does";
  ASSERT_TRUE(t.blocked_for(s, t0 + 2s, p));
  EXPECT_EQ(*t.blocked_for(s, t0 + 2s, p), 30s);
  EXPECT_EQ(*t.blocked_for(s, t0 + 12s, p), 20s);
}

TEST(LoginThrottle, TheBlockEndsAfterTheBlockTimeWithAFreshCount) {
  LoginThrottle t;
  const auto p = policy(2, 60s, 10s);
  const SourceKey s = v4(10, 0, 0, 7);
  t.record_failure(s, t0, p);
  ASSERT_TRUE(t.record_failure(s, t0, p));
  EXPECT_TRUE(t.blocked_for(s, t0 + 9999ms, p));
  EXPECT_FALSE(t.blocked_for(s, t0 + 10s, p));
  // The failures that caused the block do not count again: one more is not enough.
  EXPECT_FALSE(t.record_failure(s, t0 + 11s, p));
  EXPECT_FALSE(t.blocked_for(s, t0 + 11s, p));
  EXPECT_TRUE(t.record_failure(s, t0 + 12s, p));
}

TEST(LoginThrottle, FailuresOlderThanTheWindowDoNotCount) {
  LoginThrottle t;
  const auto p = policy(3, 10s);
  const SourceKey s = v4(192, 168, 1, 1);
  EXPECT_FALSE(t.record_failure(s, t0, p));
  EXPECT_FALSE(t.record_failure(s, t0 + 5s, p));
  // The first fell out of the window: two within it.
  EXPECT_FALSE(t.record_failure(s, t0 + 10s, p));
  EXPECT_FALSE(t.blocked_for(s, t0 + 10s, p));
  // A sliding window, not a fixed one: 5 s, 10 s and 14 s are three within 10 s.
  EXPECT_TRUE(t.record_failure(s, t0 + 14s, p));
}

TEST(LoginThrottle, SourcesAreCountedApart) {
  LoginThrottle t;
  const auto p = policy(2);
  const SourceKey a = v4(10, 0, 0, 1);
  const SourceKey b = v4(10, 0, 0, 2);
  t.record_failure(a, t0, p);
  t.record_failure(b, t0, p);
  EXPECT_FALSE(t.blocked_for(a, t0, p));
  EXPECT_TRUE(t.record_failure(a, t0, p));
  EXPECT_TRUE(t.blocked_for(a, t0, p));
  EXPECT_FALSE(t.blocked_for(b, t0, p)) << "one failure of b's own";
  EXPECT_FALSE(t.blocked_for(v4(10, 0, 0, 3), t0, p));
}

TEST(LoginThrottle, FailuresWhileBlockedNeitherCountNorExtendTheBlock) {
  LoginThrottle t;
  const auto p = policy(2, 60s, 10s);
  const SourceKey s = v4(10, 0, 0, 1);
  t.record_failure(s, t0, p);
  t.record_failure(s, t0, p);
  // Connections that passed the check before the block was known fail a moment later.
  EXPECT_FALSE(t.record_failure(s, t0 + 1s, p));
  EXPECT_FALSE(t.record_failure(s, t0 + 2s, p));
  EXPECT_EQ(*t.blocked_for(s, t0 + 2s, p), 8s);
  EXPECT_FALSE(t.blocked_for(s, t0 + 10s, p));
  EXPECT_FALSE(t.record_failure(s, t0 + 10s, p)) << "a fresh count after the block";
}

TEST(LoginThrottle, AnIpv6SourceIsItsSlash64) {
  LoginThrottle t;
  const auto p = policy(2);
  t.record_failure(v6("2001:db8:1:2::1"), t0, p);
  EXPECT_TRUE(t.record_failure(v6("2001:db8:1:2:ffff::9"), t0, p)) << "same /64";
  EXPECT_TRUE(t.blocked_for(v6("2001:db8:1:2::77"), t0, p));
  EXPECT_FALSE(t.blocked_for(v6("2001:db8:1:3::1"), t0, p)) << "another /64";
  EXPECT_EQ(source_text(v6("2001:db8:1:2::1")), "2001:db8:1:2::/64");
  EXPECT_EQ(source_text(v4(10, 1, 2, 3)), "10.1.2.3");
  // An IPv4 client of a dual-stack listener is its IPv4 address.
  EXPECT_EQ(source_text(v6("::ffff:10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(v6("::ffff:10.1.2.3"), v4(10, 1, 2, 3));
}

TEST(LoginThrottle, APolicyThatIsOffCountsNothingAndLiftsBlocks) {
  LoginThrottle t;
  const SourceKey s = v4(10, 0, 0, 1);
  const auto off = policy(0);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(t.record_failure(s, t0, off));
  EXPECT_EQ(t.counts(t0, policy(2)).tracked, 0u);
  const auto on = policy(2);
  t.record_failure(s, t0, on);
  ASSERT_TRUE(t.record_failure(s, t0, on));
  EXPECT_TRUE(t.blocked_for(s, t0, on));
  EXPECT_FALSE(t.blocked_for(s, t0, off)) << "a reload that turns the throttle off lifts the block";
}

TEST(LoginThrottle, ClearLiftsEveryBlock) {
  LoginThrottle t;
  const auto p = policy(1);
  EXPECT_TRUE(t.record_failure(v4(10, 0, 0, 1), t0, p));
  EXPECT_TRUE(t.record_failure(v4(10, 0, 0, 2), t0, p));
  EXPECT_EQ(t.counts(t0, p).blocked, 2u);
  EXPECT_EQ(t.clear(), 2u);
  EXPECT_FALSE(t.blocked_for(v4(10, 0, 0, 1), t0, p));
  EXPECT_EQ(t.counts(t0, p).tracked, 0u);
}

TEST(LoginThrottle, CountsAndListsWhatStillMatters) {
  LoginThrottle t;
  const auto p = policy(2, 10s, 20s);
  t.record_failure(v4(10, 0, 0, 1), t0, p);
  t.record_failure(v4(10, 0, 0, 2), t0, p);
  t.record_failure(v4(10, 0, 0, 2), t0 + 1s, p);  // blocked until t0 + 21 s
  const auto at5 = t.counts(t0 + 5s, p);
  EXPECT_EQ(at5.tracked, 2u);
  EXPECT_EQ(at5.blocked, 1u);
  const auto list = t.sources(t0 + 5s, p);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(source_text(list[0].source), "10.0.0.2") << "blocked ones first";
  ASSERT_TRUE(list[0].blocked_for);
  EXPECT_EQ(*list[0].blocked_for, 16s);
  EXPECT_EQ(source_text(list[1].source), "10.0.0.1");
  EXPECT_EQ(list[1].failures, 1u);
  EXPECT_FALSE(list[1].blocked_for);
  // At 15 s the lone failure is out of the window; the block goes on.
  EXPECT_EQ(t.counts(t0 + 15s, p).tracked, 1u);
  EXPECT_EQ(t.counts(t0 + 21s, p).tracked, 0u);
}

TEST(LoginThrottle, TheTableNeverGrowsPastItsCapacity) {
  LoginThrottle t(100);
  const auto p = policy(5, 60s, 60s);
  for (int i = 0; i < 10000; ++i) {
    t.record_failure(v4(10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                        static_cast<std::uint8_t>(i)),
                     t0 + std::chrono::milliseconds(i), p);
    ASSERT_LE(t.counts(t0 + std::chrono::milliseconds(i), p).tracked, 100u);
  }
  // The most recent failures are the ones kept.
  EXPECT_EQ(t.sources(t0 + 10s, p).size(), 100u);
  EXPECT_EQ(t.sources(t0 + 10s, p).back().failures, 1u);
}

TEST(LoginThrottle, AFullTableDropsExpiredSourcesBeforeLiveOnes) {
  LoginThrottle t(3);
  const auto p = policy(2, 10s, 100s);
  const SourceKey blocked = v4(10, 0, 0, 1);
  t.record_failure(blocked, t0, p);
  ASSERT_TRUE(t.record_failure(blocked, t0, p));
  t.record_failure(v4(10, 0, 0, 2), t0 + 1s, p);
  t.record_failure(v4(10, 0, 0, 3), t0 + 2s, p);
  // At 30 s the two single failures expired; the blocked source is the least recently failed
  // but still blocked. Two newcomers take the expired places.
  t.record_failure(v4(10, 0, 0, 4), t0 + 30s, p);
  t.record_failure(v4(10, 0, 0, 5), t0 + 30s, p);
  EXPECT_TRUE(t.blocked_for(blocked, t0 + 30s, p));
  // Nothing expired: a third newcomer pushes out the least recently failed source that is not
  // blocked (10.0.0.4), not the blocked one.
  t.record_failure(v4(10, 0, 0, 6), t0 + 31s, p);
  EXPECT_TRUE(t.blocked_for(blocked, t0 + 31s, p));
  const auto left = t.sources(t0 + 31s, p);
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(source_text(left[1].source), "10.0.0.5");
  EXPECT_EQ(source_text(left[2].source), "10.0.0.6");
}

TEST(LoginThrottle, AFloodOfAddressesCannotFreeABlockedOne) {
  LoginThrottle t(50);
  const auto p = policy(3, 60s, 60s);
  const SourceKey attacker = v4(10, 0, 0, 1);
  for (int i = 0; i < 3; ++i) t.record_failure(attacker, t0, p);
  ASSERT_TRUE(t.blocked_for(attacker, t0, p));
  for (int i = 0; i < 10000; ++i) {
    t.record_failure(v4(172, 16, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)), t0 + 1s, p);
  }
  EXPECT_TRUE(t.blocked_for(attacker, t0 + 1s, p));
  EXPECT_EQ(t.counts(t0 + 1s, p).tracked, 50u);
}

TEST(LoginThrottle, AFailureWhileBlockedMakesASourceTheMostRecentlyFailed) {
  LoginThrottle t(2);
  const auto p = policy(1, 60s, 100s);
  const SourceKey a = v4(10, 0, 0, 1);
  const SourceKey b = v4(10, 0, 0, 2);
  ASSERT_TRUE(t.record_failure(a, t0, p));
  ASSERT_TRUE(t.record_failure(b, t0 + 1s, p));
  EXPECT_FALSE(t.record_failure(a, t0 + 2s, p));  // blocked: not counted, but it tried last
  // Every source blocked, nothing expired: the least recently failed one (b) makes room.
  ASSERT_TRUE(t.record_failure(v4(10, 0, 0, 3), t0 + 3s, p));
  EXPECT_TRUE(t.blocked_for(a, t0 + 3s, p));
  EXPECT_FALSE(t.blocked_for(b, t0 + 3s, p));
  const auto left = t.sources(t0 + 3s, p);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(source_text(left[0].source), "10.0.0.1");
  EXPECT_EQ(source_text(left[1].source), "10.0.0.3");
}

TEST(LoginThrottle, AnEndedBlockExpiresItsSourceWhateverItsPlace) {
  LoginThrottle t(3);
  const auto p = policy(2, 60s, 10s);
  const SourceKey early = v4(10, 0, 0, 1);
  const SourceKey blocked = v4(10, 0, 0, 2);
  const SourceKey recent = v4(10, 0, 0, 3);
  t.record_failure(early, t0, p);
  t.record_failure(blocked, t0 + 5s, p);
  ASSERT_TRUE(t.record_failure(blocked, t0 + 5s, p));  // blocked until 15 s
  t.record_failure(recent, t0 + 14s, p);
  // At 16 s the block is over and, its failures spent, the source is forgotten first, though
  // `early` failed longer ago (its failure is still within the window).
  t.record_failure(v4(10, 0, 0, 4), t0 + 16s, p);
  const auto left = t.sources(t0 + 16s, p);
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(source_text(left[0].source), "10.0.0.1");
  EXPECT_EQ(source_text(left[1].source), "10.0.0.3");
  EXPECT_EQ(source_text(left[2].source), "10.0.0.4");
  // A source whose block ended and that fails again counts from zero, like any other.
  LoginThrottle u(2);
  ASSERT_TRUE(u.record_failure(blocked, t0, policy(1, 60s, 10s)));
  EXPECT_FALSE(u.record_failure(blocked, t0 + 11s, p));
  EXPECT_FALSE(u.blocked_for(blocked, t0 + 11s, p));
  EXPECT_TRUE(u.record_failure(blocked, t0 + 12s, p));
}

TEST(LoginThrottle, MakingRoomCostsNoWalkOfTheTable) {
  // A full table of blocked sources under a flood of new addresses: the worst case of a walk
  // looking for a source that is not blocked. Every failure may look at a few sources, plus one
  // per source it drops, never at the whole table.
  constexpr std::size_t kCapacity = 2000;
  constexpr int kFlood = 20000;
  LoginThrottle t(kCapacity);
  const auto p = policy(3, 60s, 600s);
  for (std::size_t i = 0; i + 1 < kCapacity; ++i) {
    const SourceKey s = v4(10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i));
    for (int f = 0; f < 3; ++f) t.record_failure(s, t0, p);
  }
  ASSERT_EQ(t.counts(t0, p).blocked, kCapacity - 1);
  const std::uint64_t before = t.eviction_steps();
  for (int i = 0; i < kFlood; ++i) {
    t.record_failure(v4(172, 16, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)),
                     t0 + 1s + std::chrono::milliseconds(i), p);
  }
  const std::uint64_t steps = t.eviction_steps() - before;
  EXPECT_LE(steps, 4u * kFlood) << "eviction walked the table: " << steps << " steps for " << kFlood << " failures";
  EXPECT_GE(steps, static_cast<std::uint64_t>(kFlood)) << "each full-table insert drops one";
  EXPECT_EQ(t.counts(t0 + 30s, p).blocked, kCapacity - 1) << "the flood freed no blocked source";
  EXPECT_EQ(t.counts(t0 + 30s, p).tracked, kCapacity);

  // Later, with every one of them expired, room is made by dropping them all, each once.
  const std::uint64_t before_expiry = t.eviction_steps();
  t.record_failure(v4(192, 168, 0, 1), t0 + 700s, p);
  EXPECT_LE(t.eviction_steps() - before_expiry, kCapacity + 2);
  EXPECT_EQ(t.counts(t0 + 700s, p).tracked, 1u);
  const std::uint64_t emptied = t.eviction_steps();
  for (int i = 0; i < 100; ++i) t.record_failure(v4(192, 168, 1, static_cast<std::uint8_t>(i)), t0 + 701s, p);
  EXPECT_EQ(t.eviction_steps(), emptied) << "a table that is not full makes no room";
  EXPECT_EQ(t.counts(t0 + 701s, p).tracked, 101u);
}

TEST(LoginThrottle, ManyThreadsRecordingAtOnceBlockExactlyOnce) {
  LoginThrottle t;
  const auto p = policy(50, 60s, 60s);
  const SourceKey s = v4(10, 9, 9, 9);
  std::atomic<int> blocks{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j) {
        if (t.record_failure(s, t0, p)) ++blocks;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(blocks.load(), 1);
  EXPECT_TRUE(t.blocked_for(s, t0, p));
}

TEST(LoginThrottle, PolicyComesFromTheLimitsSection) {
  config::LimitsConfig limits;
  limits.login_failures = 7;
  limits.login_failure_window = 5s;
  limits.login_block_time = 9s;
  const auto p = throttle_policy(limits);
  EXPECT_EQ(p.max_failures, 7u);
  EXPECT_EQ(p.window, 5s);
  EXPECT_EQ(p.block, 9s);
}

}  // namespace
}  // namespace mysqlproxy::proxy
