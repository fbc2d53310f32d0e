// Transactions: explicit BEGIN/COMMIT/ROLLBACK and autocommit off.
#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace itest {
namespace {

class TransactionTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    c_ = connect();
    other_ = connect();
    ASSERT_TRUE(c_.connected() && other_.connected());
    t_ = unique_name("it_tx");
    cleanup("DROP TABLE IF EXISTS " + t_);
    must_exec(c_, "DROP TABLE IF EXISTS " + t_);
    must_exec(c_, "CREATE TABLE " + t_ + " (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB");
  }
  std::string count(Client& c) { return must_scalar(c, "SELECT COUNT(*) FROM " + t_); }
  bool in_transaction(Client& c) { return (c.get()->server_status & SERVER_STATUS_IN_TRANS) != 0; }

  Client c_, other_;
  std::string t_;
};

TEST_F(TransactionTest, RollbackLeavesNothing) {
  must_exec(c_, "BEGIN");
  EXPECT_TRUE(in_transaction(c_)) << "SERVER_STATUS_IN_TRANS not set after BEGIN";
  must_exec(c_, "INSERT INTO " + t_ + " VALUES (1, 'a'), (2, 'b')");
  EXPECT_EQ(count(c_), "2");
  EXPECT_EQ(count(other_), "0") << "uncommitted rows visible to another session";
  must_exec(c_, "ROLLBACK");
  EXPECT_FALSE(in_transaction(c_));
  EXPECT_EQ(count(c_), "0");
  EXPECT_EQ(count(other_), "0");
}

TEST_F(TransactionTest, CommitPersists) {
  must_exec(c_, "BEGIN");
  must_exec(c_, "INSERT INTO " + t_ + " VALUES (1, 'a')");
  EXPECT_EQ(count(other_), "0");
  must_exec(c_, "COMMIT");
  EXPECT_FALSE(in_transaction(c_));
  EXPECT_EQ(count(other_), "1");
  EXPECT_EQ(must_scalar(other_, "SELECT v FROM " + t_ + " WHERE id = 1"), "a");
}

TEST_F(TransactionTest, AutocommitOffThenCommitAndRollback) {
  ASSERT_EQ(mysql_autocommit(c_.get(), false), 0) << c_.describe_error();
  EXPECT_EQ(must_scalar(c_, "SELECT @@autocommit"), "0");
  EXPECT_FALSE(c_.get()->server_status & SERVER_STATUS_AUTOCOMMIT);

  must_exec(c_, "INSERT INTO " + t_ + " VALUES (1, 'a')");
  EXPECT_TRUE(in_transaction(c_));
  EXPECT_EQ(count(other_), "0");
  ASSERT_EQ(mysql_commit(c_.get()), 0) << c_.describe_error();
  EXPECT_EQ(count(other_), "1");

  must_exec(c_, "INSERT INTO " + t_ + " VALUES (2, 'b')");
  ASSERT_EQ(mysql_rollback(c_.get()), 0) << c_.describe_error();
  EXPECT_EQ(count(c_), "1");
  EXPECT_EQ(count(other_), "1");

  ASSERT_EQ(mysql_autocommit(c_.get(), true), 0) << c_.describe_error();
  EXPECT_EQ(must_scalar(c_, "SELECT @@autocommit"), "1");
  EXPECT_TRUE(c_.get()->server_status & SERVER_STATUS_AUTOCOMMIT);
  must_exec(c_, "INSERT INTO " + t_ + " VALUES (3, 'c')");
  EXPECT_EQ(count(other_), "2");
}

TEST_F(TransactionTest, ErrorInsideTransactionKeepsIt) {
  must_exec(c_, "START TRANSACTION");
  must_exec(c_, "INSERT INTO " + t_ + " VALUES (1, 'a')");
  EXPECT_FALSE(c_.exec("INSERT INTO " + t_ + " VALUES (1, 'dup')"));
  EXPECT_EQ(c_.errnum(), 1062u) << c_.describe_error();
  EXPECT_TRUE(in_transaction(c_));
  must_exec(c_, "INSERT INTO " + t_ + " VALUES (2, 'b')");
  must_exec(c_, "COMMIT");
  EXPECT_EQ(count(other_), "2");
}

TEST_F(TransactionTest, AClientGoneInsideATransactionLeavesNoLockBehind) {
  must_exec(c_, "INSERT INTO " + t_ + " VALUES (1, 'a')");
  Client gone = connect();
  must_exec(gone, "BEGIN");
  must_exec(gone, "SELECT * FROM " + t_ + " WHERE id = 1 FOR UPDATE");
  gone.close();  // no COMMIT, no ROLLBACK: the server must roll back at once
  // The row is free again: a short lock wait succeeds instead of timing out.
  must_exec(other_, "SET SESSION innodb_lock_wait_timeout = 2");
  must_exec(other_, "BEGIN");
  EXPECT_TRUE(other_.exec("UPDATE " + t_ + " SET v = 'b' WHERE id = 1")) << other_.describe_error();
  must_exec(other_, "COMMIT");
  EXPECT_EQ(must_scalar(c_, "SELECT v FROM " + t_ + " WHERE id = 1"), "b");
}

}  // namespace
}  // namespace itest
