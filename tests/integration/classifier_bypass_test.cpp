// Writes disguised as reads (issue #21): texts that one reading calls a SELECT and the server runs
// as a DELETE. Each goes through the proxy; it must run on the primary (the row is gone there,
// and the replicas, after catching up, hold what the primary holds), never on a replica: there
// the app account, without READ_ONLY ADMIN, gets ERR 1290, so a refusal means a replica got it.
#include <gtest/gtest.h>

#include <string>

#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

class ClassifierBypassTest : public OwnProxyTest {
 protected:
  void SetUp() override {
    OwnProxyTest::SetUp();
    if (HasFatalFailure()) return;
    ProxyOptions o;
    o.consistency = "eventual";
    START_OR_SKIP(o);
    table_ = unique_name("cb_t");
    cleanup("DROP TABLE IF EXISTS proxytest." + table_);
    Client c = open();
    must_exec(c, "CREATE TABLE " + table_ + " (a INT PRIMARY KEY)");
    must_exec(c, "INSERT INTO " + table_ + " VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9)");
    cluster_cmd("wait-sync 30");
  }

  // A session that may send several statements in one text, whose reads go to the replicas.
  Client session() {
    Client c;
    c.set_read_timeout(30);
    EXPECT_TRUE(c.connect(proxy_->host(), proxy_->port(), "app", "app-pass", "proxytest", CLIENT_MULTI_STATEMENTS))
        << c.describe_error();
    EXPECT_NE(must_scalar(c, "SELECT @@server_id"), "1") << "reads of this session should go to a replica";
    return c;
  }

  std::string rows_on(int port, const std::string& table) {
    Client n = node(port);
    return must_scalar(n, "SELECT IFNULL(GROUP_CONCAT(a ORDER BY a), '') FROM " + table);
  }

  // `sql` deletes row `row`: it ran whole on the primary, and the replicas hold what it holds.
  void expect_ran_on_primary(Client& c, const std::string& sql, int row) {
    SCOPED_TRACE(sql);
    EXPECT_TRUE(c.exec(sql)) << "refused (ERR 1290 is a replica's): " << c.describe_error();
    Client p = node(cluster_env().primary_port);
    EXPECT_EQ(must_scalar(p, "SELECT COUNT(*) FROM " + table_ + " WHERE a = " + std::to_string(row)), "0")
        << "the DELETE did not run on the primary";
    cluster_cmd("wait-sync 30");
    const std::string on_primary = rows_on(cluster_env().primary_port, table_);
    EXPECT_EQ(rows_on(cluster_env().replica1_port, table_), on_primary);
    EXPECT_EQ(rows_on(cluster_env().replica2_port, table_), on_primary);
  }

  std::string table_;
};

// A versioned comment whose version the server does not reach is a comment to it: MariaDB skips
// /*!99999 (MySQL 5.7-9 versions) and anything above its own version.
TEST_F(ClassifierBypassTest, VersionedCommentsTheServerSkips) {
  Client c = session();
  expect_ran_on_primary(c, "/*!99999 SELECT */ DELETE FROM " + table_ + " WHERE a = 1", 1);
  expect_ran_on_primary(c, "/*M!999999 SELECT */ DELETE FROM " + table_ + " WHERE a = 2", 2);
  expect_ran_on_primary(c, "SELECT 1 /*!99999 ' */ ; DELETE FROM " + table_ + " WHERE a = 3 ; -- ' */", 3);
  expect_ran_on_primary(c, "/*!80000 SELECT */ DELETE FROM " + table_ + " WHERE a = 4", 4);
}

// After SET sql_mode, strings end elsewhere: with NO_BACKSLASH_ESCAPES 'a\' is a whole string, with
// ANSI_QUOTES (and ANSI) "a\" a whole name.
TEST_F(ClassifierBypassTest, SqlModeThatChangesQuoting) {
  Client c = session();
  must_exec(c, "SET sql_mode = 'NO_BACKSLASH_ESCAPES'");
  expect_ran_on_primary(c, "SELECT 'a\\' ; DELETE FROM " + table_ + " WHERE a = 5; -- '", 5);
  must_exec(c, "SET sql_mode = 'ANSI_QUOTES'");
  expect_ran_on_primary(c, "SELECT 1 AS \"a\\\" ; DELETE FROM " + table_ + " WHERE a = 6; -- \"", 6);
  must_exec(c, "SET sql_mode = 'ANSI'");
  expect_ran_on_primary(c, "SELECT 1 AS \"a\\\" ; DELETE FROM " + table_ + " WHERE a = 7; -- \"", 7);
}

// "--" followed by DEL starts a comment on the server (fixed in 4905095, kept covered here).
TEST_F(ClassifierBypassTest, DoubleDashBeforeDel) {
  Client c = session();
  expect_ran_on_primary(c, "SELECT 1 --\x7f '\n; DELETE FROM " + table_ + " WHERE a = 8; SELECT 1 -- '", 8);
}

// In gbk (and big5, sjis, cp932) 0xbf and the backtick after it are one character: the name does
// not end there.
TEST_F(ClassifierBypassTest, TwoByteCharacterEndingInABacktick) {
  Client c = session();
  must_exec(c, "SET NAMES gbk");
  expect_ran_on_primary(c, "SELECT 1 AS `\xbf` ` ; DELETE FROM " + table_ + " WHERE a = 9; -- `", 9);
}

// A SET whose value calls a stored function is not replayed on the session's next connection (a
// replica's): the function would run again there.
TEST_F(ClassifierBypassTest, SetWithAStoredFunctionIsNotReplayed) {
  const std::string log = unique_name("cb_log");
  const std::string fn = unique_name("cb_f");
  cleanup("DROP TABLE IF EXISTS proxytest." + log);
  cleanup("DROP FUNCTION IF EXISTS proxytest." + fn);
  Client setup = open();
  must_exec(setup, "CREATE TABLE " + log + " (a INT PRIMARY KEY)");
  must_exec(setup, "CREATE FUNCTION " + fn + "() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO " + log +
                       " VALUES (@@server_id); RETURN 1; END");
  cluster_cmd("wait-sync 30");

  Client c = session();
  must_exec(c, "SET @x = " + fn + "()");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(must_scalar(c, "SELECT @x"), "1") << "the session's variable, wherever read";
  cluster_cmd("wait-sync 30");
  EXPECT_EQ(rows_on(cluster_env().primary_port, log), "1") << "the function ran once, on the primary";
  EXPECT_EQ(rows_on(cluster_env().replica1_port, log), "1");
  EXPECT_EQ(rows_on(cluster_env().replica2_port, log), "1");
}

}  // namespace
}  // namespace itest
