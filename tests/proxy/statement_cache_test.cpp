#include "proxy/backend/statement_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mysqlproxy::proxy {
namespace {

TEST(StatementCache, FindsBySchemaAndSql) {
  StatementCache c;
  c.insert("db", "SELECT 1", {7, 0, false});
  EXPECT_TRUE(c.take_displaced().empty());
  ASSERT_NE(c.find("db", "SELECT 1"), nullptr);
  EXPECT_EQ(c.find("db", "SELECT 1")->id, 7u);
  EXPECT_EQ(c.find("other", "SELECT 1"), nullptr) << "tables resolve in the schema of the prepare";
  EXPECT_EQ(c.find("db", "SELECT 2"), nullptr);
}

TEST(StatementCache, EvictsTheLeastRecentlyUsed) {
  StatementCache c(2);
  c.insert("db", "a", {1});
  c.insert("db", "b", {2});
  ASSERT_NE(c.find("db", "a"), nullptr);  // a is now the most recent
  c.insert("db", "c", {3});
  EXPECT_EQ(c.take_displaced(), std::vector<std::uint32_t>{2}) << "b was least recently used";
  EXPECT_TRUE(c.take_displaced().empty()) << "handed out once";
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.find("db", "b"), nullptr);
  EXPECT_NE(c.find("db", "a"), nullptr);
}

TEST(StatementCache, ReplacingADuplicateHandsBackTheOldId) {
  StatementCache c;
  c.insert("db", "a", {1});
  c.insert("db", "a", {2});
  EXPECT_EQ(c.take_displaced(), std::vector<std::uint32_t>{1});
  EXPECT_EQ(c.find("db", "a")->id, 2u);
  EXPECT_EQ(c.size(), 1u);
}

TEST(StatementCache, RemembersWhetherTypesWereSent) {
  StatementCache c;
  c.insert("db", "a", {1, 2, false});
  c.find("db", "a")->types_sent = true;
  EXPECT_TRUE(c.find("db", "a")->types_sent);
  c.clear();
  EXPECT_EQ(c.find("db", "a"), nullptr);
}

TEST(StatementCache, KeepsNoMoreTextThanItsByteBudget) {
  // Keys are schema + NUL + SQL: "db\0" and 97 bytes of SQL make 100.
  StatementCache c(100, 250);
  const std::string a(97, 'a'), b(97, 'b'), d(97, 'd');
  c.insert("db", a, {1});
  c.insert("db", b, {2});
  EXPECT_EQ(c.bytes(), 200u);
  EXPECT_TRUE(c.take_displaced().empty());
  c.insert("db", d, {3});
  EXPECT_EQ(c.take_displaced(), std::vector<std::uint32_t>{1}) << "the least recently used made room";
  EXPECT_EQ(c.bytes(), 200u);
  EXPECT_EQ(c.size(), 2u);
}

TEST(StatementCache, AStatementOverTheBudgetLivesUntilShed) {
  StatementCache c(100, 250);
  c.insert("db", "small", {1});
  const std::string huge(1000, 'x');
  c.insert("db", huge, {2});
  EXPECT_EQ(c.take_displaced(), std::vector<std::uint32_t>{1}) << "everything else made room";
  ASSERT_NE(c.find("db", huge), nullptr) << "its session executes it next";
  c.shed_excess();
  EXPECT_EQ(c.take_displaced(), std::vector<std::uint32_t>{2});
  EXPECT_EQ(c.find("db", huge), nullptr);
  EXPECT_EQ(c.bytes(), 0u);
  c.insert("db", "small", {3});
  c.shed_excess();
  EXPECT_TRUE(c.take_displaced().empty()) << "under the budget: nothing to shed";
}

TEST(StatementCache, ReplacingAndClearingKeepTheByteCount) {
  StatementCache c;
  c.insert("db", "a", {1});
  c.insert("db", "a", {2});
  EXPECT_EQ(c.bytes(), 4u);
  c.clear();
  EXPECT_EQ(c.bytes(), 0u);
}

}  // namespace
}  // namespace mysqlproxy::proxy
