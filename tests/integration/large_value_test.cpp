// A 20 MB LONGBLOB (larger than one 16 MB protocol packet) in both directions,
// through the text and the binary protocol.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "support/test_env.hpp"

namespace itest {
namespace {

constexpr size_t kSize = 20 * 1024 * 1024;

std::string random_bytes(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  std::mt19937_64 rng(seed);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(&s[i], &v, 8);
  }
  for (; i < n; ++i) s[i] = static_cast<char>(rng());
  // Make sure the bytes the text protocol must escape are in there.
  const char special[] = {'\0', '\'', '"', '\\', '\n', '\r', '\x1a', '\xff'};
  for (size_t k = 0; k < sizeof special; ++k) s[k * 1024 + 7] = special[k];
  return s;
}

// Index of the first differing byte, or -1 when equal (gives readable failures
// instead of printing 20 MB).
long long first_difference(const std::string& a, const char* b, size_t b_len) {
  size_t n = std::min(a.size(), b_len);
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return static_cast<long long>(i);
  return a.size() == b_len ? -1 : static_cast<long long>(n);
}

class LargeValueTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    c_ = connect_with([](Client& c) { c.set_max_allowed_packet(64ul * 1024 * 1024); });
    ASSERT_TRUE(c_.connected());
    table_ = unique_name("it_blob");
    cleanup("DROP TABLE IF EXISTS " + table_);
    must_exec(c_, "DROP TABLE IF EXISTS " + table_);
    must_exec(c_, "CREATE TABLE " + table_ + " (id INT PRIMARY KEY, b LONGBLOB NOT NULL) ENGINE=InnoDB");
  }

  // Reads every row through the text protocol and compares with expected.
  void check_text_protocol(const std::vector<std::pair<int, const std::string*>>& expected) {
    std::string sql = "SELECT id, b, LENGTH(b) FROM " + table_ + " ORDER BY id";
    ASSERT_EQ(mysql_real_query(c_.get(), sql.data(), sql.size()), 0) << c_.describe_error();
    MYSQL_RES* res = mysql_use_result(c_.get());
    ASSERT_NE(res, nullptr) << c_.describe_error();
    size_t i = 0;
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
      unsigned long* len = mysql_fetch_lengths(res);
      ASSERT_LT(i, expected.size());
      EXPECT_EQ(std::string(row[0], len[0]), std::to_string(expected[i].first));
      EXPECT_EQ(std::string(row[2], len[2]), std::to_string(expected[i].second->size()));
      EXPECT_EQ(len[1], expected[i].second->size()) << "row id " << expected[i].first;
      EXPECT_EQ(first_difference(*expected[i].second, row[1], len[1]), -1)
          << "text protocol: row id " << expected[i].first << " differs at this byte offset";
      ++i;
    }
    EXPECT_EQ(mysql_errno(c_.get()), 0u) << c_.describe_error();
    mysql_free_result(res);
    EXPECT_EQ(i, expected.size());
  }

  // Reads each row with a prepared SELECT (binary protocol) and compares.
  void check_binary_protocol(const std::vector<std::pair<int, const std::string*>>& expected) {
    MYSQL_STMT* st = mysql_stmt_init(c_.get());
    ASSERT_NE(st, nullptr);
    std::string sql = "SELECT b FROM " + table_ + " WHERE id = ?";
    ASSERT_EQ(mysql_stmt_prepare(st, sql.data(), sql.size()), 0) << mysql_stmt_error(st);
    std::string buf(kSize + 16, '\0');
    for (auto& [id, value] : expected) {
      int param = id;
      MYSQL_BIND pb{};
      pb.buffer_type = MYSQL_TYPE_LONG;
      pb.buffer = &param;
      ASSERT_EQ(mysql_stmt_bind_param(st, &pb), 0) << mysql_stmt_error(st);
      ASSERT_EQ(mysql_stmt_execute(st), 0) << mysql_stmt_error(st);
      unsigned long length = 0;
      my_bool is_null = 0, err = 0;
      MYSQL_BIND rb{};
      rb.buffer_type = MYSQL_TYPE_LONG_BLOB;
      rb.buffer = buf.data();
      rb.buffer_length = buf.size();
      rb.length = &length;
      rb.is_null = &is_null;
      rb.error = &err;
      ASSERT_EQ(mysql_stmt_bind_result(st, &rb), 0) << mysql_stmt_error(st);
      ASSERT_EQ(mysql_stmt_fetch(st), 0) << mysql_stmt_error(st);
      EXPECT_FALSE(is_null);
      EXPECT_EQ(length, value->size()) << "binary protocol: row id " << id;
      EXPECT_EQ(first_difference(*value, buf.data(), length), -1)
          << "binary protocol: row id " << id << " differs at this byte offset";
      EXPECT_EQ(mysql_stmt_fetch(st), MYSQL_NO_DATA);
      mysql_stmt_free_result(st);
    }
    mysql_stmt_close(st);
  }

  Client c_;
  std::string table_;
};

TEST_F(LargeValueTest, TwentyMegabytesRoundTripTextAndBinary) {
  const std::string v1 = random_bytes(kSize, 1);
  const std::string v2 = random_bytes(kSize, 2);
  const std::string v3 = random_bytes(kSize, 3);

  // 1: prepared INSERT (COM_STMT_EXECUTE larger than 16 MB).
  {
    MYSQL_STMT* st = mysql_stmt_init(c_.get());
    ASSERT_NE(st, nullptr);
    std::string sql = "INSERT INTO " + table_ + " (id, b) VALUES (?, ?)";
    ASSERT_EQ(mysql_stmt_prepare(st, sql.data(), sql.size()), 0) << mysql_stmt_error(st);
    ASSERT_EQ(mysql_stmt_param_count(st), 2u);
    int id = 1;
    unsigned long len = v1.size();
    MYSQL_BIND b[2]{};
    b[0].buffer_type = MYSQL_TYPE_LONG;
    b[0].buffer = &id;
    b[1].buffer_type = MYSQL_TYPE_LONG_BLOB;
    b[1].buffer = const_cast<char*>(v1.data());
    b[1].buffer_length = len;
    b[1].length = &len;
    ASSERT_EQ(mysql_stmt_bind_param(st, b), 0) << mysql_stmt_error(st);
    ASSERT_EQ(mysql_stmt_execute(st), 0) << mysql_stmt_errno(st) << " " << mysql_stmt_error(st);
    EXPECT_EQ(mysql_stmt_affected_rows(st), 1u);
    mysql_stmt_close(st);
  }
  // 2: text INSERT with mysql_real_escape_string.
  {
    std::string sql = "INSERT INTO " + table_ + " (id, b) VALUES (2, '" + c_.escape(v2) + "')";
    ASSERT_GT(sql.size(), 16u * 1024 * 1024);
    ASSERT_EQ(mysql_real_query(c_.get(), sql.data(), sql.size()), 0) << c_.describe_error();
    EXPECT_EQ(mysql_affected_rows(c_.get()), 1u);
  }
  // 3: text INSERT with a hex literal (a 40 MB statement).
  {
    static const char* hex = "0123456789ABCDEF";
    std::string sql = "INSERT INTO " + table_ + " (id, b) VALUES (3, X'";
    sql.reserve(sql.size() + v3.size() * 2 + 4);
    for (unsigned char ch : v3) {
      sql += hex[ch >> 4];
      sql += hex[ch & 15];
    }
    sql += "')";
    ASSERT_EQ(mysql_real_query(c_.get(), sql.data(), sql.size()), 0) << c_.describe_error();
    EXPECT_EQ(mysql_affected_rows(c_.get()), 1u);
  }
  // The server agrees on what it stored.
  auto lengths = must_query(c_, "SELECT id, LENGTH(b) FROM " + table_ + " ORDER BY id");
  ASSERT_EQ(lengths.size(), 3u);
  for (const auto& row : lengths) EXPECT_EQ(row[1].value_or("NULL"), std::to_string(kSize));

  std::vector<std::pair<int, const std::string*>> expected{{1, &v1}, {2, &v2}, {3, &v3}};
  check_text_protocol(expected);
  check_binary_protocol(expected);
  // And the connection is in a sane state afterwards.
  EXPECT_EQ(must_scalar(c_, "SELECT 'still here'"), "still here");
}

}  // namespace
}  // namespace itest
