// Multi-statements (CLIENT_MULTI_STATEMENTS) and stored procedures returning
// several result sets.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace itest {
namespace {

// One result of a multi-result query as the client saw it.
struct Result {
  unsigned field_count = 0;
  Rows rows;
  unsigned long long affected_rows = 0;
};

// Walks every result of the last query. Stops at the first error and returns
// the results before it; *error_index is the index of the failing result
// (-1 when none failed).
std::vector<Result> walk_results(Client& c, int* error_index) {
  std::vector<Result> out;
  *error_index = -1;
  for (;;) {
    Result r;
    r.field_count = mysql_field_count(c.get());
    if (MYSQL_RES* res = mysql_store_result(c.get())) {
      r.rows = fetch_all(res);
      mysql_free_result(res);
    } else if (r.field_count != 0) {
      *error_index = static_cast<int>(out.size());
      return out;
    }
    r.affected_rows = mysql_affected_rows(c.get());
    out.push_back(std::move(r));
    int rc = mysql_next_result(c.get());
    if (rc < 0) return out;
    if (rc > 0) {
      *error_index = static_cast<int>(out.size());
      return out;
    }
  }
}

class MultiResultTest : public IntegrationTest {};

TEST_F(MultiResultTest, ThreeStatementsWalkAllResults) {
  Client c = connect("app", "app-pass", "proxytest", CLIENT_MULTI_STATEMENTS);
  ASSERT_TRUE(c.connected());
  ASSERT_EQ(mysql_query(c.get(), "SELECT 1; SELECT 2,3; DO 1"), 0) << c.describe_error();
  int error_index = 0;
  auto results = walk_results(c, &error_index);
  EXPECT_EQ(error_index, -1) << c.describe_error();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].field_count, 1u);
  EXPECT_EQ(results[0].rows, (Rows{{"1"}}));
  EXPECT_EQ(results[1].field_count, 2u);
  EXPECT_EQ(results[1].rows, (Rows{{"2", "3"}}));
  EXPECT_EQ(results[2].field_count, 0u);
  EXPECT_TRUE(results[2].rows.empty());
  EXPECT_FALSE(mysql_more_results(c.get()));
  EXPECT_EQ(must_scalar(c, "SELECT 'after'"), "after");
}

TEST_F(MultiResultTest, WritesAndReadsInOneMultiStatement) {
  Client c = connect("app", "app-pass", "proxytest", CLIENT_MULTI_STATEMENTS);
  ASSERT_TRUE(c.connected());
  std::string t = unique_name("it_multi");
  cleanup("DROP TABLE IF EXISTS " + t);
  std::string sql = "DROP TABLE IF EXISTS " + t + "; CREATE TABLE " + t +
                    " (id INT PRIMARY KEY); INSERT INTO " + t + " VALUES (1),(2),(3); SELECT SUM(id), COUNT(*) FROM " +
                    t + "; DROP TABLE " + t;
  ASSERT_EQ(mysql_real_query(c.get(), sql.data(), sql.size()), 0) << c.describe_error();
  int error_index = 0;
  auto results = walk_results(c, &error_index);
  EXPECT_EQ(error_index, -1) << c.describe_error();
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[2].field_count, 0u);
  EXPECT_EQ(results[2].affected_rows, 3u);
  EXPECT_EQ(results[3].rows, (Rows{{"6", "3"}}));
}

TEST_F(MultiResultTest, ErrorInSecondStatementStopsThere) {
  Client c = connect("app", "app-pass", "proxytest", CLIENT_MULTI_STATEMENTS);
  ASSERT_TRUE(c.connected());
  ASSERT_EQ(mysql_query(c.get(), "SELECT 1; SELECT * FROM no_such_table_xyz_123; SELECT 3"), 0)
      << c.describe_error();
  int error_index = 0;
  auto results = walk_results(c, &error_index);
  ASSERT_EQ(error_index, 1) << "the error must surface as the second result";
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].rows, (Rows{{"1"}}));
  EXPECT_EQ(c.errnum(), 1146u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "42S02");
  EXPECT_FALSE(mysql_more_results(c.get())) << "statements after the failing one must not run";
  // The connection still works, for single and multi statements.
  EXPECT_EQ(must_scalar(c, "SELECT 4"), "4");
  ASSERT_EQ(mysql_query(c.get(), "SELECT 5; SELECT 6"), 0) << c.describe_error();
  results = walk_results(c, &error_index);
  EXPECT_EQ(error_index, -1);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].rows, (Rows{{"6"}}));
}

TEST_F(MultiResultTest, ErrorInFirstStatementFailsTheQuery) {
  Client c = connect("app", "app-pass", "proxytest", CLIENT_MULTI_STATEMENTS);
  ASSERT_TRUE(c.connected());
  EXPECT_NE(mysql_query(c.get(), "SELEC 1; SELECT 2"), 0);
  EXPECT_EQ(c.errnum(), 1064u) << c.describe_error();
  EXPECT_FALSE(mysql_more_results(c.get()));
  EXPECT_EQ(must_scalar(c, "SELECT 7"), "7");
}

TEST_F(MultiResultTest, WithoutMultiStatementsFlagIsSyntaxError) {
  Client c = connect();  // no CLIENT_MULTI_STATEMENTS
  ASSERT_TRUE(c.connected());
  EXPECT_NE(mysql_query(c.get(), "SELECT 1; SELECT 2"), 0);
  EXPECT_EQ(c.errnum(), 1064u) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT 8"), "8");
}

TEST_F(MultiResultTest, StoredProcedureWithTwoResultSets) {
  Client c = connect();
  ASSERT_TRUE(c.connected());
  std::string proc = unique_name("it_proc");
  cleanup("DROP PROCEDURE IF EXISTS " + proc);
  must_exec(c, "DROP PROCEDURE IF EXISTS " + proc);
  must_exec(c, "CREATE PROCEDURE " + proc +
                   "(IN n INT) BEGIN "
                   "SELECT n AS a, CONCAT('x', n) AS b; "
                   "SELECT n * 2 AS c UNION ALL SELECT n * 3; "
                   "END");
  std::string call = "CALL " + proc + "(7)";
  ASSERT_EQ(mysql_query(c.get(), call.c_str()), 0) << c.describe_error();
  int error_index = 0;
  auto results = walk_results(c, &error_index);
  EXPECT_EQ(error_index, -1) << c.describe_error();
  ASSERT_EQ(results.size(), 3u) << "two result sets and the CALL's final status";
  EXPECT_EQ(results[0].field_count, 2u);
  EXPECT_EQ(results[0].rows, (Rows{{"7", "x7"}}));
  EXPECT_EQ(results[1].field_count, 1u);
  EXPECT_EQ(results[1].rows, (Rows{{"14"}, {"21"}}));
  EXPECT_EQ(results[2].field_count, 0u);
  EXPECT_FALSE(mysql_more_results(c.get()));

  // Call it again on the same connection with another argument.
  call = "CALL " + proc + "(-1)";
  ASSERT_EQ(mysql_query(c.get(), call.c_str()), 0) << c.describe_error();
  results = walk_results(c, &error_index);
  EXPECT_EQ(error_index, -1);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].rows, (Rows{{"-1", "x-1"}}));
  EXPECT_EQ(results[1].rows, (Rows{{"-2"}, {"-3"}}));

  must_exec(c, "DROP PROCEDURE " + proc);
}

}  // namespace
}  // namespace itest
