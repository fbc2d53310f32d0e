// ConnectionLimits: exact counts over threads, slots given back by their destructors, per-user
// limits, and the refusal packets the proxy sends.
#include "proxy/session/connection_limits.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

#include "protocol/frame.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/server/connection_refusal.hpp"

namespace mysqlproxy::proxy {
namespace {

using namespace std::chrono_literals;

TEST(ConnectionLimits, RefusesTheConnectionOverTheLimitAndTakesItBackOnClose) {
  ConnectionLimits limits;
  auto a = limits.open_client(2);
  auto b = limits.open_client(2);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(limits.open_client(2));
  EXPECT_EQ(limits.clients(), 2u);
  a.reset();  // the optional's slot is destroyed: the session ended
  EXPECT_EQ(limits.clients(), 1u);
  auto c = limits.open_client(2);
  EXPECT_TRUE(c);
  EXPECT_FALSE(limits.open_client(2));
  EXPECT_TRUE(limits.open_client(3)) << "a reload that raises the limit applies at once";
  EXPECT_EQ(limits.clients(), 2u) << "the slot just opened was dropped at once";
}

TEST(ConnectionLimits, ZeroMeansNoLimit) {
  ConnectionLimits limits;
  std::vector<ConnectionLimits::ClientSlot> slots;
  for (int i = 0; i < 1000; ++i) slots.push_back(*limits.open_client(0));
  EXPECT_EQ(limits.clients(), 1000u);
  slots.clear();
  EXPECT_EQ(limits.clients(), 0u);
}

TEST(ConnectionLimits, MovedSlotsCountOnce) {
  ConnectionLimits limits;
  ConnectionLimits::ClientSlot held;
  {
    auto slot = limits.open_client(1);
    ASSERT_TRUE(slot);
    held = std::move(*slot);
  }
  EXPECT_TRUE(held.held());
  EXPECT_EQ(limits.clients(), 1u);
  ConnectionLimits::ClientSlot other(std::move(held));
  EXPECT_FALSE(held.held());
  EXPECT_EQ(limits.clients(), 1u);
  other.reset();
  other.reset();
  EXPECT_EQ(limits.clients(), 0u);
}

TEST(ConnectionLimits, ThreadsRacingForTheLastSlotsNeverExceedTheLimit) {
  ConnectionLimits limits;
  constexpr std::uint32_t kMax = 16;
  std::atomic<std::uint32_t> peak{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      // Each thread holds up to 30 slots: 120 wanted, 16 allowed.
      std::deque<ConnectionLimits::ClientSlot> held;
      for (int i = 0; i < 20000; ++i) {
        auto slot = limits.open_client(kMax);
        if (!slot) {
          ++refused;
          if (!held.empty()) held.pop_front();
          continue;
        }
        held.push_back(std::move(*slot));
        if (held.size() > 30) held.pop_front();
        const std::uint32_t now = limits.clients();
        std::uint32_t seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(peak.load(), kMax);
  EXPECT_GT(refused.load(), 0) << "the limit was reached";
  EXPECT_EQ(limits.clients(), 0u) << "every slot came back";
}

TEST(ConnectionLimits, PerUserLimitsAreCountedPerName) {
  ConnectionLimits limits;
  auto a1 = limits.open_user("app", 2);
  auto a2 = limits.open_user("app", 2);
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(limits.open_user("app", 2));
  auto b1 = limits.open_user("report", 2);
  ASSERT_TRUE(b1) << "another user has a count of its own";
  EXPECT_EQ(limits.sessions_of("app"), 2u);
  EXPECT_EQ(limits.sessions_of("report"), 1u);
  EXPECT_EQ(limits.sessions_of("nobody"), 0u);
  EXPECT_EQ(a1->user(), "app");
  a1.reset();
  EXPECT_EQ(limits.sessions_of("app"), 1u);
  EXPECT_TRUE(limits.open_user("app", 2));
  EXPECT_TRUE(limits.open_user("app", 0)) << "0 = no limit";
  b1.reset();
  a2.reset();
  EXPECT_TRUE(limits.users().empty()) << "users without sessions are not kept";
}

TEST(ConnectionLimits, AUserRefusedAtZeroSessionsLeavesNoEntry) {
  ConnectionLimits limits;
  // max 0 is "no limit", so a refusal at zero cannot happen; but a limit of 1 with one session
  // taken and given back must leave the map empty.
  {
    auto s = limits.open_user("app", 1);
    ASSERT_TRUE(s);
    EXPECT_FALSE(limits.open_user("app", 1));
  }
  EXPECT_TRUE(limits.users().empty());
}

// The ERR the proxy sends instead of the greeting: sequence id 0, code, no SQLSTATE marker.
TEST(ConnectionRefusal, IsAnErrWithoutSqlStateInSequenceZero) {
  const auto frame = refusal_frame(1040, kErrTooManyConnections.message);
  ASSERT_GE(frame.size(), protocol::kFrameHeaderSize);
  const auto h = protocol::decode_frame_header(frame.data());
  EXPECT_EQ(h.seq, 0);
  ASSERT_EQ(h.length, frame.size() - protocol::kFrameHeaderSize);
  const std::span payload(frame.data() + protocol::kFrameHeaderSize, h.length);
  EXPECT_EQ(payload[0], 0xff);
  EXPECT_NE(payload[3], '#');
  const auto err = protocol::decode_err(payload, protocol::Capabilities{});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1040);
  EXPECT_EQ(err->message, "Too many connections");
}

// The server's own words for each code, as MariaDB 10.11 and MySQL 8.4 send them.
TEST(ConnectionRefusal, MessagesAreTheServersOwn) {
  EXPECT_EQ(host_blocked_message("10.0.0.7", true),
            "Host '10.0.0.7' is blocked because of many connection errors; unblock with 'mariadb-admin flush-hosts'");
  EXPECT_EQ(host_blocked_message("10.0.0.7", false),
            "Host '10.0.0.7' is blocked because of many connection errors; unblock with 'mysqladmin flush-hosts'");
  EXPECT_EQ(unsupported_auth_message(true),
            "Client does not support authentication protocol requested by server; consider upgrading MariaDB client");
  EXPECT_EQ(foreign_data_source_message("replica1"), "Unable to connect to foreign data source: replica1");
  EXPECT_EQ(unknown_statement_message(7, "mysqld_stmt_execute"),
            "Unknown prepared statement handler (7) given to mysqld_stmt_execute");
  EXPECT_EQ(no_open_cursor_message(3), "The statement (3) has no open cursor");
  EXPECT_EQ(kErrBackendLost.message, "Got an error reading communication packets");
  EXPECT_EQ(kErrQueryInterrupted.message, "Query execution was interrupted");
  EXPECT_TRUE(presents_mariadb("10.11.19-MariaDB-0+deb12u1-log"));
  EXPECT_FALSE(presents_mariadb("8.4.3"));
}

}  // namespace
}  // namespace mysqlproxy::proxy
