// Session-level commands: COM_CHANGE_USER, COM_RESET_CONNECTION, COM_PING,
// COM_STATISTICS, COM_INIT_DB, COM_FIELD_LIST.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace itest {
namespace {

class SessionCommandTest : public IntegrationTest {};

TEST_F(SessionCommandTest, ChangeUserToApp2AndBack) {
  Client c = connect("app", "app-pass", "proxytest");
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), "app@%");
  must_exec(c, "SET @before_change = 'set by app'");
  EXPECT_EQ(must_scalar(c, "SELECT @before_change"), "set by app");

  ASSERT_EQ(mysql_change_user(c.get(), "app2", "app2-pass", "app2db"), 0) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), "app2@%");
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "app2db");
  EXPECT_EQ(must_scalar(c, "SELECT @before_change"), "<NULL>") << "user variables survive COM_CHANGE_USER";
  // app2's privileges apply now: no writes outside app2db.
  EXPECT_FALSE(c.exec("CREATE TABLE proxytest." + unique_name("it_denied") + " (a INT)"));
  EXPECT_EQ(c.errnum(), 1142u) << c.describe_error();
  must_exec(c, "SET @as_app2 = 2");

  ASSERT_TRUE(c.exec("DO 1")) << "connection lost: " << c.describe_error();
  ASSERT_EQ(mysql_change_user(c.get(), "app", "app-pass", "proxytest"), 0) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), "app@%");
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "proxytest");
  EXPECT_EQ(must_scalar(c, "SELECT @as_app2"), "<NULL>");

  // Without a database.
  ASSERT_TRUE(c.exec("DO 1")) << "connection lost: " << c.describe_error();
  ASSERT_EQ(mysql_change_user(c.get(), "app2", "app2-pass", nullptr), 0) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), "app2@%");
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "<NULL>");
}

// What MariaDB 10.11 does (verified with MYSQLPROXY_TEST_DIRECT=1): a failed
// COM_CHANGE_USER answers ERR, keeps the connection open and leaves the
// previous user and database in place; the session state (user variables) is
// reset all the same.
TEST_F(SessionCommandTest, ChangeUserWithWrongPasswordFails) {
  Client c = connect("app", "app-pass", "proxytest");
  ASSERT_TRUE(c.connected());
  std::string id = must_scalar(c, "SELECT CONNECTION_ID()");
  must_exec(c, "SET @v = 5");
  EXPECT_NE(mysql_change_user(c.get(), "app2", "wrong-pass", nullptr), 0);
  EXPECT_EQ(c.errnum(), 1045u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "28000") << c.describe_error();
  EXPECT_NE(c.error().find("Access denied for user 'app2'"), std::string::npos) << c.error();

  // Same connection, still the old user and database. (Fatal if the
  // connection is gone: Connector/C 3.3 writes to freed memory when
  // mysql_change_user is called on a connection it has already lost.)
  auto user = c.scalar("SELECT CURRENT_USER()");
  ASSERT_TRUE(user.has_value()) << "connection unusable after a failed COM_CHANGE_USER: " << c.describe_error();
  EXPECT_EQ(*user, "app@%");
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "proxytest");
  EXPECT_EQ(must_scalar(c, "SELECT @v"), "<NULL>") << "MariaDB resets the session even when COM_CHANGE_USER fails";
  EXPECT_EQ(must_scalar(c, "SELECT CONNECTION_ID()"), id) << "connection id changed: a new backend session?";

  // Unknown user: same answer, and a correct change afterwards still works.
  EXPECT_NE(mysql_change_user(c.get(), "no_such_user_xyz", "x", nullptr), 0);
  EXPECT_EQ(c.errnum(), 1045u) << c.describe_error();
  user = c.scalar("SELECT CURRENT_USER()");
  ASSERT_TRUE(user.has_value()) << "connection unusable after a failed COM_CHANGE_USER: " << c.describe_error();
  EXPECT_EQ(*user, "app@%");
  ASSERT_EQ(mysql_change_user(c.get(), "app2", "app2-pass", nullptr), 0) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), "app2@%");
}

TEST_F(SessionCommandTest, ChangeUserToUnknownDatabaseFails) {
  Client c = connect("app", "app-pass", "proxytest");
  ASSERT_TRUE(c.connected());
  EXPECT_NE(mysql_change_user(c.get(), "app2", "app2-pass", "no_such_db_xyz"), 0);
  EXPECT_EQ(c.errnum(), 1049u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "42000") << c.describe_error();
  // Nothing changed: not the user and not the database.
  auto user = c.scalar("SELECT CURRENT_USER()");
  ASSERT_TRUE(user.has_value()) << "connection unusable after a failed COM_CHANGE_USER: " << c.describe_error();
  EXPECT_EQ(*user, "app@%");
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "proxytest");
}

// DROP DATABASE of the session's default database leaves it without one, as on the server,
// whichever pooled connection answers next.
TEST_F(SessionCommandTest, DroppingTheDefaultDatabaseLeavesNone) {
  const std::string db = unique_name("it_dropdb");
  Client c = connect("app", "app-pass", "proxytest");
  ASSERT_TRUE(c.connected());
  must_exec(c, "CREATE DATABASE " + db);
  must_exec(c, "USE " + db);
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), db);
  must_exec(c, "DROP DATABASE " + db);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(must_scalar(c, "SELECT IFNULL(DATABASE(), 'none')"), "none");
}

// Another session dropped this session's default database: the server keeps the session going,
// so the proxy does too, even where it needs a new backend connection (no login can choose a
// database that is gone).
TEST_F(SessionCommandTest, ASessionWhoseDatabaseAnotherDroppedGoesOn) {
  const std::string db = unique_name("it_dropdb");
  Client c = connect("app", "app-pass", "proxytest");
  Client other = connect("app", "app-pass", "proxytest");
  ASSERT_TRUE(c.connected() && other.connected());
  must_exec(c, "CREATE DATABASE " + db);
  must_exec(c, "USE " + db);
  must_exec(other, "DROP DATABASE " + db);
  must_exec(other, "FLUSH PRIVILEGES");  // retires every pooled connection: c's next one is a new login
  EXPECT_TRUE(c.exec("USE proxytest")) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "proxytest");
  EXPECT_EQ(must_scalar(c, "SELECT 6 * 7"), "42");
}

TEST_F(SessionCommandTest, ResetConnectionClearsSessionState) {
  Client c = connect("app", "app-pass", "proxytest");
  ASSERT_TRUE(c.connected());
  std::string tmp = unique_name("it_tmp");
  must_exec(c, "SET @v = 42");
  must_exec(c, "CREATE TEMPORARY TABLE " + tmp + " (a INT)");
  must_exec(c, "INSERT INTO " + tmp + " VALUES (1)");
  EXPECT_EQ(must_scalar(c, "SELECT COUNT(*) FROM " + tmp), "1");
  MYSQL_STMT* stmt = mysql_stmt_init(c.get());
  ASSERT_EQ(mysql_stmt_prepare(stmt, "SELECT 1", 8), 0) << mysql_stmt_error(stmt);

  ASSERT_EQ(mysql_reset_connection(c.get()), 0) << c.describe_error();

  EXPECT_EQ(must_scalar(c, "SELECT @v"), "<NULL>");
  EXPECT_FALSE(c.exec("SELECT COUNT(*) FROM " + tmp));
  EXPECT_EQ(c.errnum(), 1146u) << c.describe_error();
  // Prepared statements are gone too.
  EXPECT_NE(mysql_stmt_execute(stmt), 0);
  mysql_stmt_close(stmt);
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), "app@%");
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "proxytest");
  EXPECT_EQ(must_scalar(c, "SELECT 'works'"), "works");
}

TEST_F(SessionCommandTest, PingStatisticsInitDbFieldList) {
  Client c = connect("app", "app-pass", "proxytest");
  ASSERT_TRUE(c.connected());

  EXPECT_EQ(mysql_ping(c.get()), 0) << c.describe_error();

  const char* stat = mysql_stat(c.get());
  ASSERT_NE(stat, nullptr) << c.describe_error();
  EXPECT_NE(std::string(stat).find("Uptime"), std::string::npos) << stat;
  EXPECT_NE(std::string(stat).find("Questions"), std::string::npos) << stat;

  EXPECT_EQ(mysql_select_db(c.get(), "app2db"), 0) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "app2db");
  EXPECT_NE(mysql_select_db(c.get(), "no_such_db_xyz"), 0);
  EXPECT_EQ(c.errnum(), 1049u) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "app2db");
  EXPECT_EQ(mysql_select_db(c.get(), "proxytest"), 0) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "proxytest");

  std::string t = unique_name("it_fields");
  cleanup("DROP TABLE IF EXISTS " + t);
  must_exec(c, "DROP TABLE IF EXISTS " + t);
  must_exec(c, "CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(30), created DATETIME, note TEXT)");
  MYSQL_RES* res = mysql_list_fields(c.get(), t.c_str(), nullptr);
  ASSERT_NE(res, nullptr) << c.describe_error();
  std::vector<std::string> names;
  std::vector<enum_field_types> types;
  for (unsigned i = 0; i < mysql_num_fields(res); ++i) {
    MYSQL_FIELD* f = mysql_fetch_field_direct(res, i);
    names.emplace_back(f->name);
    types.push_back(f->type);
    EXPECT_STREQ(f->table, t.c_str());
  }
  mysql_free_result(res);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "name", "created", "note"}));
  EXPECT_EQ(types, (std::vector<enum_field_types>{MYSQL_TYPE_LONG, MYSQL_TYPE_VAR_STRING, MYSQL_TYPE_DATETIME,
                                                  MYSQL_TYPE_BLOB}));

  // With a wildcard.
  res = mysql_list_fields(c.get(), t.c_str(), "n%");
  ASSERT_NE(res, nullptr) << c.describe_error();
  names.clear();
  for (unsigned i = 0; i < mysql_num_fields(res); ++i) names.emplace_back(mysql_fetch_field_direct(res, i)->name);
  mysql_free_result(res);
  EXPECT_EQ(names, (std::vector<std::string>{"name", "note"}));

  // Unknown table.
  EXPECT_EQ(mysql_list_fields(c.get(), "no_such_table_xyz", nullptr), nullptr);
  EXPECT_EQ(c.errnum(), 1146u) << c.describe_error();
  EXPECT_EQ(mysql_ping(c.get()), 0) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT 'done'"), "done");
}

}  // namespace
}  // namespace itest
