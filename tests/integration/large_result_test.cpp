// 200,000 rows streamed with mysql_use_result.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace itest {
namespace {

constexpr long long kRows = 200000;

// What the server computes for row `seq` in the query below.
std::string expected_text(long long seq) {
  return "row-" + std::to_string(seq) + "-" + std::string(static_cast<size_t>(seq % 40), static_cast<char>('a' + seq % 26));
}

const std::string kQuery =
    "SELECT seq, CONCAT('row-', seq, '-', REPEAT(CHAR(97 + seq % 26), seq % 40)) FROM seq_1_to_" +
    std::to_string(kRows) + " ORDER BY seq";

class LargeResultTest : public IntegrationTest {};

TEST_F(LargeResultTest, StreamTwoHundredThousandRows) {
  Client c = connect();
  ASSERT_TRUE(c.connected());
  ASSERT_EQ(mysql_real_query(c.get(), kQuery.data(), kQuery.size()), 0) << c.describe_error();
  MYSQL_RES* res = mysql_use_result(c.get());
  ASSERT_NE(res, nullptr) << c.describe_error();
  long long n = 0, wrong = 0, first_wrong = -1;
  unsigned long long checksum = 0, expected_checksum = 0;
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    ++n;
    unsigned long* len = mysql_fetch_lengths(res);
    std::string seq(row[0], len[0]);
    std::string text(row[1], len[1]);
    std::string want = expected_text(n);
    if (seq != std::to_string(n) || text != want) {
      if (first_wrong < 0) first_wrong = n;
      ++wrong;
    }
    for (unsigned char ch : text) checksum = checksum * 131 + ch;
    for (unsigned char ch : want) expected_checksum = expected_checksum * 131 + ch;
  }
  EXPECT_EQ(mysql_errno(c.get()), 0u) << c.describe_error();
  mysql_free_result(res);
  EXPECT_EQ(n, kRows);
  EXPECT_EQ(wrong, 0) << "first wrong row: " << first_wrong;
  EXPECT_EQ(checksum, expected_checksum);
  EXPECT_EQ(must_scalar(c, "SELECT 'after'"), "after");
}

TEST_F(LargeResultTest, AbandonStreamHalfWay) {
  Client c = connect();
  ASSERT_TRUE(c.connected());
  ASSERT_EQ(mysql_real_query(c.get(), kQuery.data(), kQuery.size()), 0) << c.describe_error();
  MYSQL_RES* res = mysql_use_result(c.get());
  ASSERT_NE(res, nullptr) << c.describe_error();
  for (int i = 1; i <= 1000; ++i) {
    MYSQL_ROW row = mysql_fetch_row(res);
    ASSERT_NE(row, nullptr) << c.describe_error();
    ASSERT_EQ(std::string(row[0]), std::to_string(i));
  }
  mysql_free_result(res);  // the client drains the rest
  EXPECT_EQ(must_scalar(c, "SELECT 'after'"), "after");
  EXPECT_EQ(must_scalar(c, "SELECT COUNT(*) FROM seq_1_to_" + std::to_string(kRows)), std::to_string(kRows));
}

}  // namespace
}  // namespace itest
