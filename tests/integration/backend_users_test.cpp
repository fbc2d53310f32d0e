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
  bool start_with_backend_users(int workers = 2) {
    ProxyOptions o;
    o.workers = workers;
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

// A server gives a connection its database rights when it logs in (or chooses the database). A
// GRANT or REVOKE made through the proxy must count for the next session as on the server, not be
// hidden by a pooled connection that logged in before it (pool.mode statement, the default).
TEST_F(BackendUsersTest, NextSessionGetsTheRightsGrantedOrRevokedThroughTheProxy) {
  if (!start_with_backend_users(/*workers=*/1)) {  // one pool: the next session meets the last one's connections
    if (skipping()) GTEST_SKIP() << "this is the proxy's own job";
    return;
  }
  const std::string admin = user_ + "_adm";
  const std::string table = "proxytest." + user_ + "_t";
  on_teardown([this, admin, table] {
    cluster_cmd("sql primary \"DROP USER IF EXISTS " + user_ + "@'%'\"");
    cluster_cmd("sql primary \"DROP USER IF EXISTS " + admin + "@'%'\"");
    cluster_cmd("sql primary \"DROP TABLE IF EXISTS " + table + ", " + table + "_seen\"");
  });
  on_primary("CREATE TABLE " + table + " (a INT)");
  on_primary("CREATE TABLE " + table + "_seen (a INT)");
  on_primary("CREATE USER " + admin + "@'%' IDENTIFIED BY 'pw'");
  on_primary("GRANT ALL ON *.* TO " + admin + "@'%' WITH GRANT OPTION");
  on_primary("CREATE USER " + user_ + "@'%' IDENTIFIED BY 'pw'");
  // Rights on one other table only: enough to choose the database, none of its own there.
  on_primary("GRANT SELECT, INSERT ON " + table + "_seen TO " + user_ + "@'%'");
  const std::string read = "SELECT COUNT(*) FROM " + table;
  const auto reads = [&] {
    Client c = login(user_, "pw");  // a new session, database proxytest
    EXPECT_TRUE(c.connected()) << c.describe_error();
    if (!c.connected()) return false;
    // Twice: the read, then a write, so a pooled connection to the primary is tried as well.
    const bool selected = c.scalar(read).has_value();
    const bool inserted = c.exec("INSERT INTO " + table + " VALUES (1)");
    EXPECT_EQ(selected, inserted) << c.describe_error();
    return selected;
  };
  // A session whose statements all succeed: its connections, to every server, go back to the pool.
  const auto leave_connections_in_the_pool = [&] {
    Client c = login(user_, "pw");
    ASSERT_TRUE(c.connected()) << c.describe_error();
    for (int i = 0; i < 4; ++i) must_scalar(c, "SELECT COUNT(*) FROM " + table + "_seen");  // both replicas
    must_exec(c, "INSERT INTO " + table + "_seen VALUES (1)");
  };
  EXPECT_FALSE(reads());  // no rights yet
  leave_connections_in_the_pool();

  Client adm = login(admin, "pw");
  ASSERT_TRUE(adm.connected()) << adm.describe_error();
  must_exec(adm, "GRANT SELECT, INSERT ON proxytest.* TO " + user_ + "@'%'");
  cluster_cmd("wait-sync 20");
  EXPECT_TRUE(reads()) << "a session after the GRANT still had the rights from before it";
  leave_connections_in_the_pool();

  must_exec(adm, "REVOKE SELECT, INSERT ON proxytest.* FROM " + user_ + "@'%'");
  cluster_cmd("wait-sync 20");
  EXPECT_FALSE(reads()) << "a session after the REVOKE still had the rights from before it";
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
