// SQL errors come back as ERR packets and leave the connection usable.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace itest {
namespace {

class SqlErrorTest : public IntegrationTest {};

TEST_F(SqlErrorTest, ErrorsFollowedBySuccessfulQueries) {
  Client c = connect();
  ASSERT_TRUE(c.connected());
  std::string t = unique_name("it_err");
  cleanup("DROP TABLE IF EXISTS " + t);
  must_exec(c, "DROP TABLE IF EXISTS " + t);
  must_exec(c, "CREATE TABLE " + t + " (id INT PRIMARY KEY, v VARCHAR(10))");

  EXPECT_FALSE(c.exec("SELEC 1"));
  EXPECT_EQ(c.errnum(), 1064u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "42000");
  EXPECT_NE(c.error().find("SELEC 1"), std::string::npos) << c.error();
  EXPECT_EQ(must_scalar(c, "SELECT 1"), "1");

  EXPECT_FALSE(c.exec("SELECT * FROM no_such_table_xyz_987"));
  EXPECT_EQ(c.errnum(), 1146u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "42S02");
  EXPECT_NE(c.error().find("no_such_table_xyz_987"), std::string::npos) << c.error();
  EXPECT_EQ(must_scalar(c, "SELECT 2"), "2");

  must_exec(c, "INSERT INTO " + t + " VALUES (1, 'a')");
  EXPECT_FALSE(c.exec("INSERT INTO " + t + " VALUES (1, 'b')"));
  EXPECT_EQ(c.errnum(), 1062u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "23000");
  EXPECT_NE(c.error().find("Duplicate entry '1'"), std::string::npos) << c.error();

  // The failed insert changed nothing; the connection keeps working.
  must_exec(c, "INSERT INTO " + t + " VALUES (2, 'c')");
  EXPECT_EQ(mysql_affected_rows(c.get()), 1u);
  auto rows = must_query(c, "SELECT id, v FROM " + t + " ORDER BY id");
  EXPECT_EQ(rows, (Rows{{"1", "a"}, {"2", "c"}}));

  // Warnings and a runtime error inside an otherwise valid statement.
  EXPECT_FALSE(c.exec("SELECT CAST('x' AS SIGNED) FROM no_such_db_xyz.t"));
  EXPECT_EQ(c.errnum(), 1146u) << c.describe_error();  // MariaDB: unknown table, even in an unknown db
  EXPECT_EQ(must_scalar(c, "SELECT 'alive'"), "alive");
}

TEST_F(SqlErrorTest, ServerSideSignalWithCustomSqlstate) {
  Client c = connect();
  ASSERT_TRUE(c.connected());
  EXPECT_FALSE(c.exec("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom failure', MYSQL_ERRNO = 1644"));
  EXPECT_EQ(c.errnum(), 1644u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "45000");
  EXPECT_EQ(c.error(), "custom failure");
  EXPECT_EQ(must_scalar(c, "SELECT 3"), "3");
}

TEST_F(SqlErrorTest, WarningsAreReported) {
  Client c = connect();
  ASSERT_TRUE(c.connected());
  must_exec(c, "SET sql_mode = ''");
  auto rows = must_query(c, "SELECT CAST('12abc' AS SIGNED)");
  EXPECT_EQ(rows, (Rows{{"12"}}));
  EXPECT_EQ(mysql_warning_count(c.get()), 1u);
  auto warnings = must_query(c, "SHOW WARNINGS");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0][1], "1292");
}

}  // namespace
}  // namespace itest
