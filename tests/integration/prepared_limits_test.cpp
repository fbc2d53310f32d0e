// What one session's prepared statements may make the proxy hold: a count and a byte cap per
// session (limits.max_session_prepared_*, ERR 1461 as from the server at max_prepared_stmt_count),
// and a byte budget per pooled backend connection (pool.max_prepared_statement_bytes).
#include <gtest/gtest.h>
#include <mysql.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "support/own_proxy_test.hpp"
#include "support/raw_conn.hpp"

namespace itest {
namespace {

using StmtPtr = std::unique_ptr<MYSQL_STMT, decltype(&mysql_stmt_close)>;

// A prepared statement of `sql` on `c`; null with `*error` set ("1461 42000 ...") if refused.
StmtPtr prepare(Client& c, const std::string& sql, std::string* error) {
  StmtPtr stmt(mysql_stmt_init(c.get()), &mysql_stmt_close);
  if (mysql_stmt_prepare(stmt.get(), sql.data(), sql.size()) != 0) {
    *error = std::to_string(mysql_stmt_errno(stmt.get())) + " " + mysql_stmt_sqlstate(stmt.get()) + " " +
             mysql_stmt_error(stmt.get());
    return StmtPtr(nullptr, &mysql_stmt_close);
  }
  return stmt;
}

// SELECT of a string literal: a statement of about `size` bytes, different for each `n`.
std::string big_select(std::size_t size, int n) {
  return "SELECT " + std::to_string(n) + ", '" + std::string(size, 'x') + "'";
}

class PreparedLimitsTest : public OwnProxyTest {};

TEST_F(PreparedLimitsTest, ASessionOverItsStatementCountGetsTheServersError) {
  ProxyOptions options;
  options.limits = "{ max_session_prepared_statements: 3 }";
  START_OR_SKIP(options);
  Client c = open();
  std::vector<StmtPtr> held;
  std::string error;
  for (int i = 0; i < 3; ++i) {
    held.push_back(prepare(c, "SELECT " + std::to_string(i), &error));
    ASSERT_TRUE(held.back()) << i << ": " << error;
  }
  EXPECT_FALSE(prepare(c, "SELECT 3", &error));
  EXPECT_EQ(error, "1461 42000 Can't create more than max_prepared_stmt_count statements (current value: 3)");
  // Closing one makes room; the session goes on.
  held.pop_back();
  auto again = prepare(c, "SELECT 4", &error);
  EXPECT_TRUE(again) << error;
  EXPECT_EQ(must_scalar(c, "SELECT 5"), "5");
  // Another session has its own count.
  Client other = open();
  EXPECT_TRUE(prepare(other, "SELECT 6", &error)) << error;
}

TEST_F(PreparedLimitsTest, ASessionOverItsStatementBytesGetsTheSameError) {
  ProxyOptions options;
  options.limits = "{ max_session_prepared_bytes: 8MiB }";
  START_OR_SKIP(options);
  Client c = open();
  std::vector<StmtPtr> held;
  std::string error;
  for (int i = 0; i < 8; ++i) {
    held.push_back(prepare(c, big_select(1000000, i), &error));
    ASSERT_TRUE(held.back()) << i << ": " << error;
  }
  EXPECT_FALSE(prepare(c, big_select(1000000, 8), &error)) << "the ninth megabyte is over 8 MiB";
  EXPECT_EQ(error.substr(0, 10), "1461 42000");
  EXPECT_NE(proxy_->log_tail(100).find("prepare refused: the session holds 8 statements"), std::string::npos);
  EXPECT_TRUE(prepare(c, "SELECT 1", &error)) << "a small one still fits: " << error;
}

// The attack the caps answer: one client preparing large statements without end. Before them,
// 300 prepares of 4 MB took the proxy to 2.2 GB, kept after the client left.
TEST_F(PreparedLimitsTest, EndlessLargePreparesCostBoundedMemory) {
  ProxyOptions options;
  options.log_level = "info";
  START_OR_SKIP(options);
  Client warm = open();
  ASSERT_EQ(must_scalar(warm, "SELECT 1"), "1");
  const long before = rss_kib(proxy_->pid());
  ASSERT_GT(before, 0);
  int refused = 0;
  {
    Client c = open();
    std::vector<StmtPtr> held;
    std::string error;
    for (int i = 0; i < 120; ++i) {
      auto stmt = prepare(c, big_select(1000000, i), &error);
      if (!stmt) {
        EXPECT_EQ(error.substr(0, 10), "1461 42000") << i;
        ++refused;
        continue;
      }
      held.push_back(std::move(stmt));
    }
    const long during = rss_kib(proxy_->pid());
    std::cout << "[ rss ] 120 prepares of 1 MB held by one session: " << before / 1024 << " MiB before, "
              << during / 1024 << " MiB during, " << refused << " refused\n";
    // 64 MiB of the session's own texts, 4 MiB kept by the pooled connection, buffers.
#ifndef __SANITIZE_ADDRESS__  // ASan's shadow memory and quarantine: RSS says nothing there
    EXPECT_LT(during - before, 100 * 1024) << "RSS grew by " << (during - before) / 1024 << " MiB";
#endif
  }
  EXPECT_GE(refused, 120 - 67) << "the session's 64 MiB hold 67 of them at most";
  EXPECT_EQ(must_scalar(warm, "SELECT 2"), "2");
}

}  // namespace
}  // namespace itest
