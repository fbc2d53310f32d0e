// Clients that misbehave on purpose, on raw sockets where a driver would not: garbage instead of a
// handshake, a header announcing 16 MiB, wrong sequence ids, a thousand connect-and-close, silence,
// a client that stops reading a 200 MB result. Each test checks the proxy answers (an ERR or a
// clean close, never a hang), keeps its memory and its counts in order, and goes on serving
// others. Then the connection limits and the login throttle as real clients see them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "protocol/auth.hpp"
#include "protocol/constants.hpp"
#include "protocol/frame.hpp"
#include "protocol/handshake.hpp"
#include "support/http_client.hpp"
#include "support/own_proxy_test.hpp"
#include "support/raw_conn.hpp"

namespace itest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;
namespace proto = mysqlproxy::protocol;

constexpr const char* kToken = "itest-token";

class HostileInputTest : public OwnProxyTest {
 protected:
  json::object clients_api() {
    const HttpReply r = http_request("127.0.0.1", proxy_->admin_port(), "GET", "/api/v1/clients", kToken);
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }


  // Greeting, native-password login; the server's answer to it.
  RawConn::Reply raw_login(RawConn& conn, const std::string& user, const std::string& password,
                           std::uint8_t seq = 1) {
    const RawConn::Reply greeting = conn.read_packet();
    EXPECT_EQ(greeting.got, RawConn::Got::kPacket) << "greeting: " << greeting.describe();
    if (greeting.got != RawConn::Got::kPacket) return greeting;
    EXPECT_TRUE(conn.send(frame(handshake_response(greeting, user, password), seq)));
    return conn.read_packet();
  }

  // An ERR or a close within a few seconds, never an OK and never silence.
  static void expect_refused(const RawConn::Reply& r, const std::string& what) {
    EXPECT_TRUE(r.is_err() || r.got == RawConn::Got::kClosed) << what << ": got " << r.describe();
  }
};

TEST_F(HostileInputTest, GarbageInsteadOfTheHandshakeResponseGetsAnErrOrACloseAndOthersGoOn) {
  START_OR_SKIP();
  // Before reading the greeting: the first bytes of a TLS ClientHello.
  {
    RawConn c(proxy_->port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.send({0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}));
    const auto greeting = c.read_packet();
    EXPECT_EQ(greeting.got, RawConn::Got::kPacket) << greeting.describe();
    expect_refused(c.read_packet(), "TLS ClientHello");
    EXPECT_TRUE(c.wait_closed(5s));
  }
  // After it: an HTTP request, whose "GET " is a frame header with sequence id 0x20.
  {
    RawConn c(proxy_->port());
    ASSERT_EQ(c.read_packet().got, RawConn::Got::kPacket);
    ASSERT_TRUE(c.send(bytes("GET / HTTP/1.1\r\nHost: proxy\r\n\r\n")));
    expect_refused(c.read_packet(), "HTTP request");
    EXPECT_TRUE(c.wait_closed(5s));
  }
  // Well framed, but no handshake response inside: an ERR (1043 Bad handshake, or 1045 when the
  // bytes happen to read as a user name), then the close.
  for (const Bytes& payload : {Bytes{}, Bytes{0x00, 0x00, 0x00}, Bytes(64, 0xff), bytes("hello, proxy")}) {
    RawConn c(proxy_->port());
    ASSERT_EQ(c.read_packet().got, RawConn::Got::kPacket);
    ASSERT_TRUE(c.send(frame(payload, 1)));
    const auto reply = c.read_packet();
    EXPECT_TRUE(reply.err_code() == 1043 || reply.err_code() == 1045) << payload.size() << "-byte payload: " << reply.describe();
    EXPECT_EQ(reply.seq, 2);
    EXPECT_TRUE(c.wait_closed(5s));
  }
  EXPECT_GE(metric("mysql_proxy_login_failures_total", "reason=\"bad_handshake\""), 5);
  expect_served("garbage handshakes");
  EXPECT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 0, 5s), 0);
}

TEST_F(HostileInputTest, AHeaderAnnouncingSixteenMebibytesCostsNoMemoryAndOthersGoOn) {
  ProxyOptions options;
  // Each oversized handshake is a failed login: the throttle would block 127.0.0.1 at the tenth.
  // The 120 held below are all from 127.0.0.1: no cap on logins in progress per address.
  options.limits = "{ login_failures: 0, max_pending_logins_per_address: 0 }";
  START_OR_SKIP(options);
  // Announce, send a few bytes, close: before and after logging in.
  for (int i = 0; i < 20; ++i) {
    RawConn c(proxy_->port());
    ASSERT_EQ(c.read_packet().got, RawConn::Got::kPacket);
    Bytes data = header(0xffffff, 1);
    data.insert(data.end(), 16, 'x');
    ASSERT_TRUE(c.send(data));
    c.close(i % 2 == 0);
  }
  for (int i = 0; i < 5; ++i) {
    RawConn c(proxy_->port());
    ASSERT_TRUE(raw_login(c, "app", "app-pass").is_ok());
    Bytes data = header(0xffffff, 0);
    data.push_back(0x03);  // COM_QUERY
    data.insert(data.end(), 16, 'x');
    ASSERT_TRUE(c.send(data));
  }
  expect_served("16 MiB headers then close");

  // The same, held open: the proxy must not set memory aside for what was only announced.
  // 100 strangers announce 64 KiB - 1 (under the login limit), 20 logged-in clients 16 MiB.
  Client warm = open();
  must_scalar(warm, "SELECT 1");
  std::this_thread::sleep_for(300ms);
  const long before = rss_kib(proxy_->pid());
  ASSERT_GT(before, 0);
  std::vector<RawConn> held;
  for (int i = 0; i < 100; ++i) {
    RawConn c(proxy_->port());
    ASSERT_EQ(c.read_packet().got, RawConn::Got::kPacket);
    Bytes data = header(0xffff, 1);
    data.insert(data.end(), 16, 'x');
    ASSERT_TRUE(c.send(data));
    held.push_back(std::move(c));
  }
  for (int i = 0; i < 20; ++i) {
    RawConn c(proxy_->port());
    ASSERT_TRUE(raw_login(c, "app", "app-pass").is_ok());
    Bytes data = header(0xffffff, 0);
    data.push_back(0x03);
    data.insert(data.end(), 16, 'x');
    ASSERT_TRUE(c.send(data));
    held.push_back(std::move(c));
  }
  std::this_thread::sleep_for(500ms);
  const long during = rss_kib(proxy_->pid());
  std::cout << "[ rss ] 120 clients holding huge announced packets: " << before / 1024 << " MiB before, "
            << during / 1024 << " MiB during\n";
  EXPECT_LT(during - before, 64 * 1024) << "RSS grew by " << (during - before) / 1024 << " MiB";
  EXPECT_EQ(must_scalar(warm, "SELECT 2"), "2");
  held.clear();
  expect_served("held 16 MiB headers");
  EXPECT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 1, 5s), 1) << "warm's alone";
}

TEST_F(HostileInputTest, WrongSequenceIdsAreRefusedNotFollowed) {
  START_OR_SKIP();
  // The raw login itself is right: with sequence id 1 it logs in.
  {
    RawConn c(proxy_->port());
    const auto reply = raw_login(c, "app", "app-pass", 1);
    ASSERT_TRUE(reply.is_ok()) << reply.describe();
  }
  // The same handshake response with sequence id 2 (or 0) must not log in.
  for (std::uint8_t seq : {std::uint8_t{0}, std::uint8_t{2}, std::uint8_t{200}}) {
    RawConn c(proxy_->port());
    const auto reply = raw_login(c, "app", "app-pass", seq);
    expect_refused(reply, "handshake response with sequence id " + std::to_string(seq));
    EXPECT_TRUE(c.wait_closed(5s));
  }
  // A command must start at 0.
  const Bytes select = bytes("\x03SELECT 1");
  {
    RawConn c(proxy_->port());
    ASSERT_TRUE(raw_login(c, "app", "app-pass").is_ok());
    ASSERT_TRUE(c.send(frame(select, 0)));
    const auto columns = c.read_packet();
    ASSERT_EQ(columns.got, RawConn::Got::kPacket);
    EXPECT_EQ(columns.payload, Bytes{1}) << "one column: " << columns.describe();
  }
  for (std::uint8_t seq : {std::uint8_t{1}, std::uint8_t{5}, std::uint8_t{255}}) {
    RawConn c(proxy_->port());
    ASSERT_TRUE(raw_login(c, "app", "app-pass").is_ok());
    ASSERT_TRUE(c.send(frame(select, seq)));
    const auto reply = c.read_packet();
    expect_refused(reply, "COM_QUERY with sequence id " + std::to_string(seq));
    if (reply.is_err()) {
      EXPECT_EQ(reply.err_code(), 1043) << reply.describe();
    }
    EXPECT_TRUE(c.wait_closed(5s));
  }
  // The second packet of a command that continues at the wrong id (a LOCAL INFILE-like stream).
  {
    RawConn c(proxy_->port());
    ASSERT_TRUE(raw_login(c, "app", "app-pass").is_ok());
    Bytes two = frame(bytes("\x03SELECT 2"), 0);
    const Bytes again = frame(bytes("\x03SELECT 3"), 7);
    two.insert(two.end(), again.begin(), again.end());
    ASSERT_TRUE(c.send(two));
    EXPECT_TRUE(c.wait_closed(10s)) << "the proxy answers SELECT 2, then refuses the next and closes";
  }
  expect_served("wrong sequence ids");
}

TEST_F(HostileInputTest, AThousandConnectAndCloseLeaveTheCountsAtBaseline) {
  START_OR_SKIP();  // the login throttle at its defaults: none of this is a failed login
  Client warm = open();
  ASSERT_TRUE(warm.connected());
  ASSERT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 1, 5s), 1);
  const double accepted = metric("mysql_proxy_client_connections_accepted_total");
  const auto started = Clock::now();
  for (int i = 0; i < 1000; ++i) {
    RawConn c(proxy_->port());
    ASSERT_TRUE(c.ok()) << "connection " << i;
    switch (i % 4) {
      case 0:  // gone before the greeting
        break;
      case 1:  // gone before the greeting, with a reset
        c.close(true);
        break;
      case 2:  // read the greeting, then gone
        ASSERT_EQ(c.read_packet().got, RawConn::Got::kPacket) << "connection " << i;
        break;
      default: {  // half a handshake response, then gone
        ASSERT_EQ(c.read_packet().got, RawConn::Got::kPacket) << "connection " << i;
        Bytes half = header(100, 1);
        half.insert(half.end(), 20, 'x');
        ASSERT_TRUE(c.send(half));
        c.close(i % 8 == 7);
      }
    }
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  std::cout << "[ time ] 1000 connect-and-close: " << elapsed.count() << " ms\n";
  EXPECT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 1, 10s), 1) << "back to the one warm session";
  EXPECT_EQ(metric("mysql_proxy_client_connections_active"), 1);
  const json::object clients = clients_api();
  EXPECT_EQ(clients.at("connections").at("open").as_int64(), 1) << json::serialize(clients);
  EXPECT_EQ(metric("mysql_proxy_client_connections_accepted_total"), accepted + 1000);
  EXPECT_EQ(metric("mysql_proxy_login_failures_total"), 0) << "leaving is not failing";
  EXPECT_EQ(metric("mysql_proxy_login_throttle_blocked_sources"), 0);
  EXPECT_EQ(must_scalar(warm, "SELECT 'still here'"), "still here");
  expect_served("1000 connect-and-close");
}

TEST_F(HostileInputTest, ASilentClientIsClosedWithinTheHandshakeTimeout) {
  ProxyOptions options;
  options.handshake_timeout = "1s";
  START_OR_SKIP(options);
  struct Case {
    const char* what;
    bool read_greeting;
    Bytes then_send;
  };
  Bytes half = header(100, 1);
  half.insert(half.end(), 10, 'x');
  for (const Case& c : {Case{"reads the greeting, says nothing", true, {}},
                        Case{"never reads the greeting", false, {}},
                        Case{"sends half a handshake response", true, half}}) {
    RawConn conn(proxy_->port());
    ASSERT_TRUE(conn.ok());
    const auto started = Clock::now();
    if (c.read_greeting) {
      ASSERT_EQ(conn.read_packet().got, RawConn::Got::kPacket) << c.what;
    }
    if (!c.then_send.empty()) {
      ASSERT_TRUE(conn.send(c.then_send));
    }
    EXPECT_TRUE(conn.wait_closed(5s)) << c.what << ": not closed within 5 s";
    const auto took = Clock::now() - started;
    EXPECT_GE(took, 900ms) << c.what;
    EXPECT_LE(took, 2500ms) << c.what << ": took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                            << " ms";
  }
  // Counted as the login gives up, just after the deadline closed the socket: wait for it.
  EXPECT_EQ(wait_metric("mysql_proxy_client_connections_rejected_total", "reason=\"handshake_timeout\"", 3, 5s), 3);
  EXPECT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 0, 5s), 0);
  expect_served("silent clients");
}

TEST_F(HostileInputTest, AClientThatStopsReadingA200MegabyteResultCostsBoundedMemory) {
  START_OR_SKIP();
  const std::string marker = unique_name("slow_reader");
  const std::string sql = "SELECT /* " + marker + " */ seq, REPEAT('x', 1000) FROM seq_1_to_200000";
  // Where the query runs, seen from the servers.
  const auto running_on = [&]() {
    int found = 0;
    for (int port : {cluster_env().primary_port, cluster_env().replica1_port, cluster_env().replica2_port}) {
      Client n = node(port);
      const auto rows = n.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%" + marker +
                                "%' AND INFO NOT LIKE '%PROCESSLIST%'");
      if (rows && !rows->empty() && (*rows)[0][0] && *(*rows)[0][0] != "0") ++found;
    }
    return found;
  };
  {
    Client warm = open();
    for (int i = 0; i < 20; ++i) must_scalar(warm, "SELECT COUNT(*) FROM seq_1_to_1000");
  }
  std::this_thread::sleep_for(300ms);
  const long before = rss_kib(proxy_->pid());
  ASSERT_GT(before, 0);
  const double sent_before = metric("mysql_proxy_client_sent_bytes_total");

  Client slow = open();
  ASSERT_TRUE(slow.connected());
  ASSERT_EQ(mysql_send_query(slow.get(), sql.data(), sql.size()), 0) << slow.describe_error();
  // ... and never reads. Meanwhile others come and go, and the proxy's memory is watched.
  long peak = before;
  const auto until = Clock::now() + 6s;
  int served = 0;
  Clock::duration slowest{};
  while (Clock::now() < until) {
    const auto t = Clock::now();
    Client other = open();
    ASSERT_TRUE(other.connected());
    EXPECT_EQ(must_scalar(other, "SELECT COUNT(*) FROM seq_1_to_5000"), "5000");
    slowest = std::max(slowest, Clock::now() - t);
    ++served;
    peak = std::max(peak, rss_kib(proxy_->pid()));
    std::this_thread::sleep_for(100ms);
  }
  const double sent = metric("mysql_proxy_client_sent_bytes_total") - sent_before;
  std::cout << "[ rss ] slow reader of a 200 MB result: " << before / 1024 << " MiB before, peak " << peak / 1024
            << " MiB; " << static_cast<long>(sent / 1024) << " KiB reached the clients; " << served
            << " other clients served, slowest "
            << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count() << " ms\n";
  EXPECT_LT(peak - before, 64 * 1024) << "RSS grew by " << (peak - before) / 1024 << " MiB";
  EXPECT_LT(sent, 100e6) << "the result did not stop at the client: it reads nothing";
  EXPECT_GE(served, 20);
  EXPECT_LT(slowest, 3s) << "other clients wait on nothing the slow one holds";
  EXPECT_EQ(running_on(), 1) << "the query runs on one backend, stalled by the client";
  EXPECT_EQ(metric("mysql_proxy_backend_connections_in_use"), 1);

  // The client goes away: its backend connection is closed (the server's query ends), not pooled.
  const double open_before = metric("mysql_proxy_backend_connections_open");
  slow.close();
  const auto deadline = Clock::now() + 10s;
  while (running_on() != 0 && Clock::now() < deadline) std::this_thread::sleep_for(100ms);
  EXPECT_EQ(running_on(), 0) << "the query still runs on its backend";
  EXPECT_EQ(wait_metric("mysql_proxy_backend_connections_in_use", "", 0, 5s), 0);
  EXPECT_EQ(metric("mysql_proxy_backend_connections_open"), open_before - 1);
  expect_served("a slow reader");
}

TEST_F(HostileInputTest, ConnectionLimitsAnswerTooManyConnectionsAndGiveSlotsBack) {
  ProxyOptions options;
  options.limits = "{ max_client_connections: 4, max_user_connections: 3 }";
  options.users = {"{ name: app, password: app-pass, max_connections: 2 }", "{ name: app2, password: app2-pass }"};
  START_OR_SKIP(options);
  const auto connect_as = [&](const std::string& user) {
    Client c;
    c.set_read_timeout(10);
    c.connect(proxy_->host(), proxy_->port(), user, user + "-pass", "proxytest");
    return c;
  };
  Client a1 = connect_as("app");
  Client a2 = connect_as("app");
  ASSERT_TRUE(a1.connected() && a2.connected()) << a1.describe_error() << a2.describe_error();
  // app has its 2: the third gets 1040 in the server's words, after its password checked out;
  // the log names the user and the limit.
  Client a3 = connect_as("app");
  EXPECT_FALSE(a3.connected());
  EXPECT_EQ(a3.errnum(), 1040u) << a3.describe_error();
  EXPECT_EQ(a3.sqlstate(), "08004");
  EXPECT_EQ(a3.error(), "Too many connections");
  EXPECT_NE(proxy_->log_tail(400).find("user 'app' already has 2 sessions"), std::string::npos);
  // The refused session gives its connection slot back as it ends, a moment after its ERR.
  ASSERT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 2, 5s), 2);
  Client b1 = connect_as("app2");
  Client b2 = connect_as("app2");
  ASSERT_TRUE(b1.connected() && b2.connected()) << b1.describe_error() << b2.describe_error();
  // Four open, the overall limit: the next one gets 1040 instead of the greeting, whoever it is.
  Client over = connect_as("app2");
  EXPECT_FALSE(over.connected());
  EXPECT_EQ(over.errnum(), 1040u) << over.describe_error();
  EXPECT_EQ(over.error(), "Too many connections");
  {
    RawConn raw(proxy_->port());
    const auto first = raw.read_packet();
    EXPECT_EQ(first.err_code(), 1040) << first.describe();
    EXPECT_EQ(first.seq, 0);
    ASSERT_GE(first.payload.size(), 4u);
    EXPECT_NE(first.payload[3], '#') << "no SQLSTATE before the greeting";
    EXPECT_TRUE(raw.wait_closed(5s));
  }
  const std::string m = metrics();
  EXPECT_EQ(metric_sum(m, "mysql_proxy_client_connections_rejected_total", "reason=\"max_connections\""), 2);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_client_connections_rejected_total", "reason=\"max_user_connections\""), 1);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_client_connections_open"), 4);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_client_connections_max"), 4);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_user_connections", "user=\"app\""), 2);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_user_connections_max", "user=\"app\""), 2);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_user_connections_max", "user=\"app2\""), 3);
  const json::object clients = clients_api();
  EXPECT_EQ(clients.at("connections").at("open").as_int64(), 4) << json::serialize(clients);
  EXPECT_EQ(clients.at("connections").at("max_client_connections").as_int64(), 4);
  EXPECT_EQ(clients.at("users").as_array().at(0).at("name").as_string(), "app");
  EXPECT_EQ(clients.at("users").as_array().at(0).at("sessions").as_int64(), 2);

  // A slot comes back when its session ends.
  a1.close();
  ASSERT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 3, 5s), 3);
  Client a4 = connect_as("app");
  ASSERT_TRUE(a4.connected()) << a4.describe_error();
  EXPECT_EQ(must_scalar(a4, "SELECT CURRENT_USER() LIKE 'app@%'"), "1");
  // COM_CHANGE_USER to a user with all its sessions is refused the same way; the session stays.
  EXPECT_NE(mysql_change_user(b2.get(), "app", "app-pass", "proxytest"), 0);
  EXPECT_EQ(b2.errnum(), 1040u) << b2.describe_error();
  EXPECT_EQ(must_scalar(b2, "SELECT CURRENT_USER() LIKE 'app2@%'"), "1");
  // Changing to app2 itself moves nothing; from app to app2 moves the session's slot.
  EXPECT_EQ(mysql_change_user(a4.get(), "app2", "app2-pass", "proxytest"), 0) << a4.describe_error();
  EXPECT_EQ(wait_metric("mysql_proxy_user_connections", "user=\"app2\"", 3, 5s), 3);
  EXPECT_EQ(metric("mysql_proxy_user_connections", "user=\"app\""), 1);
  Client a5 = connect_as("app");
  EXPECT_FALSE(a5.connected()) << "four open: the overall limit again";
  EXPECT_EQ(a5.errnum(), 1040u);

  // Everything closed: every count back to zero, and four fit again.
  for (Client* c : {&a2, &a4, &b1, &b2}) c->close();
  EXPECT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 0, 5s), 0);
  EXPECT_EQ(metric("mysql_proxy_user_connections"), 0);
  {
    std::vector<Client> again;
    for (const char* u : {"app", "app", "app2", "app2"}) {
      again.push_back(connect_as(u));
      EXPECT_TRUE(again.back().connected()) << again.back().describe_error();
    }
  }

  // A reload applies new limits to new connections.
  ProxyOptions raised = options;
  raised.limits = "{ max_client_connections: 6, max_user_connections: 3 }";
  raised.users = {"{ name: app, password: app-pass, max_connections: 3 }", "{ name: app2, password: app2-pass }"};
  ASSERT_TRUE(proxy_->rewrite_config(raised));
  const double reloads = metric("mysql_proxy_config_reloads_total", "result=\"success\"");
  proxy_->signal(SIGHUP);
  ASSERT_EQ(wait_metric("mysql_proxy_config_reloads_total", "result=\"success\"", reloads + 1, 5s), reloads + 1);
  ASSERT_EQ(wait_metric("mysql_proxy_client_connections_open", "", 0, 5s), 0);
  std::vector<Client> six;
  for (const char* u : {"app", "app", "app", "app2", "app2", "app2"}) {
    six.push_back(connect_as(u));
    EXPECT_TRUE(six.back().connected()) << u << ": " << six.back().describe_error();
  }
  Client seventh = connect_as("app2");
  EXPECT_EQ(seventh.errnum(), 1040u) << seventh.describe_error();
  EXPECT_EQ(seventh.error(), "Too many connections");
}

TEST_F(HostileInputTest, FailedLoginsBlockTheirSourceForTheBlockTime) {
  ProxyOptions options;
  options.limits = "{ login_failures: 3, login_failure_window: 60s, login_block_time: 3s }";
  START_OR_SKIP(options);
  const auto try_login = [&](const std::string& user, const std::string& password) {
    Client c;
    c.set_read_timeout(10);
    c.connect(proxy_->host(), proxy_->port(), user, password, "proxytest");
    return c;
  };
  Client before_block = open();
  ASSERT_TRUE(before_block.connected());

  // Two failures, then a good login: it goes through and resets nothing.
  EXPECT_EQ(try_login("app", "wrong-1").errnum(), 1045u);
  EXPECT_EQ(try_login("nobody", "x").errnum(), 1045u);
  EXPECT_TRUE(try_login("app", "app-pass").connected());
  // The third failure within the window blocks 127.0.0.1.
  EXPECT_EQ(try_login("app", "wrong-2").errnum(), 1045u);
  const auto blocked_at = Clock::now();
  for (const auto& [user, password] : {std::pair{"app", "app-pass"}, std::pair{"app2", "app2-pass"}}) {
    Client c = try_login(user, password);
    EXPECT_FALSE(c.connected()) << user;
    EXPECT_EQ(c.errnum(), 1129u) << c.describe_error();
    EXPECT_EQ(c.error(), "Host '127.0.0.1' is blocked because of many connection errors; unblock with "
                         "'mariadb-admin flush-hosts'");
  }
  // Sessions already open go on; their COM_CHANGE_USER is refused too, and the session stays.
  EXPECT_EQ(must_scalar(before_block, "SELECT 'open session'"), "open session");
  EXPECT_NE(mysql_change_user(before_block.get(), "app2", "app2-pass", "proxytest"), 0);
  EXPECT_EQ(before_block.errnum(), 1129u) << before_block.describe_error();
  EXPECT_EQ(must_scalar(before_block, "SELECT CURRENT_USER() LIKE 'app@%'"), "1");

  const std::string m = metrics();
  EXPECT_EQ(metric_sum(m, "mysql_proxy_login_failures_total", "reason=\"wrong_password\""), 2);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_login_failures_total", "reason=\"unknown_user\""), 1);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_logins_throttled_total"), 3);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_login_blocks_total"), 1);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_login_throttle_blocked_sources"), 1);
  EXPECT_EQ(metric_sum(m, "mysql_proxy_client_connections_rejected_total", "reason=\"login_throttled\""), 2);
  const json::object clients = clients_api();
  const auto& throttle = clients.at("login_throttle").as_object();
  ASSERT_EQ(throttle.at("sources").as_array().size(), 1u) << json::serialize(clients);
  const auto& source = throttle.at("sources").as_array().at(0).as_object();
  EXPECT_EQ(source.at("source").as_string(), "127.0.0.1");
  EXPECT_TRUE(source.at("blocked").as_bool());
  EXPECT_GT(source.at("blocked_for_seconds").as_double(), 0);

  // After the block time, logins work again.
  std::this_thread::sleep_until(blocked_at + 3200ms);
  Client after = try_login("app", "app-pass");
  EXPECT_TRUE(after.connected()) << after.describe_error();

  // Blocked again, then unblocked by the operator.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(try_login("app", "wrong").errnum(), 1045u);
  EXPECT_EQ(try_login("app", "app-pass").errnum(), 1129u);
  EXPECT_EQ(http_request("127.0.0.1", proxy_->admin_port(), "POST", "/api/v1/clients/unblock").status, 401);
  const HttpReply r = http_request("127.0.0.1", proxy_->admin_port(), "POST", "/api/v1/clients/unblock", kToken);
  EXPECT_EQ(r.status, 200) << r.body;
  Client unblocked = try_login("app", "app-pass");
  EXPECT_TRUE(unblocked.connected()) << unblocked.describe_error();
}

// Connections opened before their source was blocked must not go on guessing: the block is
// checked again when the handshake response arrives, before the password is.
TEST_F(HostileInputTest, ConnectionsOpenedBeforeABlockDoNotGoOnGuessing) {
  ProxyOptions options;
  options.limits = "{ login_failures: 3, login_failure_window: 60s, login_block_time: 60s }";
  START_OR_SKIP(options);
  constexpr int kConnections = 8;
  std::vector<RawConn> conns;
  std::vector<RawConn::Reply> greetings;
  for (int i = 0; i < kConnections; ++i) {
    conns.emplace_back(proxy_->port());
    ASSERT_TRUE(conns.back().ok());
    greetings.push_back(conns.back().read_packet());
    ASSERT_EQ(greetings.back().got, RawConn::Got::kPacket) << greetings.back().describe();
  }
  int denied = 0;
  int blocked = 0;
  for (int i = 0; i < kConnections; ++i) {
    // The last one even has the right password: a blocked source's guesses are not checked at all.
    const std::string password = i + 1 == kConnections ? "app-pass" : "wrong";
    ASSERT_TRUE(conns[i].send(frame(handshake_response(greetings[i], "app", password), 1)));
    const RawConn::Reply r = conns[i].read_packet();
    if (r.err_code() == 1045) {
      ++denied;
    } else if (r.err_code() == 1129) {
      ++blocked;
    } else {
      ADD_FAILURE() << "connection " << i << ": " << r.describe();
    }
  }
  EXPECT_EQ(denied, 3) << "guesses checked";
  EXPECT_EQ(blocked, kConnections - 3);
  // (counted just after the ERR went out: waited for)
  EXPECT_EQ(wait_metric("mysql_proxy_client_connections_rejected_total", "reason=\"login_throttled\"", kConnections - 3, 5s),
            kConnections - 3);
}

TEST_F(HostileInputTest, AnExemptNetworkIsNeverBlockedAndZeroTurnsTheThrottleOff) {
  ProxyOptions options;
  options.limits = "{ login_failures: 2, login_throttle_exempt: [10.0.0.0/8, 127.0.0.0/8] }";
  START_OR_SKIP(options);
  const auto try_login = [&](const std::string& password) {
    Client c;
    c.set_read_timeout(10);
    c.connect(proxy_->host(), proxy_->port(), "app", password, "proxytest");
    return c;
  };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(try_login("wrong").errnum(), 1045u);
  EXPECT_TRUE(try_login("app-pass").connected());
  EXPECT_EQ(metric("mysql_proxy_login_failures_total", "reason=\"wrong_password\""), 5) << "counted, not blocked";
  EXPECT_EQ(metric("mysql_proxy_login_throttle_sources"), 0);

  // Not exempt any more (a reload), blocked at the second failure; login_failures: 0 lifts it.
  ProxyOptions strict = options;
  strict.limits = "{ login_failures: 2 }";
  ASSERT_TRUE(proxy_->rewrite_config(strict));
  proxy_->signal(SIGHUP);
  ASSERT_EQ(wait_metric("mysql_proxy_config_reloads_total", "result=\"success\"", 1, 5s), 1);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(try_login("wrong").errnum(), 1045u);
  EXPECT_EQ(try_login("app-pass").errnum(), 1129u);
  ProxyOptions off = options;
  off.limits = "{ login_failures: 0 }";
  ASSERT_TRUE(proxy_->rewrite_config(off));
  proxy_->signal(SIGHUP);
  ASSERT_EQ(wait_metric("mysql_proxy_config_reloads_total", "result=\"success\"", 2, 5s), 2);
  EXPECT_TRUE(try_login("app-pass").connected());
}

}  // namespace
}  // namespace itest
