// Client authentication against the proxy's user list.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "support/test_env.hpp"

namespace itest {
namespace {

class LoginTest : public IntegrationTest {};

TEST_F(LoginTest, GoodPasswordLogsInAsThatUser) {
  Client c = connect("app", "app-pass", "");
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), "app@%");
  EXPECT_EQ(must_scalar(c, "SELECT 1 + 41"), "42");

  Client c2 = connect("app2", "app2-pass", "");
  ASSERT_TRUE(c2.connected());
  EXPECT_EQ(must_scalar(c2, "SELECT CURRENT_USER()"), "app2@%");
}

TEST_F(LoginTest, WrongPasswordIsAccessDenied) {
  Client c;
  ASSERT_FALSE(c.connect(target().host, target().port, "app", "wrong-pass"));
  EXPECT_EQ(c.errnum(), 1045u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "28000") << c.describe_error();
  EXPECT_NE(c.error().find("Access denied for user 'app'"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("using password: YES"), std::string::npos) << c.error();
}

TEST_F(LoginTest, EmptyPasswordIsAccessDenied) {
  Client c;
  ASSERT_FALSE(c.connect(target().host, target().port, "app", ""));
  EXPECT_EQ(c.errnum(), 1045u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "28000") << c.describe_error();
  EXPECT_NE(c.error().find("using password: NO"), std::string::npos) << c.error();
}

TEST_F(LoginTest, UnknownUserIsAccessDenied) {
  Client c;
  ASSERT_FALSE(c.connect(target().host, target().port, "no_such_user_xyz", "whatever"));
  EXPECT_EQ(c.errnum(), 1045u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "28000") << c.describe_error();
  EXPECT_NE(c.error().find("no_such_user_xyz"), std::string::npos) << c.error();
}

TEST_F(LoginTest, DefaultDatabaseAtConnect) {
  Client c = connect("app", "app-pass", "proxytest");
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(must_scalar(c, "SELECT DATABASE()"), "proxytest");

  Client none = connect("app", "app-pass", "");
  ASSERT_TRUE(none.connected());
  EXPECT_EQ(must_scalar(none, "SELECT DATABASE()"), "<NULL>");
}

TEST_F(LoginTest, NonexistentDefaultDatabaseIsError1049) {
  Client c;
  ASSERT_FALSE(c.connect(target().host, target().port, "app", "app-pass", "no_such_db_xyz"));
  EXPECT_EQ(c.errnum(), 1049u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "42000") << c.describe_error();
  EXPECT_NE(c.error().find("no_such_db_xyz"), std::string::npos) << c.error();
}

TEST_F(LoginTest, ManySequentialAndConcurrentLogins) {
  // 20 connections open at once, each sees its own session.
  std::vector<Client> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(connect());
    ASSERT_TRUE(clients.back().connected()) << "connection " << i;
    must_exec(clients.back(), "SET @who = " + std::to_string(i));
  }
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(must_scalar(clients[i], "SELECT @who"), std::to_string(i));
    ids.insert(must_scalar(clients[i], "SELECT CONNECTION_ID()"));
  }
  EXPECT_EQ(ids.size(), 20u) << "sessions share a backend connection";
}

}  // namespace
}  // namespace itest
