// decide_route: every routing rule is a row. Statements go through the real classifier, so each
// row reads as the SQL an application sends.
#include "proxy/routing/router.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::proxy {
namespace {

using protocol::Command;

struct Row {
  const char* name;
  Command command;
  const char* sql;         // classified when the command carries SQL; nullptr otherwise
  bool in_transaction;
  bool autocommit;
  bool pinned;
  bool replica_available;
  RoutingPolicy policy;
  RouteDecision expected;
};

constexpr RoutingPolicy kDefault{};
constexpr RoutingPolicy kNoHints{false, true, true};
constexpr RoutingPolicy kNoFallback{true, false, true};
constexpr RoutingPolicy kNoReadOnlyTransactions{true, true, false};

class DecideRoute : public ::testing::TestWithParam<Row> {};

TEST_P(DecideRoute, FollowsTheRule) {
  const Row& r = GetParam();
  StatementTraits traits;
  if (r.sql != nullptr) traits = classify_sql(r.sql);
  RouteInput in;
  in.command = r.command;
  in.statement = r.sql != nullptr ? &traits : nullptr;
  in.in_transaction = r.in_transaction;
  in.autocommit = r.autocommit;
  in.pinned = r.pinned;
  in.replica_available = r.replica_available;
  const RouteDecision got = decide_route(in, r.policy);
  EXPECT_EQ(got.target, r.expected.target) << r.sql;
  EXPECT_EQ(to_string(got.reason), to_string(r.expected.reason)) << r.sql;
}

constexpr RouteDecision kReplicaRead{Target::kReplica, RouteReason::kRead};
constexpr RouteDecision kPrimaryWrite{Target::kPrimary, RouteReason::kWrite};
constexpr RouteDecision kPrimaryInTrx{Target::kPrimary, RouteReason::kInTransaction};

INSTANTIATE_TEST_SUITE_P(
    Rules, DecideRoute,
    ::testing::Values(
        // reads outside a transaction go to a replica
        Row{"select", Command::kQuery, "SELECT c FROM sbtest1 WHERE id = 7", false, true, false, true, kDefault, kReplicaRead},
        Row{"show", Command::kQuery, "SHOW TABLES", false, true, false, true, kDefault, kReplicaRead},
        Row{"with_select", Command::kQuery, "WITH x AS (SELECT 1) SELECT * FROM x", false, true, false, true, kDefault, kReplicaRead},
        // writes and unsafe reads go to the primary
        Row{"insert", Command::kQuery, "INSERT INTO t VALUES (1)", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"update", Command::kQuery, "UPDATE t SET a = 1", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"ddl", Command::kQuery, "CREATE TABLE t (a INT)", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"call", Command::kQuery, "CALL p()", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"for_update", Command::kQuery, "SELECT * FROM t WHERE id = 1 FOR UPDATE", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"lock_in_share_mode", Command::kQuery, "SELECT * FROM t LOCK IN SHARE MODE", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"get_lock", Command::kQuery, "SELECT GET_LOCK('a', 1)", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"last_insert_id", Command::kQuery, "SELECT LAST_INSERT_ID()", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"select_into_var", Command::kQuery, "SELECT a INTO @v FROM t LIMIT 1", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"multi_with_write", Command::kQuery, "SELECT 1; DELETE FROM t", false, true, false, true, kDefault, kPrimaryWrite},
        Row{"unknown", Command::kQuery, "FROBNICATE everything", false, true, false, true, kDefault, kPrimaryWrite},
        // session state runs on the primary and is replayed elsewhere
        Row{"set_var", Command::kQuery, "SET @x = 1", false, true, false, true, kDefault, {Target::kPrimary, RouteReason::kSessionState}},
        Row{"set_names", Command::kQuery, "SET NAMES utf8mb4", false, true, false, true, kDefault, {Target::kPrimary, RouteReason::kSessionState}},
        Row{"use", Command::kQuery, "USE proxytest", false, true, false, true, kDefault, {Target::kPrimary, RouteReason::kSessionState}},
        // an open transaction or autocommit off: everything to the primary
        Row{"read_in_trx", Command::kQuery, "SELECT 1", true, true, false, true, kDefault, kPrimaryInTrx},
        Row{"read_autocommit_off", Command::kQuery, "SELECT 1", false, false, false, true, kDefault, kPrimaryInTrx},
        Row{"hint_in_trx", Command::kQuery, "/* route=replica */ SELECT 1", true, true, false, true, kDefault, kPrimaryInTrx},
        Row{"begin", Command::kQuery, "BEGIN", false, true, false, true, kDefault, kPrimaryWrite},
        // read-only transactions run whole on one replica
        Row{"start_read_only", Command::kQuery, "START TRANSACTION READ ONLY", false, true, false, true, kDefault,
            {Target::kReplica, RouteReason::kReadOnlyTransaction}},
        Row{"start_read_only_no_replica", Command::kQuery, "START TRANSACTION READ ONLY", false, true, false, false, kDefault,
            kPrimaryInTrx},
        Row{"start_read_only_disabled", Command::kQuery, "START TRANSACTION READ ONLY", false, true, false, true,
            kNoReadOnlyTransactions, kPrimaryWrite},
        // hints: reads either way, writes never to a replica
        Row{"hint_primary_read", Command::kQuery, "/* route=primary */ SELECT 1", false, true, false, true, kDefault,
            {Target::kPrimary, RouteReason::kHint}},
        Row{"hint_replica_unsafe_read", Command::kQuery, "/* route=replica */ SELECT GET_LOCK('a', 1)", false, true, false, true,
            kDefault, {Target::kReplica, RouteReason::kHint}},
        Row{"hint_replica_write", Command::kQuery, "/* route=replica */ INSERT INTO t VALUES (1)", false, true, false, true,
            kDefault, kPrimaryWrite},
        Row{"hints_off", Command::kQuery, "/* route=primary */ SELECT 1", false, true, false, true, kNoHints, kReplicaRead},
        // no replica: fall back to the primary, or refuse when fallback is off
        Row{"fallback", Command::kQuery, "SELECT 1", false, true, false, false, kDefault,
            {Target::kPrimary, RouteReason::kFallbackToPrimary}},
        Row{"no_fallback", Command::kQuery, "SELECT 1", false, true, false, false, kNoFallback,
            {Target::kPrimary, RouteReason::kNoReplica}},
        // a pinned session keeps its connection, whatever the statement
        Row{"pinned_read", Command::kQuery, "SELECT 1", false, true, true, true, kDefault, {Target::kPrimary, RouteReason::kPinned}},
        // commands without SQL go to the primary
        Row{"init_db", Command::kInitDb, nullptr, false, true, false, true, kDefault, kPrimaryWrite},
        Row{"field_list", Command::kFieldList, nullptr, false, true, false, true, kDefault, kPrimaryWrite},
        Row{"prepare_read", Command::kStmtPrepare, "SELECT c FROM sbtest1 WHERE id = ?", false, true, false, true, kDefault,
            kReplicaRead},
        Row{"prepare_write", Command::kStmtPrepare, "INSERT INTO t VALUES (?)", false, true, false, true, kDefault,
            kPrimaryWrite}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RouteReason, NamesAreStableMetricLabels) {
  EXPECT_EQ(to_string(RouteReason::kRead), "read");
  EXPECT_EQ(to_string(RouteReason::kFallbackToPrimary), "fallback_to_primary");
  EXPECT_EQ(to_string(RouteReason::kInTransaction), "in_transaction");
}

}  // namespace
}  // namespace mysqlproxy::proxy
