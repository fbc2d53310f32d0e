// pool.mode: session: each of the items statement mode cannot reproduce (docs/pool-modes.md),
// shown behaving as against the server. The proxy has the primary as its only backend here, as in
// the fidelity harness; one test also checks that statement mode differs, so the items are real.
#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <string>

#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

class SessionPoolModeTest : public OwnProxyTest {
 protected:
  ProxyOptions one_backend(const std::string& mode) const {
    ProxyOptions o;
    o.workers = 1;  // one pool: in statement mode the sessions below share it
    o.consistency = "eventual";
    o.pool = "{ mode: " + mode + " }";
    o.backends = {"{ name: primary, host: 127.0.0.1, port: " + std::to_string(cluster_env().primary_port) +
                  ", role: primary }"};
    return o;
  }
  std::string com_select(Client& c) {
    const auto rows = c.query("SHOW SESSION STATUS LIKE 'Com_select'");
    EXPECT_TRUE(rows && rows->size() == 1) << c.describe_error();
    return rows && rows->size() == 1 ? (*rows)[0][1].value_or("") : "";
  }
  // The processlist id of the backend connection that runs this very statement.
  std::string running_id(Client& c) {
    return must_scalar(c, "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%running_id_probe%' "
                          "AND COMMAND = 'Query' LIMIT 1 /* running_id_probe */");
  }
  // The backend connections two sessions' statements ran on, taking turns five times.
  std::pair<std::set<std::string>, std::set<std::string>> ids_taking_turns(Client& a, Client& b) {
    std::set<std::string> ids_a, ids_b;
    for (int i = 0; i < 5; ++i) {
      ids_a.insert(running_id(a));
      ids_b.insert(running_id(b));
    }
    return {ids_a, ids_b};
  }
};

// Two sessions taking turns: each always runs on its own backend connection.
TEST_F(SessionPoolModeTest, EachSessionKeepsItsOwnBackendConnection) {
  START_OR_SKIP(one_backend("session"));
  Client a = open(), b = open();
  const auto [ids_a, ids_b] = ids_taking_turns(a, b);
  EXPECT_EQ(ids_a.size(), 1u);
  EXPECT_EQ(ids_b.size(), 1u);
  EXPECT_NE(*ids_a.begin(), *ids_b.begin());
}

// Statement mode shares connections: the same turns land on more than one connection or share
// one. (This is what session mode exists for; if it ever stops differing, the item is moot.)
TEST_F(SessionPoolModeTest, StatementModeSharesConnectionsBetweenSessions) {
  START_OR_SKIP(one_backend("statement"));
  Client a = open(), b = open();
  const auto [ids_a, ids_b] = ids_taking_turns(a, b);
  std::set<std::string> both = ids_a;
  both.insert(ids_b.begin(), ids_b.end());
  EXPECT_LT(both.size(), ids_a.size() + ids_b.size()) << "no connection was shared";
}

// SHOW SESSION STATUS counts this session's statements only, whatever other sessions do.
TEST_F(SessionPoolModeTest, SessionStatusCountsOnlyThisSession) {
  START_OR_SKIP(one_backend("session"));
  Client a = open(), b = open();
  const std::string before = com_select(a);
  for (int i = 0; i < 3; ++i) {
    must_scalar(a, "SELECT 1");
    must_scalar(b, "SELECT 2");
  }
  EXPECT_EQ(com_select(a), std::to_string(std::stoi(before) + 3));
}

// A SET GLOBAL of a session default reaches sessions that start after it.
TEST_F(SessionPoolModeTest, SetGlobalReachesNewSessions) {
  START_OR_SKIP(one_backend("session"));
  Client warm = open();  // leaves an idle pooled connection from before the change in statement mode
  must_scalar(warm, "SELECT 1");
  const std::string old_value = must_scalar(warm, "SELECT @@global.max_sort_length");
  on_teardown([this, old_value] { cluster_cmd("sql primary SET GLOBAL max_sort_length = " + old_value); });
  cluster_cmd("sql primary SET GLOBAL max_sort_length = 2000");
  Client fresh = open();
  EXPECT_EQ(must_scalar(fresh, "SELECT @@session.max_sort_length"), "2000");
}

// Variables a stored procedure sets, which the proxy never sees as statements, stay set.
TEST_F(SessionPoolModeTest, StateSetInsideAProcedureStays) {
  START_OR_SKIP(one_backend("session"));
  Client c = open();
  const std::string p = unique_name("it_pm_proc");
  cleanup("DROP PROCEDURE IF EXISTS " + p);
  // (Not sql_mode: a routine runs with its own, and the caller's comes back after it.)
  must_exec(c, "CREATE PROCEDURE " + p + "() BEGIN SET @from_proc = 42; SET SESSION max_sort_length = 2001; END");
  must_exec(c, "CALL " + p + "()");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(must_scalar(c, "SELECT @from_proc"), "42");
    EXPECT_EQ(must_scalar(c, "SELECT @@session.max_sort_length"), "2001");
  }
}

// ROW_COUNT() and FOUND_ROWS() answer about the statement just before, as on the server.
TEST_F(SessionPoolModeTest, RowCountAndFoundRowsFollowTheSession) {
  START_OR_SKIP(one_backend("session"));
  Client c = open(), other = open();
  const std::string t = unique_name("it_pm_rows");
  cleanup("DROP TABLE IF EXISTS " + t);
  must_exec(c, "CREATE TABLE " + t + " (a INT)");
  must_exec(c, "INSERT INTO " + t + " VALUES (1), (2), (3)");
  must_exec(c, "UPDATE " + t + " SET a = a + 10 WHERE a < 3");
  must_scalar(other, "SELECT 1");
  EXPECT_EQ(must_scalar(c, "SELECT ROW_COUNT()"), "2");
  must_exec(c, "SELECT SQL_CALC_FOUND_ROWS a FROM " + t + " LIMIT 1");
  must_scalar(other, "SELECT 1");
  EXPECT_EQ(must_scalar(c, "SELECT FOUND_ROWS()"), "3");
}

// COM_RESET_CONNECTION resets the session's own connection (same id, state gone); COM_CHANGE_USER
// gives the new user connections of its own.
TEST_F(SessionPoolModeTest, ResetAndChangeUserActOnTheSessionsOwnConnections) {
  START_OR_SKIP(one_backend("session"));
  Client c = open();
  must_exec(c, "SET @kept = 1");
  const std::string id = running_id(c);
  ASSERT_EQ(mysql_reset_connection(c.get()), 0) << c.describe_error();
  EXPECT_EQ(running_id(c), id);
  EXPECT_EQ(must_scalar(c, "SELECT COALESCE(@kept, 'gone')"), "gone");
  ASSERT_EQ(mysql_change_user(c.get(), "app2", "app2-pass", "app2db"), 0) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), "app2@%");
  EXPECT_NE(running_id(c), id);
}

}  // namespace
}  // namespace itest
