// timeouts.query and timeouts.client_stall against real servers: a statement stuck on a row lock
// or sleeping on a replica is killed and the client gets the server's ERR 1317 with its
// transaction intact; a statement the kill cannot reach has its connection closed; a client that
// takes nothing of its answer, or sends nothing of its LOCAL INFILE data, is closed and its backend
// connection freed.
#include <gtest/gtest.h>
#include <mysql.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class StallTimeoutsTest : public OwnProxyTest {
 protected:
  // Statements with `marker` in their text running on any node right now.
  int running(const std::string& marker) {
    int found = 0;
    for (int port : {cluster_env().primary_port, cluster_env().replica1_port, cluster_env().replica2_port}) {
      Client n = node(port);
      const auto rows = n.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%" + marker +
                                "%' AND INFO NOT LIKE '%PROCESSLIST%'");
      if (rows && !rows->empty() && (*rows)[0][0]) found += std::stoi(*(*rows)[0][0]);
    }
    return found;
  }
  bool wait_not_running(const std::string& marker, Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    while (running(marker) != 0) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(100ms);
    }
    return true;
  }
  static long long ms_since(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
  }
};

TEST_F(StallTimeoutsTest, AStatementOverTheQueryTimeoutIsKilledAndItsTransactionGoesOn) {
  ProxyOptions options;
  options.query_timeout = "1s";
  START_OR_SKIP(options);
  const std::string t = unique_name("it_query_timeout");
  cleanup("DROP TABLE IF EXISTS " + t);
  Client c = open();
  must_exec(c, "CREATE TABLE " + t + " (id INT PRIMARY KEY, v INT)");
  must_exec(c, "INSERT INTO " + t + " VALUES (1, 0)");

  // Under the limit: untouched.
  EXPECT_EQ(must_scalar(c, "SELECT SLEEP(0.3)"), "0");

  // A row lock held on the primary by another session: the UPDATE waits for it.
  Client holder = node(cluster_env().primary_port);
  must_exec(holder, "BEGIN");
  must_query(holder, "SELECT * FROM " + t + " WHERE id = 1 FOR UPDATE");
  must_exec(c, "BEGIN");
  must_exec(c, "INSERT INTO " + t + " VALUES (2, 0)");
  auto started = Clock::now();
  EXPECT_FALSE(c.exec("UPDATE " + t + " SET v = 1 WHERE id = 1 /* stuck */"));
  const long long waited = ms_since(started);
  EXPECT_EQ(c.errnum(), 1317u) << c.describe_error();
  EXPECT_EQ(c.sqlstate(), "70100");
  EXPECT_GE(waited, 1000) << "killed before timeouts.query";
  EXPECT_LT(waited, 5000) << "innodb_lock_wait_timeout is 50 s: the kill ended it";
  must_exec(holder, "ROLLBACK");
  // The transaction survived the kill: its insert commits.
  must_exec(c, "COMMIT");
  Client primary = node(cluster_env().primary_port);
  EXPECT_EQ(must_scalar(primary, "SELECT COUNT(*) FROM " + t + " WHERE id = 2"), "1");
  EXPECT_EQ(must_scalar(primary, "SELECT v FROM " + t + " WHERE id = 1"), "0");

  // A read on a replica.
  const std::string marker = unique_name("sleepy_read");
  started = Clock::now();
  EXPECT_FALSE(c.exec("SELECT SLEEP(20) /* " + marker + " */"));
  EXPECT_EQ(c.errnum(), 1317u) << c.describe_error();
  EXPECT_LT(ms_since(started), 5000);
  EXPECT_TRUE(wait_not_running(marker, 5s)) << "the server still runs the statement";
  EXPECT_EQ(must_scalar(c, "SELECT 42"), "42") << "the session goes on";

  const std::string m = metrics();
  EXPECT_EQ(metric_sum(m, "mysql_proxy_query_timeouts_total", "action=\"kill\""), 2);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_query_timeouts_total", "action=\"close\""), 0);
}

TEST_F(StallTimeoutsTest, AStatementTheKillCannotReachHasItsConnectionClosed) {
  // An account allowed one connection per server: the proxy's KILL connection is refused
  // (ERR 1226), so the statement runs on and the proxy must cut it off itself.
  const std::string user = "it_one_conn";
  cluster_cmd("sql primary \"DROP USER IF EXISTS '" + user + "'@'%'; CREATE USER '" + user +
              "'@'%' IDENTIFIED BY 'one-pass' WITH MAX_USER_CONNECTIONS 1\"");
  on_teardown([this, user] {
    std::string out;
    run_cluster_command(cluster_env(), "sql primary \"DROP USER IF EXISTS '" + user + "'@'%'\"", &out);
  });
  cluster_cmd("wait-sync 30");
  ProxyOptions options;
  options.query_timeout = "1s";
  options.users = {"{ name: app, password: app-pass }", "{ name: " + user + ", password: one-pass }"};
  START_OR_SKIP(options);
  Client c;
  c.set_read_timeout(30);
  ASSERT_TRUE(c.connect(proxy_->host(), proxy_->port(), user, "one-pass", "")) << c.describe_error();

  const auto started = Clock::now();
  EXPECT_FALSE(c.exec("SELECT SLEEP(30)"));
  const long long waited = ms_since(started);
  EXPECT_EQ(c.errnum(), 1317u) << c.describe_error();
  // The server's words; the log says the connection was closed after timeouts.query.
  EXPECT_EQ(c.error(), "Query execution was interrupted");
  EXPECT_NE(proxy_->log_tail(400).find("timeouts.query"), std::string::npos);
  // 1 s of silence, the refused kill, then connect (2 s) + 1 s of grace; each checked once a second.
  EXPECT_GE(waited, 3000);
  EXPECT_LT(waited, 9000);
  EXPECT_EQ(must_scalar(c, "SELECT 7"), "7") << "outside a transaction the session goes on";

  const std::string m = metrics();
  EXPECT_EQ(metric_sum(m, "mysql_proxy_query_timeouts_total", "action=\"kill\""), 1);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_query_timeouts_total", "action=\"close\""), 1);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_errors_total", "kind=\"query_timeout\""), 1);
  EXPECT_NE(proxy_->log_tail().find("max_user_connections"), std::string::npos)
      << "the log says why the kill failed:\n" << proxy_->log_tail();
}

TEST_F(StallTimeoutsTest, AClientThatTakesNothingOfItsAnswerIsClosed) {
  ProxyOptions options;
  options.client_stall_timeout = "2s";
  START_OR_SKIP(options);
  const std::string marker = unique_name("unread");
  const std::string sql = "SELECT /* " + marker + " */ seq, REPEAT('x', 1000) FROM seq_1_to_200000";
  Client slow = open();
  ASSERT_TRUE(slow.connected());
  const auto started = Clock::now();
  ASSERT_EQ(mysql_send_query(slow.get(), sql.data(), sql.size()), 0) << slow.describe_error();
  // ... and never reads.
  EXPECT_EQ(wait_metric("mysql_proxy_client_stalls_total", "", 1, 10s), 1);
  const long long waited = ms_since(started);
  EXPECT_GE(waited, 2000);
  EXPECT_LT(waited, 6000);
  EXPECT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 0, 5s), 0) << "the session ended";
  EXPECT_EQ(wait_metric("mysql_proxy_backend_connections_in_use", "", 0, 5s), 0);
  EXPECT_TRUE(wait_not_running(marker, 10s)) << "the server still runs the statement";
  Client other = open();
  EXPECT_EQ(must_scalar(other, "SELECT COUNT(*) FROM seq_1_to_1000"), "1000");
}

// LOCAL INFILE data that never comes: the file "reads" slowly.
int slow_infile_init(void** data, const char*, void*) {
  *data = nullptr;
  return 0;
}
int slow_infile_read(void*, char*, unsigned int) {
  std::this_thread::sleep_for(6s);
  return 0;  // end of file
}
void slow_infile_end(void*) {}
int slow_infile_error(void*, char* msg, unsigned int len) {
  snprintf(msg, len, "slow file");
  return 2000;
}

TEST_F(StallTimeoutsTest, AClientThatSendsNothingOfItsLocalInfileDataIsClosed) {
  ProxyOptions options;
  options.client_stall_timeout = "2s";
  START_OR_SKIP(options);
  const std::string t = unique_name("it_stalled_load");
  cleanup("DROP TABLE IF EXISTS " + t);
  Client setup = open();
  must_exec(setup, "CREATE TABLE " + t + " (id INT PRIMARY KEY)");

  Client c;
  c.set_read_timeout(30);
  c.set_local_infile(true);
  ASSERT_TRUE(c.connect(proxy_->host(), proxy_->port(), "app", "app-pass", "proxytest")) << c.describe_error();
  mysql_set_local_infile_handler(c.get(), slow_infile_init, slow_infile_read, slow_infile_end, slow_infile_error,
                                 nullptr);
  const std::string sql = "LOAD DATA LOCAL INFILE 'never.tsv' INTO TABLE " + t;
  EXPECT_NE(mysql_real_query(c.get(), sql.data(), sql.size()), 0) << "the proxy closed the session meanwhile";
  EXPECT_EQ(metric("mysql_proxy_client_stalls_total"), 1);
  EXPECT_EQ(wait_metric("mysql_proxy_backend_connections_in_use", "", 0, 5s), 0);
  Client primary = node(cluster_env().primary_port);
  EXPECT_EQ(must_scalar(primary, "SELECT COUNT(*) FROM " + t), "0");
  EXPECT_EQ(must_scalar(setup, "SELECT 1"), "1") << "others are served";
}

}  // namespace
}  // namespace itest
