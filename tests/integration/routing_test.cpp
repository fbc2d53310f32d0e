// Read/write splitting on the real cluster, observed through @@server_id (primary 1, replicas 2
// and 3): reads spread over the replicas, writes and everything that can't move stay on the
// primary, session state follows the session whichever backend answers, and many clients share
// few backend connections. A dedicated proxy with consistency: eventual shows the raw routing.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "support/test_env.hpp"

namespace itest {
namespace {

class RoutingTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    ProxyOptions options;
    options.consistency = "eventual";
    options.log_level = "info";
    start_own_proxy(proxy_, options);
    if (HasFatalFailure()) return;
    if (proxy_->direct()) GTEST_SKIP() << "routing is the proxy's job: nothing to check against one server";
  }

  Client open(unsigned long flags = 0) {
    Client c;
    EXPECT_TRUE(c.connect(proxy_->host(), proxy_->port(), "app", "app-pass", "proxytest", flags)) << c.describe_error();
    return c;
  }

  // Which servers answered `sql` over n runs, by server id.
  std::map<std::string, int> servers(Client& c, const std::string& sql, int n = 20) {
    std::map<std::string, int> seen;
    for (int i = 0; i < n; ++i) seen[must_scalar(c, sql)]++;
    return seen;
  }

  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(RoutingTest, AutocommitReadsSpreadOverBothReplicasAndNeverThePrimary) {
  Client c = open();
  const auto seen = servers(c, "SELECT @@server_id", 40);
  EXPECT_EQ(seen.count("1"), 0u) << "a read reached the primary";
  EXPECT_EQ(seen.size(), 2u) << "reads did not reach both replicas";
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 20) << "replica " << id << " got " << n << " of 40 reads";
}

TEST_F(RoutingTest, OneReadPerNewConnectionStillSpreadsOverBothReplicas) {
  // Apps that connect per request: the login (which checks the default database on a replica)
  // must not take the turn of the session's first read.
  std::map<std::string, int> seen;
  for (int i = 0; i < 10; ++i) {
    Client c = open();
    seen[must_scalar(c, "SELECT @@server_id")]++;
  }
  EXPECT_EQ(seen.count("1"), 0u) << "a read reached the primary";
  EXPECT_EQ(seen.size(), 2u) << "every new connection read from the same replica";
}

TEST_F(RoutingTest, WritesAndWhatCannotMoveStayOnThePrimary) {
  Client c = open();
  const std::string t = unique_name("rt_w");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);
  must_exec(c, "CREATE TABLE " + t + " (id INT AUTO_INCREMENT PRIMARY KEY, sid INT)");
  // The INSERT records where it ran.
  must_exec(c, "INSERT INTO " + t + " (sid) VALUES (@@server_id)");
  EXPECT_EQ(must_scalar(c, "/* route=primary */ SELECT sid FROM " + t), "1");
  // LAST_INSERT_ID() right after the insert is answered by the connection that inserted.
  must_exec(c, "INSERT INTO " + t + " (sid) VALUES (0)");
  EXPECT_EQ(must_query(c, "SELECT LAST_INSERT_ID(), @@server_id"), (Rows{{std::string("2"), std::string("1")}}));
  // Locking reads.
  EXPECT_EQ(must_scalar(c, "SELECT @@server_id FROM " + t + " WHERE id = 1 FOR UPDATE"), "1");
  EXPECT_EQ(must_scalar(c, "SELECT @@server_id FROM " + t + " WHERE id = 1 LOCK IN SHARE MODE"), "1");
  // Explicit transactions.
  must_exec(c, "BEGIN");
  EXPECT_EQ(servers(c, "SELECT @@server_id", 5), (std::map<std::string, int>{{"1", 5}}));
  must_exec(c, "COMMIT");
  // autocommit = 0: every statement is in a transaction.
  must_exec(c, "SET autocommit = 0");
  EXPECT_EQ(servers(c, "SELECT @@server_id", 5), (std::map<std::string, int>{{"1", 5}}));
  must_exec(c, "COMMIT");
  must_exec(c, "SET autocommit = 1");
  EXPECT_NE(must_scalar(c, "SELECT @@server_id"), "1") << "reads should move again once autocommit is back";
}

TEST_F(RoutingTest, TemporaryTableAndNamedLockPinTheSessionToThePrimary) {
  Client tmp = open();
  must_exec(tmp, "CREATE TEMPORARY TABLE rt_tmp (a INT)");
  must_exec(tmp, "INSERT INTO rt_tmp VALUES (1)");
  EXPECT_EQ(servers(tmp, "SELECT @@server_id FROM rt_tmp", 6), (std::map<std::string, int>{{"1", 6}}));
  EXPECT_EQ(servers(tmp, "SELECT @@server_id", 6), (std::map<std::string, int>{{"1", 6}}));

  Client lock = open();
  EXPECT_EQ(must_query(lock, "SELECT GET_LOCK('rt_lock', 1), @@server_id"), (Rows{{std::string("1"), std::string("1")}}));
  EXPECT_EQ(servers(lock, "SELECT @@server_id", 6), (std::map<std::string, int>{{"1", 6}}));
  EXPECT_EQ(must_scalar(lock, "SELECT RELEASE_LOCK('rt_lock')"), "1") << "released on the connection that holds it";
}

TEST_F(RoutingTest, ReadOnlyTransactionRunsWholeOnOneReplica) {
  Client c = open();
  for (int round = 0; round < 3; ++round) {
    must_exec(c, "START TRANSACTION READ ONLY");
    const auto seen = servers(c, "SELECT @@server_id", 8);
    EXPECT_EQ(seen.size(), 1u) << "a read-only transaction moved between servers";
    EXPECT_EQ(seen.count("1"), 0u) << "a read-only transaction ran on the primary";
    must_exec(c, "COMMIT");
  }
}

TEST_F(RoutingTest, SessionStateIsTheSameWhicheverBackendAnswers) {
  Client c = open();
  must_exec(c, "SET @x = 42");
  must_exec(c, "SET sql_mode = 'ANSI_QUOTES'");
  must_exec(c, "SET NAMES latin1");
  must_exec(c, "USE app2db");
  std::set<std::string> server_ids;
  for (int i = 0; i < 10; ++i) {
    const auto rows = must_query(c, "SELECT @x, @@sql_mode, @@character_set_client, DATABASE(), @@server_id");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "42");
    EXPECT_EQ(rows[0][1], "ANSI_QUOTES");
    EXPECT_EQ(rows[0][2], "latin1");
    EXPECT_EQ(rows[0][3], "app2db");
    server_ids.insert(rows[0][4].value_or("NULL"));
  }
  EXPECT_EQ(server_ids, (std::set<std::string>{"2", "3"})) << "both replicas should have answered";
  // SELECT ... INTO @var sets a variable as SET does, with a value the proxy never sees: the
  // session stays on the connection that holds it.
  must_exec(c, "SELECT 7, 8 INTO @y, @z");
  EXPECT_EQ(servers(c, "SELECT CONCAT(IFNULL(@y, 'unset'), IFNULL(@z, 'unset'))", 6), (std::map<std::string, int>{{"78", 6}}));
  // COM_INIT_DB and COM_RESET_CONNECTION reach every backend the session uses, too.
  ASSERT_EQ(mysql_select_db(c.get(), "proxytest"), 0) << c.describe_error();
  EXPECT_EQ(servers(c, "SELECT DATABASE()", 4), (std::map<std::string, int>{{"proxytest", 4}}));
  ASSERT_EQ(mysql_reset_connection(c.get()), 0) << c.describe_error();
  EXPECT_EQ(servers(c, "SELECT IFNULL(@x, 'unset')", 4), (std::map<std::string, int>{{"unset", 4}}));
}

// Backend connections the proxy holds for user app, on all three servers.
int backend_connections(const ClusterEnv& env) {
  int total = 0;
  for (const char* node : {"primary", "replica1", "replica2"}) {
    std::string out;
    run_cluster_command(env, std::string("sql ") + node +
                                 " \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'\"",
                        &out);
    total += std::atoi(out.c_str());
  }
  return total;
}

TEST_F(RoutingTest, TwoHundredClientsShareFewBackendConnections) {
  const int before = backend_connections(cluster_env());  // other proxies' pools, the cluster's own
  std::vector<Client> clients;
  clients.reserve(200);
  for (int i = 0; i < 200; ++i) {
    clients.push_back(open());
    ASSERT_TRUE(clients.back().connected()) << "client " << i;
  }
  // Four threads, each driving 50 of the clients in turn: at most four statements in flight.
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (int i = t; i < 200; i += 4) {
          auto v = clients[i].scalar("SELECT " + std::to_string(i));
          if (!v || *v != std::to_string(i)) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const int backends = backend_connections(cluster_env()) - before;
  RecordProperty("backend_connections", backends);
  EXPECT_LE(backends, 40) << "200 clients with 4 statements in flight held " << backends << " backend connections";
}

TEST_F(RoutingTest, AnExhaustedPoolAnswersTooManyConnectionsAfterABoundedWait) {
  ProxyOptions options;
  options.consistency = "eventual";
  options.workers = 1;
  options.pool = "{ max_connections_per_backend: 2, acquire_timeout: 500ms }";
  ProxyProcess small(cluster_env(), options);
  std::string error;
  ASSERT_TRUE(small.start(&error)) << error;
  // Five clients hold the primary's two connections and want more (a transaction pins each).
  std::vector<Client> clients(5);
  for (auto& c : clients) ASSERT_TRUE(c.connect(small.host(), small.port(), "app", "app-pass", "proxytest")) << c.describe_error();
  int began = 0, refused = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto& c : clients) {
    if (c.exec("BEGIN") && c.exec("SELECT 1 FOR UPDATE")) {
      ++began;
    } else {
      EXPECT_EQ(c.errnum(), 1040u) << c.describe_error();
      ++refused;
    }
  }
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(began, 2);
  EXPECT_EQ(refused, 3);
  EXPECT_LT(waited, 5.0) << "each refusal should come after about acquire_timeout";
  // Once a transaction ends, its connection serves someone else.
  ASSERT_TRUE(clients[0].exec("COMMIT")) << clients[0].describe_error();
  EXPECT_TRUE(clients[4].exec("SELECT 1 FOR UPDATE")) << clients[4].describe_error();
}

// Executes a prepared statement with one integer parameter and returns its rows as two integers.
std::vector<std::pair<long long, long long>> execute_int(MYSQL_STMT* stmt, long long param, std::string* error) {
  MYSQL_BIND in{};
  in.buffer_type = MYSQL_TYPE_LONGLONG;
  in.buffer = &param;
  std::vector<std::pair<long long, long long>> rows;
  if (mysql_stmt_bind_param(stmt, &in) != 0 || mysql_stmt_execute(stmt) != 0) {
    *error = mysql_stmt_error(stmt);
    return rows;
  }
  if (mysql_stmt_field_count(stmt) == 0) return rows;
  long long a = 0, b = 0;
  MYSQL_BIND out[2]{};
  out[0].buffer_type = out[1].buffer_type = MYSQL_TYPE_LONGLONG;
  out[0].buffer = &a;
  out[1].buffer = &b;
  if (mysql_stmt_bind_result(stmt, out) != 0) {
    *error = mysql_stmt_error(stmt);
    return rows;
  }
  while (mysql_stmt_fetch(stmt) == 0) rows.emplace_back(a, b);
  mysql_stmt_free_result(stmt);
  return rows;
}

TEST_F(RoutingTest, PreparedReadsRunOnReplicasAndPreparedInsertsOnThePrimary) {
  Client c = open();
  const std::string t = unique_name("rt_ps");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);
  must_exec(c, "CREATE TABLE " + t + " (id INT AUTO_INCREMENT PRIMARY KEY, sid INT, v BIGINT)");

  MYSQL_STMT* read = mysql_stmt_init(c.get());
  const std::string read_sql = "SELECT @@server_id, ? * 2";
  ASSERT_EQ(mysql_stmt_prepare(read, read_sql.c_str(), read_sql.size()), 0) << mysql_stmt_error(read);
  std::map<long long, int> servers;
  for (long long i = 0; i < 300; ++i) {
    std::string error;
    const auto rows = execute_int(read, i, &error);
    ASSERT_EQ(rows.size(), 1u) << "execution " << i << ": " << error;
    EXPECT_EQ(rows[0].second, 2 * i) << "execution " << i;
    servers[rows[0].first]++;
  }
  mysql_stmt_close(read);
  EXPECT_EQ(servers.count(1), 0u) << "a prepared read ran on the primary";
  EXPECT_EQ(servers.size(), 2u) << "prepared reads did not reach both replicas";

  MYSQL_STMT* insert = mysql_stmt_init(c.get());
  const std::string insert_sql = "INSERT INTO " + t + " (sid, v) VALUES (@@server_id, ?)";
  ASSERT_EQ(mysql_stmt_prepare(insert, insert_sql.c_str(), insert_sql.size()), 0) << mysql_stmt_error(insert);
  for (long long i = 0; i < 50; ++i) {
    std::string error;
    execute_int(insert, i, &error);
    ASSERT_TRUE(error.empty()) << error;
  }
  mysql_stmt_close(insert);
  EXPECT_EQ(must_query(c, "/* route=primary */ SELECT COUNT(*), MIN(sid), MAX(sid), SUM(v) FROM " + t),
            (Rows{{std::string("50"), std::string("1"), std::string("1"), std::string("1225")}}));
}

// A write followed at once by reads of it, with replica1 applying events three seconds late.
class ConsistencyTest : public RoutingTest {
 protected:
  void TearDown() override {
    std::string out;
    run_cluster_command(cluster_env(), "delay replica1 0", &out);
    run_cluster_command(cluster_env(), "wait-sync 30", &out);
    RoutingTest::TearDown();
  }

  // Of `n` reads right after a write to `table`, how many saw it.
  int reads_seeing_the_write(ProxyProcess& proxy, const std::string& table, int first_id, int n) {
    Client c;
    EXPECT_TRUE(c.connect(proxy.host(), proxy.port(), "app", "app-pass", "proxytest")) << c.describe_error();
    int seen = 0;
    for (int i = first_id; i < first_id + n; ++i) {
      must_exec(c, "INSERT INTO " + table + " VALUES (" + std::to_string(i) + ")");
      if (c.scalar("SELECT COUNT(*) FROM " + table + " WHERE id = " + std::to_string(i)) == "1") ++seen;
    }
    return seen;
  }
};

TEST_F(ConsistencyTest, SessionConsistencyReadsItsOwnWritesWhereEventualMayNot) {
  Client setup = open();
  const std::string t = unique_name("rt_cons");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);
  must_exec(setup, "CREATE TABLE " + t + " (id INT PRIMARY KEY)");
  std::string out;
  ASSERT_EQ(run_cluster_command(cluster_env(), "wait-sync 30", &out), 0) << out;
  ASSERT_EQ(run_cluster_command(cluster_env(), "delay replica1 3", &out), 0) << out;

  const int eventual = reads_seeing_the_write(*proxy_, t, 0, 6);
  EXPECT_LT(eventual, 6) << "with a replica 3 s behind, some eventual reads should miss the write";

  ProxyOptions options;
  options.consistency = "session";
  options.consistency_timeout = "200ms";  // replica1 can't catch up in time: the primary answers
  ProxyProcess session_proxy(cluster_env(), options);
  std::string error;
  ASSERT_TRUE(session_proxy.start(&error)) << error;
  EXPECT_EQ(reads_seeing_the_write(session_proxy, t, 100, 6), 6) << "session consistency must read its own writes";
}

}  // namespace
}  // namespace itest
