#include "proxy/session/session_state.hpp"

#include <gtest/gtest.h>

#include "protocol/constants.hpp"

namespace mysqlproxy::proxy {
namespace {

constexpr std::uint16_t kIdle = protocol::kServerStatusAutocommit;
constexpr std::uint16_t kInTrx = protocol::kServerStatusAutocommit | protocol::kServerStatusInTrans;

CommandResult ok(std::uint16_t status = kIdle) { return {true, status, 0, 0}; }

struct Step {
  std::string sql;
  CommandResult result;
};

SessionState run(std::initializer_list<Step> steps) {
  SessionState s("app");
  for (const auto& step : steps) s.after_query(classify_sql(step.sql), step.sql, step.result);
  return s;
}

TEST(SessionState, RecordsReplayableSetsInOrder) {
  auto s = run({{"SET NAMES utf8mb4", ok()}, {"SET @x = 1", ok()}, {"SET sql_mode = 'ANSI'", ok()}});
  ASSERT_EQ(s.replay_log().size(), 3u);
  EXPECT_EQ(s.replay_log()[0].sql, "SET NAMES utf8mb4");
  EXPECT_EQ(s.replay_log()[2].sql, "SET sql_mode = 'ANSI'");
  EXPECT_EQ(s.replay_hashes().size(), 3u);
  EXPECT_EQ(s.replay_hashes()[1], s.replay_log()[1].hash);
  EXPECT_FALSE(s.pinned());
}

TEST(SessionState, FailedSetIsNotRecorded) {
  auto s = run({{"SET @x = 1", ok()}, {"SET nosuchvar = 1", CommandResult{false, std::nullopt, 0, 0}}});
  EXPECT_EQ(s.replay_log().size(), 1u);
}

TEST(SessionState, RepeatedSetIsRecordedOnce) {
  auto s = run({{"SET NAMES utf8mb4", ok()}, {"SET NAMES utf8mb4", ok()}});
  EXPECT_EQ(s.replay_log().size(), 1u);
}

TEST(SessionState, GlobalSetIsNeverReplayed) {
  auto s = run({{"SET GLOBAL max_connections = 500", ok()}});
  EXPECT_TRUE(s.replay_log().empty());
}

TEST(SessionState, UseChangesTheSchema) {
  auto s = run({{"USE proxytest", ok()}});
  EXPECT_EQ(s.schema(), "proxytest");
  auto failed = run({{"USE nosuch", CommandResult{false, std::nullopt, 0, 0}}});
  EXPECT_EQ(failed.schema(), "app");
}

TEST(SessionState, DroppingTheDefaultDatabaseLeavesNone) {
  EXPECT_EQ(run({{"USE shop", ok()}, {"DROP DATABASE shop", ok()}}).schema(), "");
  EXPECT_EQ(run({{"USE shop", ok()}, {"DROP SCHEMA IF EXISTS `shop`", ok()}}).schema(), "");
  EXPECT_EQ(run({{"USE shop", ok()}, {"DROP DATABASE other", ok()}}).schema(), "shop");
  EXPECT_EQ(run({{"USE shop", ok()}, {"DROP DATABASE shop", CommandResult{false, std::nullopt, 0, 0}}}).schema(), "shop");
}

TEST(SessionState, TransactionPinsUntilItEnds) {
  auto s = run({{"BEGIN", ok(kInTrx)}});
  EXPECT_TRUE(s.pinned_for(PinReason::kTransaction));
  EXPECT_TRUE(s.in_transaction());
  s.after_query(classify_sql("COMMIT"), "COMMIT", ok());
  EXPECT_FALSE(s.pinned());
  EXPECT_FALSE(s.in_transaction());
}

TEST(SessionState, AutocommitOffPinsAndBackOnReleases) {
  auto s = run({{"SET autocommit = 0", ok(0)}});
  EXPECT_TRUE(s.pinned_for(PinReason::kTransaction));
  EXPECT_FALSE(s.autocommit());
  s.after_query(classify_sql("SET autocommit = 1"), "SET autocommit = 1", ok());
  EXPECT_FALSE(s.pinned());
  EXPECT_EQ(s.replay_log().size(), 2u) << "both are replayed, in order";
}

TEST(SessionState, WhatDiesWithTheConnection) {
  EXPECT_FALSE(run({{"SELECT 1", ok()}}).holds_connection_state());
  EXPECT_TRUE(run({{"BEGIN", ok(kInTrx)}}).holds_connection_state());
  // Autocommit off with no transaction open: the setting is replayed anywhere.
  auto off = run({{"SET autocommit = 0", ok(0)}});
  EXPECT_TRUE(off.holds_lasting_pins());
  EXPECT_FALSE(off.holds_connection_state());
  off.after_query(classify_sql("INSERT INTO t VALUES (1)"), "INSERT INTO t VALUES (1)",
                  ok(protocol::kServerStatusInTrans));
  EXPECT_TRUE(off.holds_connection_state()) << "its first statement opened a transaction";
  EXPECT_TRUE(run({{"CREATE TEMPORARY TABLE t (a INT)", ok()}}).holds_connection_state());
  // Pins that last one statement hold nothing worth ending a session for.
  auto insert = run({{"INSERT INTO t VALUES (1)", CommandResult{true, kIdle, 7, 0}}});
  EXPECT_TRUE(insert.pinned_for(PinReason::kLastInsertId));
  EXPECT_FALSE(insert.holds_connection_state());
}

TEST(SessionState, ErrorKeepsTheKnownTransactionState) {
  auto s = run({{"BEGIN", ok(kInTrx)}, {"INSERT INTO t VALUES (1)", CommandResult{false, std::nullopt, 0, 0}}});
  EXPECT_TRUE(s.in_transaction());
  EXPECT_TRUE(s.pinned_for(PinReason::kTransaction));
}

struct PinCase {
  const char* sql;
  PinReason reason;
};

class PinsFor : public ::testing::TestWithParam<PinCase> {};

TEST_P(PinsFor, TheStatementsReason) {
  const auto& c = GetParam();
  auto s = run({{c.sql, ok()}});
  EXPECT_TRUE(s.pinned_for(c.reason)) << c.sql << " -> " << to_string(c.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Statements, PinsFor,
    ::testing::Values(PinCase{"LOCK TABLES t WRITE", PinReason::kLockTables},
                      PinCase{"SELECT GET_LOCK('a', 1)", PinReason::kNamedLock},
                      PinCase{"CREATE TEMPORARY TABLE tmp (a INT)", PinReason::kTemporaryTable},
                      PinCase{"PREPARE s FROM 'SELECT 1'", PinReason::kSqlPrepare},
                      PinCase{"SELECT @a := 1", PinReason::kUserVariableInQuery},
                      PinCase{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", PinReason::kNextTransaction},
                      PinCase{"SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1", PinReason::kFoundRows},
                      PinCase{"SELECT CONNECTION_ID()", PinReason::kConnectionId},
                      PinCase{"SET @a = 1; SELECT 1", PinReason::kUnreplayableState}));

TEST(SessionState, UnlockTablesReleases) {
  auto s = run({{"LOCK TABLES t WRITE", ok()}, {"UNLOCK TABLES", ok()}});
  EXPECT_FALSE(s.pinned_for(PinReason::kLockTables));
}

TEST(SessionState, LastInsertIdPinsForTheNextStatementOnly) {
  SessionState s;
  s.after_query(classify_sql("INSERT INTO t VALUES (NULL)"), "INSERT INTO t VALUES (NULL)", CommandResult{true, kIdle, 42, 0});
  EXPECT_TRUE(s.pinned_for(PinReason::kLastInsertId));
  EXPECT_TRUE(s.only_transient_pins());
  s.after_query(classify_sql("SELECT LAST_INSERT_ID()"), "SELECT LAST_INSERT_ID()", ok());
  EXPECT_FALSE(s.pinned());
}

TEST(SessionState, WarningsAndErrorsPinDiagnosticsForOneStatement) {
  SessionState s;
  s.after_query(classify_sql("SELECT CAST('1x' AS SIGNED)"), "SELECT CAST('1x' AS SIGNED)", CommandResult{true, kIdle, 0, 1});
  EXPECT_TRUE(s.pinned_for(PinReason::kDiagnostics));
  s.drop_transient_pins();
  EXPECT_FALSE(s.pinned());
  s.after_query(classify_sql("SELECT nosuch"), "SELECT nosuch", CommandResult{false, std::nullopt, 0, 0});
  EXPECT_TRUE(s.pinned_for(PinReason::kDiagnostics));
}

TEST(SessionState, ResetForgetsEverythingButTheSchema) {
  auto s = run({{"SET @x = 1", ok()}, {"LOCK TABLES t READ", ok()}, {"BEGIN", ok(kInTrx)}});
  s.reset();
  EXPECT_TRUE(s.replay_log().empty());
  EXPECT_FALSE(s.pinned());
  EXPECT_FALSE(s.in_transaction());
  EXPECT_EQ(s.schema(), "app");
}

TEST(SessionState, AFullReplayLogPinsInsteadOfGrowing) {
  SessionState s;
  for (std::size_t i = 0; i < SessionState::kMaxReplayLog + 1; ++i) {
    const std::string sql = "SET @v" + std::to_string(i) + " = 1";
    s.after_query(classify_sql(sql), sql, ok());
  }
  EXPECT_EQ(s.replay_log().size(), SessionState::kMaxReplayLog);
  EXPECT_TRUE(s.pinned_for(PinReason::kUnreplayableState));
}

TEST(SessionState, ExplicitPinsComeAndGo) {
  SessionState s;
  s.pin(PinReason::kCursor, true);
  EXPECT_TRUE(s.pinned_for(PinReason::kCursor));
  EXPECT_FALSE(s.only_transient_pins());
  s.pin(PinReason::kCursor, false);
  EXPECT_FALSE(s.pinned());
}

}  // namespace
}  // namespace mysqlproxy::proxy
