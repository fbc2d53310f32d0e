// AdminServer over real loopback sockets, driven by a small Beast client. Every client read has
// a timeout, so a server that hangs fails the test instead of hanging it.
#include "proxy/admin/admin_server.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

namespace mysqlproxy::proxy::admin {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using Response = http::response<http::string_body>;

constexpr auto kClientTimeout = 5s;

class Client {
 public:
  // To the server on 127.0.0.1; from `source` when given (a local address of another interface
  // makes the server see a peer that is not loopback).
  error_code connect(std::uint16_t port, std::optional<asio::ip::address_v4> source = std::nullopt) {
    error_code ec;
    if (source) {
      socket_.open(tcp::v4(), ec);
      if (!ec) socket_.bind(tcp::endpoint(*source, 0), ec);
      if (ec) return ec;
    }
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    return ec;
  }

  error_code write_raw(std::string_view bytes) {
    error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    return ec;
  }

  error_code send(http::verb method, std::string target, std::string body = "", std::string auth = "",
                  bool keep_alive = true) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!auth.empty()) req.set(http::field::authorization, auth);
    req.body() = std::move(body);
    req.keep_alive(keep_alive);
    req.prepare_payload();
    error_code ec;
    http::write(socket_, req, ec);
    return ec;
  }

  // Reads one response; ec is asio::error::timed_out when nothing complete came in time.
  std::pair<error_code, Response> read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);  // a HEAD response announces a length but carries no body
    error_code result = asio::error::timed_out;
    bool done = false;
    http::async_read(socket_, buffer_, parser, [&](error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    run_until(done);
    return {result, parser.release()};
  }

  // Waits for the server to close: true on EOF or reset, false on data or timeout.
  bool closed_by_peer() {
    std::array<char, 64> sink;
    error_code result = asio::error::timed_out;
    bool done = false;
    socket_.async_read_some(asio::buffer(sink), [&](error_code ec, std::size_t) {
      result = ec ? ec : asio::error::message_size;  // any data at all is wrong here
      done = true;
    });
    run_until(done);
    return result == asio::error::eof || result == asio::error::connection_reset;
  }

  Response request(http::verb method, std::string target, std::string body = "", std::string auth = "") {
    EXPECT_FALSE(send(method, std::move(target), std::move(body), std::move(auth)));
    auto [ec, res] = read(method == http::verb::head);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  std::size_t buffered() const { return buffer_.size(); }
  void close() {
    error_code ignored;
    socket_.close(ignored);
  }

 private:
  void run_until(bool& done) {
    io_.restart();
    io_.run_for(kClientTimeout);
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();
      done = false;
    }
  }

  asio::io_context io_;
  tcp::socket socket_{io_};
  beast::flat_buffer buffer_;
};

// An IPv4 address of this host that is not loopback, if it has one.
std::optional<asio::ip::address_v4> non_loopback_address() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  std::optional<asio::ip::address_v4> found;
  for (ifaddrs* i = list; i != nullptr && !found; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    const asio::ip::address_v4 a(ntohl(in->sin_addr.s_addr));
    if (!a.is_loopback()) found = a;
  }
  ::freeifaddrs(list);
  return found;
}

void expect_common_headers(const Response& res) {
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res[http::field::cache_control], "no-store");
  EXPECT_EQ(res[http::field::server], "mysql-proxy");
  EXPECT_EQ(res[http::field::content_length], std::to_string(res.body().size()));
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<AdminRouter>("t0ken");
    add_routes(*router);
    router_ = router;
  }

  void add_routes(AdminRouter& router) {
    router.add("GET", "/api/v1/ping", [](const AdminRequest&, const AdminRouter::Params&) {
      return json_response(200, boost::json::object{{"pong", true}});
    }, AdminAccess::kOpen);
    router.add("GET", "/api/v1/backends/{name}", [](const AdminRequest&, const AdminRouter::Params& p) {
      return json_response(200, boost::json::object{{"name", p.at("name")}});
    }, AdminAccess::kOpen);
    router.add("POST", "/api/v1/echo", [this](const AdminRequest& r, const AdminRouter::Params&) {
      ++posts;
      return json_response(200, boost::json::object{{"body", r.body}});
    }, AdminAccess::kAdmin);
    router.add("GET", "/api/v1/boom", [](const AdminRequest&, const AdminRouter::Params&) -> AdminResponse {
      throw std::runtime_error("kaboom");
    }, AdminAccess::kOpen);
    // Tells what the server made of the peer.
    router.add("GET", "/api/v1/secret", [](const AdminRequest& r, const AdminRouter::Params&) {
      return json_response(200, boost::json::object{{"loopback", r.peer && is_loopback(*r.peer)}});
    }, AdminAccess::kRead);
  }

  AdminServer& start(AdminServerOptions options = {}) {
    options.max_body_bytes = options.max_body_bytes == (1 << 20) ? 1024 : options.max_body_bytes;
    server_ = std::make_unique<AdminServer>(options, router_);
    const auto ec = server_->listen();
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_NE(server_->bound_port(), 0);
    server_->start();
    return *server_;
  }

  std::uint16_t port() const { return server_->bound_port(); }

  std::atomic<int> posts{0};
  std::shared_ptr<AdminRouter> router_;
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, GetOverLoopback) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  const auto res = c.request(http::verb::get, "/api/v1/ping");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"pong":true})");
  expect_common_headers(res);
  EXPECT_TRUE(res.keep_alive());
}

TEST_F(AdminServerTest, PathParameterAndErrorsOverLoopback) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  auto res = c.request(http::verb::get, "/api/v1/backends/db%2D7?x=1");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"name":"db-7"})");

  res = c.request(http::verb::get, "/nope");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(), R"({"error":{"status":404,"message":"no such endpoint"}})");
  expect_common_headers(res);

  res = c.request(http::verb::delete_, "/api/v1/ping");
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(res[http::field::allow], "GET, HEAD");
  expect_common_headers(res);

  res = c.request(http::verb::get, "/api/v1/boom");  // the connection survives a failing handler
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res.body(), R"({"error":{"status":500,"message":"internal error"}})");
  EXPECT_TRUE(res.keep_alive());
}

TEST_F(AdminServerTest, PostWithAndWithoutToken) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  auto res = c.request(http::verb::post, "/api/v1/echo", "hello", "Bearer t0ken");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"body":"hello"})");
  expect_common_headers(res);

  // A refused request's body is never read: the answer closes the connection.
  Client anonymous;
  ASSERT_FALSE(anonymous.connect(port()));
  res = anonymous.request(http::verb::post, "/api/v1/echo", "hello");
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res[http::field::www_authenticate], "Bearer");
  expect_common_headers(res);
  EXPECT_FALSE(res.keep_alive());

  Client wrong;
  ASSERT_FALSE(wrong.connect(port()));
  res = wrong.request(http::verb::post, "/api/v1/echo", "hello", "Bearer nope");
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(posts.load(), 1);
}

TEST_F(AdminServerTest, HeadAnnouncesLengthWithoutBody) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  auto res = c.request(http::verb::head, "/api/v1/ping");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[http::field::content_length], "13");  // {"pong":true}
  EXPECT_EQ(res.body(), "");
  EXPECT_EQ(c.buffered(), 0u);  // no stray body bytes on the wire
  // and the connection is still in sync for the next request
  res = c.request(http::verb::get, "/api/v1/ping");
  EXPECT_EQ(res.body(), R"({"pong":true})");
}

TEST_F(AdminServerTest, KeepAliveTwoRequestsOnOneConnection) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  auto res = c.request(http::verb::post, "/api/v1/echo", "one", "Bearer t0ken");
  EXPECT_EQ(res.body(), R"({"body":"one"})");
  EXPECT_TRUE(res.keep_alive());
  res = c.request(http::verb::post, "/api/v1/echo", "two", "Bearer t0ken");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"body":"two"})");
  EXPECT_EQ(posts.load(), 2);
}

TEST_F(AdminServerTest, ConnectionCloseIsHonoured) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  ASSERT_FALSE(c.send(http::verb::get, "/api/v1/ping", "", "", /*keep_alive=*/false));
  auto [ec, res] = c.read();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(AdminServerTest, OversizedBodyIs413) {
  start();  // max_body_bytes = 1024
  Client c;
  ASSERT_FALSE(c.connect(port()));
  ASSERT_FALSE(c.send(http::verb::post, "/api/v1/echo", std::string(1025, 'x'), "Bearer t0ken"));
  auto [ec, res] = c.read();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res.body(), R"({"error":{"status":413,"message":"request body too large"}})");
  expect_common_headers(res);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(posts.load(), 0);

  Client ok;  // exactly at the limit is fine
  ASSERT_FALSE(ok.connect(port()));
  res = ok.request(http::verb::post, "/api/v1/echo", std::string(1024, 'x'), "Bearer t0ken");
  EXPECT_EQ(res.result_int(), 200);
}

TEST_F(AdminServerTest, ChunkedOversizedBodyIs413) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  const std::string chunk(800, 'y');
  ASSERT_FALSE(c.write_raw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto [ec, res] = c.read();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(posts.load(), 0);
}

TEST_F(AdminServerTest, GarbageIs400AndClose) {
  start();
  for (std::string_view garbage : {std::string_view("this is not http at all\r\n\r\n"),
                                   std::string_view("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15),
                                   std::string_view("GET /api/v1/ping HTTP/1.1\r\nHost x\r\n\r\n")}) {
    Client c;
    ASSERT_FALSE(c.connect(port()));
    ASSERT_FALSE(c.write_raw(garbage));
    auto [ec, res] = c.read();
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(res.body(), R"({"error":{"status":400,"message":"malformed HTTP request"}})");
    expect_common_headers(res);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(c.closed_by_peer());
  }
}

TEST_F(AdminServerTest, ExpectContinueGetsInterimResponse) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  ASSERT_FALSE(c.write_raw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\n"
                           "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  auto [ec, interim] = c.read();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(interim.result_int(), 100);
  ASSERT_FALSE(c.write_raw("hi"));
  auto [ec2, res] = c.read();
  ASSERT_FALSE(ec2) << ec2.message();
  EXPECT_EQ(res.body(), R"({"body":"hi"})");
}

TEST_F(AdminServerTest, SlowClientDoesNotBlockOthersAndTimesOut) {
  AdminServerOptions options;
  options.request_timeout = 300ms;
  start(options);
  Client slow;
  ASSERT_FALSE(slow.connect(port()));
  ASSERT_FALSE(slow.write_raw("GET /api/v1/ping HTTP/1.1\r\nHost:"));  // and then nothing

  Client fast;
  ASSERT_FALSE(fast.connect(port()));
  const auto t0 = std::chrono::steady_clock::now();
  const auto res = fast.request(http::verb::get, "/api/v1/ping");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 250ms);

  EXPECT_TRUE(slow.closed_by_peer());  // the deadline closed it
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST_F(AdminServerTest, ARefusedRequestIsAnsweredBeforeItsBody) {
  AdminServerOptions options;
  options.request_timeout = 3s;
  start(options);
  Client c;
  ASSERT_FALSE(c.connect(port()));
  // The headers announce 1000 bytes that never come: the refusal must not wait for them.
  ASSERT_FALSE(c.write_raw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  auto [ec, res] = c.read();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res[http::field::www_authenticate], "Bearer");
  expect_common_headers(res);
  EXPECT_FALSE(res.keep_alive()) << "the unread body makes the connection unusable";
  EXPECT_TRUE(c.closed_by_peer());

  Client wrong;  // a wrong token: the same, 403
  ASSERT_FALSE(wrong.connect(port()));
  ASSERT_FALSE(wrong.write_raw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n"
                               "Content-Length: 1000\r\n\r\n"));
  auto [wrong_ec, wrong_res] = wrong.read();
  ASSERT_FALSE(wrong_ec) << wrong_ec.message();
  EXPECT_EQ(wrong_res.result_int(), 403);
  EXPECT_EQ(posts.load(), 0);
}

TEST_F(AdminServerTest, ExpectContinueWithoutTheTokenGetsTheRefusalInstead) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  ASSERT_FALSE(c.write_raw("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
                           "Expect: 100-continue\r\n\r\n"));
  auto [ec, res] = c.read();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 401) << "no 100 Continue for a body nobody may send";
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(posts.load(), 0);
}

TEST_F(AdminServerTest, ARefusedRequestWithoutBodyKeepsTheConnection) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  auto res = c.request(http::verb::get, "/api/v1/secret");  // an admin token is set: needed here too
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_TRUE(res.keep_alive());
  res = c.request(http::verb::get, "/api/v1/secret", "", "Bearer t0ken");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"loopback":true})");
  res = c.request(http::verb::get, "/nope");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_TRUE(res.keep_alive());
}

TEST_F(AdminServerTest, WithoutTokensReadsAnswerLoopbackPeersOnly) {
  auto open_router = std::make_shared<AdminRouter>("", "");
  add_routes(*open_router);
  router_ = open_router;
  start();
  Client local;
  ASSERT_FALSE(local.connect(port()));
  auto res = local.request(http::verb::get, "/api/v1/secret");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"loopback":true})");

  const auto outside = non_loopback_address();
  if (!outside) GTEST_SKIP() << "this host has no IPv4 address besides loopback";
  Client remote;  // to 127.0.0.1, from another interface's address: the server sees a remote peer
  ASSERT_FALSE(remote.connect(port(), *outside)) << outside->to_string();
  res = remote.request(http::verb::get, "/api/v1/secret");
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_NE(res.body().find("read_token"), std::string::npos) << res.body();
  res = remote.request(http::verb::get, "/api/v1/ping");  // open routes stay open
  EXPECT_EQ(res.result_int(), 200);
}

TEST_F(AdminServerTest, ConnectionsOverTheLimitAreClosedAtOnce) {
  AdminServerOptions options;
  options.max_connections = 3;
  start(options);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>());
    ASSERT_FALSE(held.back()->connect(port()));
    EXPECT_EQ(held.back()->request(http::verb::get, "/api/v1/ping").result_int(), 200);  // served, so counted
  }
  Client extra;
  ASSERT_FALSE(extra.connect(port()));  // the kernel completes the handshake; the server closes it
  EXPECT_TRUE(extra.closed_by_peer());
  // The ones it holds are still served.
  EXPECT_EQ(held[0]->request(http::verb::get, "/api/v1/ping").result_int(), 200);

  held[2]->close();  // a slot comes free
  bool served = false;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    Client next;
    ASSERT_FALSE(next.connect(port()));
    if (next.send(http::verb::get, "/api/v1/ping")) continue;
    auto [ec, res] = next.read();
    served = !ec && res.result_int() == 200;
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served) << "a freed slot was never given to a new connection";
}

TEST_F(AdminServerTest, StopWithIdleKeepAliveConnectionIsQuick) {
  start();
  Client c;
  ASSERT_FALSE(c.connect(port()));
  const auto res = c.request(http::verb::get, "/api/v1/ping");
  ASSERT_EQ(res.result_int(), 200);
  ASSERT_TRUE(res.keep_alive());

  const auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 1s);
  EXPECT_LT(took, 500ms) << "stop() needed the forced fallback";
  EXPECT_TRUE(c.closed_by_peer());
  server_->stop();  // idempotent

  Client late;  // the listener is gone
  EXPECT_TRUE(late.connect(port()));
}

TEST_F(AdminServerTest, StopWithoutStartAndDestructorAreSafe) {
  auto server = std::make_unique<AdminServer>(AdminServerOptions{}, router_);
  ASSERT_FALSE(server->listen());
  server->stop();
  server->stop();
  server.reset();
  AdminServer never_listened(AdminServerOptions{}, router_);
}

TEST_F(AdminServerTest, ListenOnBusyPortFails) {
  asio::io_context io;
  tcp::acceptor busy(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  AdminServerOptions options;
  options.port = busy.local_endpoint().port();
  AdminServer server(options, router_);
  const auto ec = server.listen();
  EXPECT_EQ(ec, asio::error::address_in_use) << ec.message();
}

TEST_F(AdminServerTest, ListenOnBadAddressFails) {
  AdminServerOptions options;
  options.address = "not-an-ip";
  AdminServer server(options, router_);
  EXPECT_TRUE(server.listen());
}

}  // namespace
}  // namespace mysqlproxy::proxy::admin
