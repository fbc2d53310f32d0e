// WaitWatch: what the sweep concludes from its samples of a session's waits.
#include "proxy/session/wait_watch.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::proxy {
namespace {

using namespace std::chrono_literals;
using Clock = WaitWatch::Clock;

TEST(WaitWatch, NotWaitingIsNeverAStall) {
  WaitWatch w;
  const auto t0 = Clock::time_point{} + 1h;
  EXPECT_FALSE(w.stalled_for(t0));
  EXPECT_FALSE(w.stalled_for(t0 + 10min));
}

TEST(WaitWatch, AWaitWithoutProgressStallsFromTheFirstSampleThatSawIt) {
  WaitWatch w;
  const auto t0 = Clock::time_point{} + 1h;
  w.begin(WaitingOn::kBackend);
  EXPECT_EQ(w.stalled_for(t0), Clock::duration::zero()) << "first seen now";
  EXPECT_EQ(w.stalled_for(t0 + 1s), Clock::duration(1s));
  EXPECT_EQ(w.stalled_for(t0 + 5s), Clock::duration(5s));
  EXPECT_EQ(w.on(), WaitingOn::kBackend);
}

TEST(WaitWatch, ProgressBetweenSamplesRestartsTheCount) {
  WaitWatch w;
  const auto t0 = Clock::time_point{} + 1h;
  w.begin(WaitingOn::kClient);
  w.stalled_for(t0);
  // The write completed and the next one began: the client is reading, slowly.
  w.end();
  w.begin(WaitingOn::kClient);
  EXPECT_EQ(w.stalled_for(t0 + 3s), Clock::duration::zero());
  EXPECT_EQ(w.stalled_for(t0 + 4s), Clock::duration(1s));
}

TEST(WaitWatch, AnotherKindOfWaitRestartsTheCount) {
  WaitWatch w;
  const auto t0 = Clock::time_point{} + 1h;
  w.begin(WaitingOn::kBackend);
  w.stalled_for(t0);
  w.stalled_for(t0 + 2s);
  // Without a completed wait in between (the state alone changed): still a new wait.
  w.begin(WaitingOn::kClient);
  EXPECT_EQ(w.stalled_for(t0 + 3s), Clock::duration::zero());
  w.end();
  EXPECT_FALSE(w.stalled_for(t0 + 9s));
  w.begin(WaitingOn::kClient);
  EXPECT_EQ(w.stalled_for(t0 + 10s), Clock::duration::zero()) << "not waiting at the last sample";
}

}  // namespace
}  // namespace mysqlproxy::proxy
