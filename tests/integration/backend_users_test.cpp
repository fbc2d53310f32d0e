// auth.backend_users: clients log in with the primary's own accounts, made, changed and dropped on
// the server while the proxy runs, picked by the client's address as the server picks them.
#include <gtest/gtest.h>

#include <string>

#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

class BackendUsersTest : public OwnProxyTest {
 protected:
  void SetUp() override {
    OwnProxyTest::SetUp();
    if (HasFatalFailure()) return;
    user_ = unique_name("itbu");
  }
  bool start_with_backend_users() {
    ProxyOptions o;
    o.auth = "{ backend_users: true, backend_users_refresh: 0s }";
    o.limits = "{ login_failures: 0 }";  // the wrong passwords below must not block 127.0.0.1
    return start(o);
  }
  // Runs on the primary as root (GRANT needs more than app has), then waits for the replicas.
  void on_primary(const std::string& sql) {
    cluster_cmd("sql primary \"" + sql + "\"");
    cluster_cmd("wait-sync 20");
  }
  Client login(const std::string& user, const std::string& password) {
    Client c;
    c.set_read_timeout(30);
    c.connect(proxy_->host(), proxy_->port(), user, password, "proxytest");
    return c;
  }
  std::string user_;
};

TEST_F(BackendUsersTest, AnAccountMadeOnTheServerLogsInThroughTheProxy) {
  if (!start_with_backend_users()) {
    if (skipping()) GTEST_SKIP() << "this is the proxy's own job";
    return;
  }
  on_teardown([this] { cluster_cmd("sql primary \"DROP USER IF EXISTS " + user_ + "@'%'\""); });
  on_primary("CREATE USER " + user_ + "@'%' IDENTIFIED BY 'pw-1'");
  on_primary("GRANT SELECT ON proxytest.* TO " + user_ + "@'%'");
  Client c = login(user_, "pw-1");
  ASSERT_TRUE(c.connected()) << c.describe_error();
  EXPECT_EQ(must_scalar(c, "SELECT CURRENT_USER()"), user_ + "@%");
  EXPECT_EQ(must_scalar(c, "SELECT COUNT(*) >= 0 FROM information_schema.tables"), "1");

  Client wrong = login(user_, "nope");
  EXPECT_FALSE(wrong.connected());
  EXPECT_EQ(wrong.errnum(), 1045u) << wrong.describe_error();

  // A new password counts at once; the old one no longer does.
  on_primary("ALTER USER " + user_ + "@'%' IDENTIFIED BY 'pw-2'");
  EXPECT_TRUE(login(user_, "pw-2").connected());
  EXPECT_FALSE(login(user_, "pw-1").connected());

  // Dropped on the server: refused by the proxy too.
  on_primary("DROP USER " + user_ + "@'%'");
  Client gone = login(user_, "pw-2");
  EXPECT_FALSE(gone.connected());
  EXPECT_EQ(gone.errnum(), 1045u) << gone.describe_error();
}

TEST_F(BackendUsersTest, TheClientsAddressPicksTheAccount) {
  if (!start_with_backend_users()) {
    if (skipping()) GTEST_SKIP() << "this is the proxy's own job";
    return;
  }
  on_teardown([this] {
    cluster_cmd("sql primary \"DROP USER IF EXISTS " + user_ + "@'10.%'\"");
    cluster_cmd("sql primary \"DROP USER IF EXISTS " + user_ + "@'127.0.0.1'\"");
  });
  // Only for 10.%: a client on 127.0.0.1 is not covered.
  on_primary("CREATE USER " + user_ + "@'10.%' IDENTIFIED BY 'pw'");
  Client far = login(user_, "pw");
  EXPECT_FALSE(far.connected());
  EXPECT_EQ(far.errnum(), 1045u) << far.describe_error();
  // An account without a password for 127.0.0.1 covers it (the cluster skips name resolution,
  // so the servers match the proxy's own logins by address too).
  on_primary("CREATE USER " + user_ + "@'127.0.0.1'");
  on_primary("GRANT SELECT ON proxytest.* TO " + user_ + "@'127.0.0.1'");
  Client near = login(user_, "");
  EXPECT_TRUE(near.connected()) << near.describe_error();
}

TEST_F(BackendUsersTest, OffByDefault) {
  START_OR_SKIP();
  on_teardown([this] { cluster_cmd("sql primary \"DROP USER IF EXISTS " + user_ + "@'%'\""); });
  on_primary("CREATE USER " + user_ + "@'%' IDENTIFIED BY 'pw'");
  Client c = login(user_, "pw");
  EXPECT_FALSE(c.connected());
  EXPECT_EQ(c.errnum(), 1045u) << c.describe_error();
}

}  // namespace
}  // namespace itest
