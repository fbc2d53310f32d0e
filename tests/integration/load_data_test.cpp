// LOAD DATA LOCAL INFILE: the server asks the client for a file's contents.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "support/test_env.hpp"

namespace itest {
namespace {

class LoadDataTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    c_ = connect_with([](Client& c) {
      c.set_local_infile(true);
      c.set_charset("utf8mb4");
    });
    ASSERT_TRUE(c_.connected());
    t_ = unique_name("it_load");
    cleanup("DROP TABLE IF EXISTS " + t_);
    must_exec(c_, "DROP TABLE IF EXISTS " + t_);
    must_exec(c_, "CREATE TABLE " + t_ + " (id INT PRIMARY KEY, name VARCHAR(50) CHARACTER SET utf8mb4)");
    char path[] = "/tmp/itest-load-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    file_ = path;
  }
  void TearDown() override {
    if (!file_.empty()) std::remove(file_.c_str());
    IntegrationTest::TearDown();
  }
  std::string load_sql(const std::string& file) {
    return "LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE " + t_ +
           " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (id, name)";
  }

  Client c_;
  std::string t_, file_;
};

TEST_F(LoadDataTest, LoadsRowsFromLocalFile) {
  const int n = 5000;  // ~90 KB: more than one packet of file data
  long long sum = 0;
  {
    std::ofstream out(file_);
    for (int i = 1; i <= n; ++i) {
      out << i << "\tname-" << i << (i % 100 == 0 ? "-\xc3\xa9\xf0\x9f\x98\x80" : "") << "\n";
      sum += i;
    }
  }
  std::string sql = load_sql(file_);
  ASSERT_EQ(mysql_real_query(c_.get(), sql.data(), sql.size()), 0) << c_.describe_error();
  EXPECT_EQ(mysql_affected_rows(c_.get()), static_cast<my_ulonglong>(n));
  EXPECT_EQ(mysql_warning_count(c_.get()), 0u);
  auto agg = must_query(c_, "SELECT COUNT(*), SUM(id) FROM " + t_);
  ASSERT_EQ(agg.size(), 1u);
  EXPECT_EQ(agg[0], (Row{std::to_string(n), std::to_string(sum)}));
  // "name-4200-" + e-acute + emoji: 12 characters in 16 bytes.
  EXPECT_EQ(must_scalar(c_, "SELECT name FROM " + t_ + " WHERE id = 4200"),
            "name-4200-\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(must_scalar(c_, "SELECT CHAR_LENGTH(name) FROM " + t_ + " WHERE id = 4200"), "12");
  EXPECT_EQ(must_scalar(c_, "SELECT LENGTH(name) FROM " + t_ + " WHERE id = 4200"), "16");
}

TEST_F(LoadDataTest, MissingLocalFileIsAnErrorAndConnectionSurvives) {
  std::string sql = load_sql("/nonexistent/itest-no-such-file.tsv");
  EXPECT_NE(mysql_real_query(c_.get(), sql.data(), sql.size()), 0);
  EXPECT_NE(c_.errnum(), 0u);
  EXPECT_EQ(must_scalar(c_, "SELECT COUNT(*) FROM " + t_), "0");
  // And a good load afterwards.
  {
    std::ofstream out(file_);
    out << "1\tone\n2\ttwo\n";
  }
  sql = load_sql(file_);
  ASSERT_EQ(mysql_real_query(c_.get(), sql.data(), sql.size()), 0) << c_.describe_error();
  EXPECT_EQ(mysql_affected_rows(c_.get()), 2u);
}

}  // namespace
}  // namespace itest
