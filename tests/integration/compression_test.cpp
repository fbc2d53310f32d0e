// The compressed protocol through the proxy (libmysqlclient with MYSQL_OPT_COMPRESS): the client
// side on its own, and with the proxy's backend links compressed as well (compression.backends).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>

#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

constexpr unsigned long kMaxPacket = 64ul * 1024 * 1024;
constexpr std::size_t kLargeValue = 20 * 1024 * 1024;  // more than one 16 MiB packet

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::string s(n, '\0');
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(&s[i], &v, 8);
  }
  return s;
}

class CompressionTest : public OwnProxyTest {
 protected:
  Client open_client(bool compress, const std::string& db = "proxytest") {
    Client c;
    c.set_read_timeout(120);
    c.set_max_allowed_packet(kMaxPacket);
    c.set_local_infile(true);
    if (compress) {
      EXPECT_TRUE(c.set_option(MYSQL_OPT_COMPRESS, nullptr));
    }
    EXPECT_TRUE(c.connect(proxy_->host(), proxy_->port(), "app", "app-pass", db, CLIENT_MULTI_STATEMENTS))
        << c.describe_error();
    return c;
  }
  // What the client library settled on after the login.
  static bool compressed(const Client& c) { return c.get()->net.compress != 0; }
  double sent_bytes() { return metric("mysql_proxy_client_sent_bytes_total"); }
  double received_bytes() { return metric("mysql_proxy_client_received_bytes_total"); }
  // The backend connection's own view (the link between the proxy and the server).
  static std::string backend_compression(Client& c) {
    auto rows = c.query("/* route=primary */ SHOW SESSION STATUS LIKE 'Compression'");
    if (!rows || rows->size() != 1 || !(*rows)[0][1]) return "?";
    return *(*rows)[0][1];
  }

  // Inserts `value` through the text protocol (one command packet over 16 MiB) and reads it
  // back; returns "" or what went wrong.
  static std::string round_trip(Client& c, const std::string& table, int id, const std::string& value) {
    const std::string sql = "INSERT INTO " + table + " VALUES (" + std::to_string(id) + ", '" + c.escape(value) + "')";
    if (mysql_real_query(c.get(), sql.data(), sql.size()) != 0) return "insert: " + c.describe_error();
    const std::string select = "/* route=primary */ SELECT b FROM " + table + " WHERE id = " + std::to_string(id);
    if (mysql_real_query(c.get(), select.data(), select.size()) != 0) return "select: " + c.describe_error();
    MYSQL_RES* res = mysql_store_result(c.get());
    if (res == nullptr) return "store: " + c.describe_error();
    MYSQL_ROW row = mysql_fetch_row(res);
    const unsigned long* len = mysql_fetch_lengths(res);
    std::string out;
    if (row == nullptr) {
      out = "no row";
    } else if (len[0] != value.size()) {
      out = "length " + std::to_string(len[0]);
    } else if (std::memcmp(row[0], value.data(), value.size()) != 0) {
      out = "bytes differ";
    }
    mysql_free_result(res);
    return out;
  }
};

TEST_F(CompressionTest, ClientLinkIsCompressedAndCarriesFewerBytes) {
  START_OR_SKIP();
  // 1.8 MB of repetitive text, once per kind of client: the traffic counters see wire bytes.
  const std::string sql = "SELECT REPEAT('compressible text ', 100000)";
  double wire[2] = {0, 0};
  for (bool compress : {false, true}) {
    Client c = open_client(compress);
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(compressed(c), compress);
    const double before = sent_bytes();
    auto value = c.scalar(sql);
    ASSERT_TRUE(value) << c.describe_error();
    EXPECT_EQ(value->size(), 1800000u);
    wire[compress] = sent_bytes() - before;
  }
  std::cout << "bytes sent to the client for " << sql << ": " << static_cast<long long>(wire[0]) << " plain, "
            << static_cast<long long>(wire[1])
            << " compressed\n";
  EXPECT_GT(wire[0], 1800000);
  EXPECT_LT(wire[1], wire[0] / 50);
}

TEST_F(CompressionTest, QueriesErrorsMultiResultsAndPreparedStatements) {
  START_OR_SKIP();
  Client c = open_client(true);
  ASSERT_TRUE(compressed(c));
  EXPECT_EQ(c.scalar("SELECT 6 * 7"), "42");
  EXPECT_FALSE(c.exec("SELEC 1"));
  EXPECT_EQ(c.errnum(), 1064u);
  EXPECT_EQ(c.scalar("SELECT 'after the error'"), "after the error");

  // Two results in one command.
  const std::string multi = "SELECT 'one'; SELECT REPEAT('two', 30000)";
  ASSERT_EQ(mysql_real_query(c.get(), multi.data(), multi.size()), 0) << c.describe_error();
  std::vector<std::string> firsts;
  do {
    MYSQL_RES* res = mysql_store_result(c.get());
    ASSERT_NE(res, nullptr) << c.describe_error();
    Rows rows = fetch_all(res);
    mysql_free_result(res);
    ASSERT_EQ(rows.size(), 1u);
    firsts.push_back(*rows[0][0]);
  } while (mysql_next_result(c.get()) == 0);
  ASSERT_EQ(firsts.size(), 2u);
  EXPECT_EQ(firsts[0], "one");
  EXPECT_EQ(firsts[1].size(), 90000u);

  // A prepared statement: binary protocol, a long string parameter, a row of 100 KB.
  MYSQL_STMT* st = mysql_stmt_init(c.get());
  ASSERT_NE(st, nullptr);
  const std::string sql = "SELECT ? + 1, CONCAT(?, REPEAT('y', 100000))";
  ASSERT_EQ(mysql_stmt_prepare(st, sql.data(), sql.size()), 0) << mysql_stmt_error(st);
  long long n = 41;
  std::string text(70000, 'x');
  unsigned long text_len = text.size();
  MYSQL_BIND params[2] = {};
  params[0].buffer_type = MYSQL_TYPE_LONGLONG;
  params[0].buffer = &n;
  params[1].buffer_type = MYSQL_TYPE_STRING;
  params[1].buffer = text.data();
  params[1].buffer_length = text_len;
  params[1].length = &text_len;
  ASSERT_EQ(mysql_stmt_bind_param(st, params), 0) << mysql_stmt_error(st);
  ASSERT_EQ(mysql_stmt_execute(st), 0) << mysql_stmt_error(st);
  long long sum = 0;
  std::string out(200000, '\0');
  unsigned long out_len = 0;
  MYSQL_BIND results[2] = {};
  results[0].buffer_type = MYSQL_TYPE_LONGLONG;
  results[0].buffer = &sum;
  results[1].buffer_type = MYSQL_TYPE_STRING;
  results[1].buffer = out.data();
  results[1].buffer_length = out.size();
  results[1].length = &out_len;
  ASSERT_EQ(mysql_stmt_bind_result(st, results), 0) << mysql_stmt_error(st);
  ASSERT_EQ(mysql_stmt_fetch(st), 0) << mysql_stmt_error(st);
  EXPECT_EQ(sum, 42);
  EXPECT_EQ(out_len, 170000u);
  EXPECT_EQ(out.substr(0, out_len), text + std::string(100000, 'y'));
  EXPECT_EQ(mysql_stmt_fetch(st), MYSQL_NO_DATA);
  mysql_stmt_close(st);
}

TEST_F(CompressionTest, LoadDataLocal) {
  START_OR_SKIP();
  Client c = open_client(true);
  ASSERT_TRUE(compressed(c));
  const std::string table = unique_name("it_zload");
  cleanup("DROP TABLE IF EXISTS " + table);
  ASSERT_TRUE(c.exec("CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(40))")) << c.describe_error();
  char path[] = "/tmp/itest-zload-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const int n = 100000;  // about 2 MB: many data packets
  {
    std::ofstream out(path);
    for (int i = 1; i <= n; ++i) out << i << "\tname-" << i << "\n";
  }
  const std::string sql = "LOAD DATA LOCAL INFILE '" + std::string(path) + "' INTO TABLE " + table;
  const int rc = mysql_real_query(c.get(), sql.data(), sql.size());
  std::remove(path);
  ASSERT_EQ(rc, 0) << c.describe_error();
  EXPECT_EQ(mysql_affected_rows(c.get()), static_cast<my_ulonglong>(n));
  EXPECT_EQ(c.scalar("/* route=primary */ SELECT SUM(id) FROM " + table), std::to_string(5000050000LL));
  EXPECT_EQ(c.scalar("SELECT 'still in step'"), "still in step");
}

TEST_F(CompressionTest, BackendLinksFollowTheirOwnSetting) {
  // Default: clients may compress, the proxy's backend links are not compressed.
  START_OR_SKIP();
  for (bool compress : {false, true}) {
    Client c = open_client(compress);
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(backend_compression(c), "OFF") << "client compressed: " << compress;
  }
}

TEST_F(CompressionTest, CompressedBackendLinksWithEitherKindOfClient) {
  ProxyOptions options;
  options.compression = "{ backends: true }";
  START_OR_SKIP(options);
  for (bool compress : {false, true}) {
    Client c = open_client(compress);
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(compressed(c), compress);
    EXPECT_EQ(backend_compression(c), "ON") << "client compressed: " << compress;
    EXPECT_EQ(c.scalar("SELECT LENGTH(REPEAT('abc', 100000))"), "300000");
  }
}

TEST_F(CompressionTest, TwentyMebibyteValuesBothWaysOverCompressedLinks) {
  ProxyOptions options;
  options.compression = "{ backends: true }";
  START_OR_SKIP(options);
  Client c = open_client(true);
  ASSERT_TRUE(compressed(c));
  const std::string table = unique_name("it_zblob");
  cleanup("DROP TABLE IF EXISTS " + table);
  ASSERT_TRUE(c.exec("CREATE TABLE " + table + " (id INT PRIMARY KEY, b LONGBLOB NOT NULL)")) << c.describe_error();
  // Random bytes do not compress (stored packets); repeated ones shrink to almost nothing.
  const std::string random = random_bytes(kLargeValue, 7);
  std::string repeated;
  repeated.reserve(kLargeValue);
  while (repeated.size() < kLargeValue) repeated += "twenty mebibytes of the same words ";
  repeated.resize(kLargeValue);
  EXPECT_EQ(round_trip(c, table, 1, random), "");
  const double sent_before = sent_bytes();
  const double received_before = received_bytes();
  EXPECT_EQ(round_trip(c, table, 2, repeated), "");
  // Both directions stayed compressed: 20 MiB each way cost well under 1 MiB on the wire.
  EXPECT_LT(sent_bytes() - sent_before, 1 << 20);
  EXPECT_LT(received_bytes() - received_before, 1 << 20);
}

TEST_F(CompressionTest, PooledConnectionsAreSharedByCompressedAndPlainClients) {
  // Compression is not part of what keys the pool: one connection serves both kinds of client.
  ProxyOptions options;
  options.workers = 1;  // pools are per worker thread
  options.pool = "{ max_connections_per_backend: 1 }";
  START_OR_SKIP(options);
  std::string ids[2];
  for (bool compress : {true, false}) {
    Client c = open_client(compress);
    ASSERT_TRUE(c.connected());
    // The server's id of the connection (CONNECTION_ID() would pin the session to it).
    auto id = c.scalar("/* route=primary */ SELECT @@pseudo_thread_id");
    ASSERT_TRUE(id) << c.describe_error();
    ids[compress] = *id;
  }
  EXPECT_EQ(ids[0], ids[1]);
}

}  // namespace
}  // namespace itest
