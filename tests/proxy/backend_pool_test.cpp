// BackendPool: which idle connection a lease takes (fit, choose_idle: pure, table tests), and
// the per-backend limit with its line of waiters, on real pools against a fake server on
// loopback: the limit over two pools, FIFO wake-ups, a release on another worker's thread
// waking a waiter, timeouts, and waiters whose session goes away while they wait.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "proxy/backend/backend_pool.hpp"
#include "proxy/backend/pool_fit.hpp"
#include "proxy/observability/proxy_metrics.hpp"
#include "tests/support/fake_mysql_server.hpp"

namespace mysqlproxy::proxy {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// ---------------------------------------------------------------- fit

struct FitCase {
  const char* name;
  CarriedState have;
  std::string want_schema;
  std::vector<std::uint64_t> want_applied;
  int expected;
};

class Fit : public ::testing::TestWithParam<FitCase> {};

TEST_P(Fit, ScoresTheCarriedStateAgainstTheWantedOne) {
  const auto& tc = GetParam();
  EXPECT_EQ(fit(tc.have, WantedState{tc.want_schema, tc.want_applied}), tc.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Fit,
    ::testing::Values(
        FitCase{"same_schema_same_statements", {.schema = "db", .applied = {1, 2}}, "db", {1, 2}, 5},
        FitCase{"other_schema_same_statements", {.schema = "a", .applied = {1}}, "b", {1}, 4},
        FitCase{"same_schema_statements_missing", {.schema = "db", .applied = {1}}, "db", {1, 2}, 3},
        FitCase{"other_schema_statements_missing", {.schema = "a"}, "b", {1}, 2},
        FitCase{"same_schema_extra_statements_need_a_reset", {.schema = "db", .applied = {1, 2}}, "db", {1}, 1},
        FitCase{"same_schema_diverging_statements", {.schema = "db", .applied = {1, 3}}, "db", {1, 2}, 1},
        FitCase{"other_schema_diverging_statements", {.schema = "a", .applied = {3}}, "b", {2}, 0},
        FitCase{"tainted_same_schema", {.schema = "db", .tainted = true}, "db", {}, 1},
        FitCase{"tainted_other_schema", {.schema = "a", .tainted = true}, "b", {}, 0},
        FitCase{"a_schema_cannot_go_back_to_none", {.schema = "db"}, "", {}, -1},
        FitCase{"tainted_with_a_schema_wanted_none", {.schema = "db", .tainted = true}, "", {}, -1},
        FitCase{"none_wanted_none", {}, "", {}, 5},
        FitCase{"none_can_choose_one", {}, "db", {}, 4},
        FitCase{"none_with_statements_missing", {}, "", {7}, 3}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- choose_idle

struct ChooseCase {
  const char* name;
  std::vector<CarriedState> idle;  // most recently used last
  std::string want_schema;
  std::vector<std::uint64_t> want_applied;
  std::optional<std::size_t> expected;
};

// `first`, then `n` copies of `rest`: a long idle list.
std::vector<CarriedState> list_of(CarriedState first, std::size_t n, const CarriedState& rest) {
  std::vector<CarriedState> out{std::move(first)};
  out.insert(out.end(), n, rest);
  return out;
}

class ChooseIdle : public ::testing::TestWithParam<ChooseCase> {};

TEST_P(ChooseIdle, TakesTheBestFitNewestFirst) {
  const auto& tc = GetParam();
  EXPECT_EQ(choose_idle(tc.idle, WantedState{tc.want_schema, tc.want_applied}), tc.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ChooseIdle,
    ::testing::Values(
        ChooseCase{"empty", {}, "db", {}, std::nullopt},
        ChooseCase{"none_usable", {{.schema = "a"}, {.schema = "b"}}, "", {}, std::nullopt},
        ChooseCase{"newest_of_equals", {{.schema = "db"}, {.schema = "db"}}, "db", {}, 1},
        ChooseCase{"first_of_equal_scores_newest_first", {{.schema = "a"}, {.schema = "b"}}, "db", {}, 1},
        ChooseCase{"older_perfect_beats_newer_partial", {{.schema = "db", .applied = {1}}, {.schema = "db"}}, "db",
                   {1}, 0},
        ChooseCase{"right_schema_beats_newer_other", {{.schema = "db"}, {.schema = "x"}}, "db", {}, 0},
        ChooseCase{"newest_unusable_skipped", {{}, {.schema = "db"}}, "", {}, 0},
        ChooseCase{"perfect_newest_ends_the_scan", {{.schema = "db"}, {.schema = "db", .applied = {1}}}, "db", {1}, 1},
        // Only the 16 most recently used are examined.
        ChooseCase{"perfect_17th_newest_unseen", list_of({.schema = "db"}, 16, {.schema = "x"}), "db", {}, 16},
        ChooseCase{"usable_17th_newest_unseen", list_of({}, 16, {.schema = "db"}), "", {}, std::nullopt},
        ChooseCase{"perfect_16th_newest_seen", list_of({.schema = "db"}, 15, {.schema = "x"}), "db", {}, 0}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- real pools

constexpr std::uint32_t kBackend = 1;
constexpr std::uint32_t kClientCaps = 0x01bfa204;  // a mariadb CLI client's

config::Config pool_config(std::uint32_t limit, std::chrono::milliseconds acquire_timeout) {
  config::Config cfg;
  cfg.pool.max_connections_per_backend = limit;
  cfg.pool.acquire_timeout = acquire_timeout;
  cfg.timeouts.connect = 5s;
  return cfg;
}

// A lease request to the fake server. `schema` must outlive the request (a literal).
void fill_request(AcquireRequest& req, const test::FakeMysqlServer& server, std::string_view schema = "") {
  req.key = pool_key(kBackend, "app", protocol::Capabilities{kClientCaps}, 0, 45);
  req.target = BackendTarget{"b1", "127.0.0.1", server.port()};
  req.credentials.user = "app";
  req.credentials.password = "app-pass";
  req.credentials.client_caps = protocol::Capabilities{kClientCaps};
  req.credentials.database = std::string(schema);
  req.want_schema = schema;
}

// One acquire's outcome; `done` is set last, so another thread may read the rest once it is.
struct Outcome {
  AcquireResult result;
  Clock::duration waited{};
  int order = 0;  // when it finished, among the outcomes sharing a counter (from 1)
  std::atomic<bool> done{false};
};

awaitable<void> acquire_into(BackendPool& pool, const AcquireRequest& req, Outcome& out,
                             std::atomic<int>* finished = nullptr) {
  const auto start = Clock::now();
  out.result = co_await pool.acquire(req);
  out.waited = Clock::now() - start;
  if (finished != nullptr) out.order = ++*finished;
  out.done.store(true, std::memory_order_release);
}

// Runs `io` on this thread until `pred` holds, for at most `limit`.
template <class Pred>
bool run_until(asio::io_context& io, Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto end = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() >= end) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return true;
}

// Waits for `pred` to hold (set by another thread), for at most `limit`.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto end = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Acquires on `io` and runs it until the lease is back: the connection, or null.
std::unique_ptr<BackendConnection> lease_now(asio::io_context& io, BackendPool& pool, const AcquireRequest& req) {
  Outcome out;
  asio::co_spawn(io, acquire_into(pool, req, out), asio::detached);
  EXPECT_TRUE(run_until(io, [&] { return out.done.load(); }));
  return std::move(out.result.connection);
}

// Starts an acquire on `io` and runs `io` until the acquire waits in line as the backend's
// `waiting`-th waiter.
bool start_waiting(asio::io_context& io, BackendPool& pool, const AcquireRequest& req, Outcome& out,
                   ConnectionCounters& counters, std::size_t waiting, std::atomic<int>* finished = nullptr) {
  asio::co_spawn(io, acquire_into(pool, req, out, finished), asio::detached);
  return run_until(io, [&] { return counters.waiters.waiting(kBackend) == waiting; });
}

// The common case: one worker (io_context run by the test's thread), one pool.
class BackendPoolWaiters : public ::testing::Test {
 protected:
  void TearDown() override {
    // Idle connections close with the pool; the context then has nothing left pending.
    run_until(io_, [] { return false; }, 20ms);
  }

  test::FakeMysqlServer server_;
  ConnectionCounters counters_;
  asio::io_context io_;
  AcquireRequest req_;
};

TEST_F(BackendPoolWaiters, TwoPoolsSharingCountersOpenNoMoreThanTheLimit) {
  fill_request(req_, server_);
  const auto cfg = pool_config(2, 200ms);
  BackendPool first(counters_, cfg);
  BackendPool second(counters_, cfg);  // another worker's, as far as the limit goes

  auto a = lease_now(io_, first, req_);
  auto b = lease_now(io_, first, req_);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(counters_.open[kBackend].load(), 2);

  Outcome refused;
  asio::co_spawn(io_, acquire_into(second, req_, refused), asio::detached);
  ASSERT_TRUE(run_until(io_, [&] { return refused.done.load(); }));
  EXPECT_EQ(refused.result.error, AcquireError::kPoolTimeout);
  EXPECT_FALSE(refused.result.connection);
  EXPECT_EQ(counters_.open[kBackend].load(), 2);

  first.discard(std::move(a));  // frees a slot: the other pool may open one
  auto c = lease_now(io_, second, req_);
  ASSERT_TRUE(c);
  EXPECT_EQ(counters_.open[kBackend].load(), 2);
  EXPECT_EQ(server_.logins(), 3);
  first.release(std::move(b));
  second.release(std::move(c));
  EXPECT_EQ(first.stats(kBackend).idle + second.stats(kBackend).idle, 2u);
}

TEST_F(BackendPoolWaiters, ReleasesServeThreeWaitersInArrivalOrder) {
  fill_request(req_, server_);
  BackendPool pool(counters_, pool_config(1, 10s));
  auto held = lease_now(io_, pool, req_);
  ASSERT_TRUE(held);
  BackendConnection* const connection = held.get();

  std::atomic<int> finished{0};
  Outcome waiters[3];
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(start_waiting(io_, pool, req_, waiters[i], counters_, i + 1, &finished));
  }
  // Each release hands the connection to the oldest waiter, which gives it back in turn.
  pool.release(std::move(held));
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(run_until(io_, [&] { return waiters[i].done.load(); })) << "waiter " << i;
    EXPECT_EQ(waiters[i].order, static_cast<int>(i) + 1);
    ASSERT_TRUE(waiters[i].result.connection) << "waiter " << i;
    EXPECT_EQ(waiters[i].result.connection.get(), connection) << "handed over, not opened";
    EXPECT_FALSE(waiters[i].result.opened);
    EXPECT_EQ(counters_.waiters.waiting(kBackend), 2 - i);
    pool.release(std::move(waiters[i].result.connection));
  }
  EXPECT_EQ(server_.logins(), 1);
  EXPECT_EQ(pool.stats(kBackend).idle, 1u);
}

TEST_F(BackendPoolWaiters, AClosedConnectionLetsTheOldestWaiterOpenItsOwn) {
  fill_request(req_, server_);
  BackendPool pool(counters_, pool_config(1, 10s));
  auto held = lease_now(io_, pool, req_);
  ASSERT_TRUE(held);
  Outcome waiter;
  ASSERT_TRUE(start_waiting(io_, pool, req_, waiter, counters_, 1));

  pool.discard(std::move(held));
  ASSERT_TRUE(run_until(io_, [&] { return waiter.done.load(); }));
  ASSERT_TRUE(waiter.result.connection);
  EXPECT_TRUE(waiter.result.opened);
  EXPECT_EQ(server_.logins(), 2);
  EXPECT_EQ(counters_.open[kBackend].load(), 1);
  pool.release(std::move(waiter.result.connection));
}

TEST_F(BackendPoolWaiters, AConnectionThatCannotServeTheWaiterIsClosedForItsSlot) {
  // The held connection has a database selected; the waiter wants none, which it can't go back to.
  AcquireRequest with_schema;
  fill_request(with_schema, server_, "db1");
  fill_request(req_, server_);
  BackendPool pool(counters_, pool_config(1, 10s));
  auto held = lease_now(io_, pool, with_schema);
  ASSERT_TRUE(held);
  Outcome waiter;
  ASSERT_TRUE(start_waiting(io_, pool, req_, waiter, counters_, 1));

  pool.release(std::move(held));
  ASSERT_TRUE(run_until(io_, [&] { return waiter.done.load(); }));
  ASSERT_TRUE(waiter.result.connection);
  EXPECT_TRUE(waiter.result.opened);
  EXPECT_EQ(pool.stats(kBackend).idle, 0u) << "closed, not kept idle over the limit";
  EXPECT_EQ(counters_.open[kBackend].load(), 1);
  pool.release(std::move(waiter.result.connection));
}

TEST_F(BackendPoolWaiters, AWaiterTimesOutAndALaterReleaseGoesToTheIdleList) {
  fill_request(req_, server_);
  metrics::Histogram waits(kPoolWaitBuckets);
  BackendPool pool(counters_, pool_config(1, 200ms));
  pool.set_wait_histogram(&waits);
  auto held = lease_now(io_, pool, req_);
  ASSERT_TRUE(held);

  Outcome waiter;
  asio::co_spawn(io_, acquire_into(pool, req_, waiter), asio::detached);
  ASSERT_TRUE(run_until(io_, [&] { return waiter.done.load(); }));
  EXPECT_EQ(waiter.result.error, AcquireError::kPoolTimeout);
  EXPECT_GE(waiter.waited, 200ms);
  EXPECT_LT(waiter.waited, 3s);
  EXPECT_EQ(counters_.waiters.waiting(kBackend), 0u);

  pool.release(std::move(held));
  EXPECT_EQ(pool.stats(kBackend).idle, 1u);
  EXPECT_EQ(counters_.open[kBackend].load(), 1);
  // Two acquires: one that did not wait (0), one that waited its 200 ms.
  EXPECT_EQ(waits.count(), 2u);
  EXPECT_GE(waits.sum(), 0.2);
  EXPECT_EQ(waits.bucket_counts().front(), 1u);
}

TEST_F(BackendPoolWaiters, AReleaseAfterAWaiterTimedOutGoesToTheNextOne) {
  fill_request(req_, server_);
  BackendPool impatient(counters_, pool_config(1, 200ms));
  BackendPool patient(counters_, pool_config(1, 10s));
  auto held = lease_now(io_, impatient, req_);
  ASSERT_TRUE(held);

  Outcome first;
  Outcome second;
  ASSERT_TRUE(start_waiting(io_, impatient, req_, first, counters_, 1));
  asio::co_spawn(io_, acquire_into(patient, req_, second), asio::detached);
  ASSERT_TRUE(run_until(io_, [&] { return first.done.load(); }));
  EXPECT_EQ(first.result.error, AcquireError::kPoolTimeout);
  EXPECT_FALSE(second.done.load());

  impatient.release(std::move(held));  // no waiter of its own left: the slot goes to the other pool's
  ASSERT_TRUE(run_until(io_, [&] { return second.done.load(); }));
  ASSERT_TRUE(second.result.connection);
  EXPECT_TRUE(second.result.opened);
  EXPECT_LT(second.waited, 5s);
  EXPECT_EQ(impatient.stats(kBackend).idle, 0u);
  EXPECT_EQ(counters_.open[kBackend].load(), 1);
  patient.release(std::move(second.result.connection));
}

TEST_F(BackendPoolWaiters, AWaiterWhoseSessionEndsLeavesTheLine) {
  fill_request(req_, server_);
  const auto cfg = pool_config(1, 10s);
  BackendPool pool(counters_, cfg);
  BackendPool other(counters_, cfg);
  auto held = lease_now(io_, pool, req_);
  ASSERT_TRUE(held);

  {
    // Another worker's session waits; its io_context goes away with the coroutine in it.
    asio::io_context gone;
    Outcome waiter;
    ASSERT_TRUE(start_waiting(gone, other, req_, waiter, counters_, 1));
  }
  EXPECT_EQ(counters_.waiters.waiting(kBackend), 0u);
  pool.release(std::move(held));
  EXPECT_EQ(pool.stats(kBackend).idle, 1u) << "nobody waits any more";
  EXPECT_EQ(counters_.open[kBackend].load(), 1);
}

TEST_F(BackendPoolWaiters, ASlotGivenToAWaiterThatWentGoesToTheNextOne) {
  fill_request(req_, server_);
  const auto cfg = pool_config(1, 10s);
  BackendPool pool(counters_, cfg);
  BackendPool other(counters_, cfg);
  auto held = lease_now(io_, pool, req_);
  ASSERT_TRUE(held);

  Outcome next;
  {
    asio::io_context gone;
    Outcome waiter;
    ASSERT_TRUE(start_waiting(gone, other, req_, waiter, counters_, 1));
    ASSERT_TRUE(start_waiting(io_, pool, req_, next, counters_, 2));
    // The slot goes to the oldest waiter, whose wake-up is posted to a context that never runs it.
    pool.discard(std::move(held));
    EXPECT_EQ(counters_.waiters.waiting(kBackend), 1u);
    EXPECT_FALSE(waiter.done.load());
  }
  ASSERT_TRUE(run_until(io_, [&] { return next.done.load(); }));
  ASSERT_TRUE(next.result.connection);
  EXPECT_TRUE(next.result.opened);
  EXPECT_EQ(counters_.open[kBackend].load(), 1);
  pool.release(std::move(next.result.connection));
}

TEST_F(BackendPoolWaiters, APoolOverItsShareGivesItsConnectionsSlotToAnOlderWaiterElsewhere) {
  fill_request(req_, server_);
  const auto cfg = pool_config(2, 10s);
  BackendPool pool(counters_, cfg);
  BackendPool other(counters_, cfg);  // another worker's
  auto first = lease_now(io_, pool, req_);
  auto second = lease_now(io_, pool, req_);
  ASSERT_TRUE(first && second);

  Outcome elsewhere;  // the oldest
  Outcome here;
  ASSERT_TRUE(start_waiting(io_, other, req_, elsewhere, counters_, 1));
  ASSERT_TRUE(start_waiting(io_, pool, req_, here, counters_, 2));

  // Half the waiters are this pool's: its share is 1 of the 2 connections, and it holds 2. The
  // other pool's waiter gets one once it has waited a few milliseconds (kMoveAfter).
  run_until(io_, [] { return false; }, 20ms);
  pool.release(std::move(first));
  ASSERT_TRUE(run_until(io_, [&] { return elsewhere.done.load(); }));
  ASSERT_TRUE(elsewhere.result.connection);
  EXPECT_TRUE(elsewhere.result.opened);
  EXPECT_FALSE(here.done.load());
  // Now it holds its share: the next one is its own waiter's.
  pool.release(std::move(second));
  ASSERT_TRUE(run_until(io_, [&] { return here.done.load(); }));
  ASSERT_TRUE(here.result.connection);
  EXPECT_FALSE(here.result.opened);
  EXPECT_EQ(server_.logins(), 3);
  EXPECT_EQ(counters_.open[kBackend].load(), 2);
  pool.release(std::move(here.result.connection));
  other.release(std::move(elsewhere.result.connection));
}

TEST_F(BackendPoolWaiters, APoolWithinItsShareServesItsOwnWaiterBeforeAnOlderOneElsewhere) {
  fill_request(req_, server_);
  const auto cfg = pool_config(2, 10s);
  BackendPool pool(counters_, cfg);
  BackendPool other(counters_, cfg);
  auto mine = lease_now(io_, pool, req_);
  auto theirs = lease_now(io_, other, req_);
  ASSERT_TRUE(mine && theirs);

  Outcome elsewhere;  // the oldest
  Outcome here;
  ASSERT_TRUE(start_waiting(io_, other, req_, elsewhere, counters_, 1));
  ASSERT_TRUE(start_waiting(io_, pool, req_, here, counters_, 2));

  // Each pool holds its share (1): connections stay where they are, no new login.
  run_until(io_, [] { return false; }, 20ms);
  pool.release(std::move(mine));
  ASSERT_TRUE(run_until(io_, [&] { return here.done.load(); }));
  EXPECT_FALSE(here.result.opened);
  EXPECT_FALSE(elsewhere.done.load());
  other.release(std::move(theirs));
  ASSERT_TRUE(run_until(io_, [&] { return elsewhere.done.load(); }));
  EXPECT_FALSE(elsewhere.result.opened);
  EXPECT_EQ(server_.logins(), 2);
  pool.release(std::move(here.result.connection));
  other.release(std::move(elsewhere.result.connection));
}

TEST_F(BackendPoolWaiters, AnIdleConnectionOnAnotherWorkerIsClosedForAWaiter) {
  fill_request(req_, server_);
  const auto cfg = pool_config(1, 10s);
  BackendPool pool(counters_, cfg);
  BackendPool other(counters_, cfg);
  other.release(lease_now(io_, other, req_));  // idle there, holding the only slot
  ASSERT_EQ(other.stats(kBackend).idle, 1u);

  Outcome waiter;
  asio::co_spawn(io_, acquire_into(pool, req_, waiter), asio::detached);
  ASSERT_TRUE(run_until(io_, [&] { return waiter.done.load(); }));
  ASSERT_TRUE(waiter.result.connection);
  EXPECT_TRUE(waiter.result.opened);
  EXPECT_LT(waiter.waited, 1s) << "served once it had waited a few milliseconds, not at its timeout";
  EXPECT_EQ(other.stats(kBackend).idle, 0u);
  EXPECT_EQ(counters_.open[kBackend].load(), 1);
  pool.release(std::move(waiter.result.connection));
}

TEST(PoolShare, FollowsTheWaitersRoundedUpAndNeverBelowOne) {
  EXPECT_EQ(PoolWaiters::share(4, 1, 2), 2);
  EXPECT_EQ(PoolWaiters::share(4, 16, 28), 3);  // 2.29
  EXPECT_EQ(PoolWaiters::share(4, 12, 28), 2);  // 1.71
  EXPECT_EQ(PoolWaiters::share(4, 28, 28), 4);
  EXPECT_EQ(PoolWaiters::share(2, 1, 8), 1);    // 0.25, but a worker with waiters keeps one
}

// ---------------------------------------------------------------- two workers

// A worker: an io_context on a thread of its own, with its pool.
struct Worker {
  Worker(ConnectionCounters& counters, const config::Config& cfg) : pool(counters, cfg) {
    thread = std::thread([this] { io.run(); });
  }
  ~Worker() {
    work.reset();
    io.stop();
    thread.join();
  }
  // Runs `f` on the worker's thread and waits for it.
  template <class F>
  void run(F f) {
    std::atomic<bool> ran{false};
    asio::post(io, [&] {
      f();
      ran.store(true);
    });
    EXPECT_TRUE(wait_until([&] { return ran.load(); }));
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  BackendPool pool;  // after io: closes its idle connections while the context still exists
  std::thread thread;
};

TEST(BackendPoolTwoWorkers, AReleaseOnOneWorkerWakesAWaiterOnTheOther) {
  test::FakeMysqlServer server;
  ConnectionCounters counters;
  AcquireRequest req;
  fill_request(req, server);
  const auto cfg = pool_config(1, 10s);
  Outcome held;
  Outcome waiter;
  {
    Worker a(counters, cfg);
    Worker b(counters, cfg);
    asio::co_spawn(b.io, acquire_into(b.pool, req, held), asio::detached);
    ASSERT_TRUE(wait_until([&] { return held.done.load(std::memory_order_acquire); }));
    ASSERT_TRUE(held.result.connection);

    asio::co_spawn(a.io, acquire_into(a.pool, req, waiter), asio::detached);
    ASSERT_TRUE(wait_until([&] { return counters.waiters.waiting(kBackend) == 1; }));

    b.run([&] { b.pool.release(std::move(held.result.connection)); });
    ASSERT_TRUE(wait_until([&] { return waiter.done.load(std::memory_order_acquire); }));
    ASSERT_TRUE(waiter.result.connection);
    EXPECT_TRUE(waiter.result.opened) << "a connection stays on its worker: the waiter opens its own";
    EXPECT_LT(waiter.waited, 5s);
    EXPECT_EQ(counters.open[kBackend].load(), 1);
    EXPECT_TRUE(wait_until([&] { return server.open_connections() == 1; })) << "B closed its connection";
    EXPECT_EQ(server.logins(), 2);
    std::uint32_t idle_on_b = 1;
    b.run([&] { idle_on_b = b.pool.stats(kBackend).idle; });
    EXPECT_EQ(idle_on_b, 0u);
    a.run([&] { a.pool.release(std::move(waiter.result.connection)); });
  }
  EXPECT_EQ(counters.open[kBackend].load(), 0);
}

TEST(BackendPoolTwoWorkers, ManySessionsOnTwoWorkersAllGetServedWithinTheLimit) {
  // 16 sessions on each of two workers, 2 connections between them: every acquire is served (none
  // times out), and the limit holds throughout.
  test::FakeMysqlServer server;
  ConnectionCounters counters;
  AcquireRequest req;
  fill_request(req, server);
  const auto cfg = pool_config(2, 10s);
  constexpr int kSessions = 16;
  constexpr int kRounds = 20;
  std::atomic<int> served{0};
  std::atomic<int> failed{0};
  std::atomic<int> over_limit{0};
  {
    Worker a(counters, cfg);
    Worker b(counters, cfg);
    auto session = [&](Worker& w) -> awaitable<void> {
      for (int i = 0; i < kRounds; ++i) {
        auto got = co_await w.pool.acquire(req);
        if (!got.connection) {
          ++failed;
          continue;
        }
        if (counters.open[kBackend].load() > 2) ++over_limit;
        asio::steady_timer hold(w.io, 100us);
        co_await hold.async_wait(kUseTuple);
        w.pool.release(std::move(got.connection));
        ++served;
      }
    };
    for (int i = 0; i < kSessions; ++i) {
      asio::co_spawn(a.io, session(a), asio::detached);
      asio::co_spawn(b.io, session(b), asio::detached);
    }
    EXPECT_TRUE(wait_until([&] { return served.load() + failed.load() == 2 * kSessions * kRounds; }, 30s));
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(over_limit.load(), 0);
  EXPECT_EQ(counters.open[kBackend].load(), 0);
  EXPECT_EQ(counters.waiters.waiting(kBackend), 0u);
}

}  // namespace
}  // namespace mysqlproxy::proxy
