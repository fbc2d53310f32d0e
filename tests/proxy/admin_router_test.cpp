// AdminRouter: dispatch, parameters, HEAD, 404/405, bearer-token rules and error bodies, all
// without sockets.
#include "proxy/admin/admin_router.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace mysqlproxy::proxy::admin {
namespace {

AdminRequest req(std::string method, std::string target, std::string authorization = "", std::string body = "") {
  return AdminRequest{std::move(method), std::move(target), std::move(authorization), std::move(body)};
}

std::string header_or(const AdminResponse& r, std::string_view name, std::string fallback = "<absent>") {
  const auto* v = r.header(name);
  return v != nullptr ? *v : fallback;
}

// Echoes the route name and the parameters, so each test can see what matched.
AdminRouter::Handler named(std::string name) {
  return [name](const AdminRequest& r, const AdminRouter::Params& p) {
    boost::json::object o;
    o["route"] = name;
    o["method"] = r.method;
    boost::json::object params;
    for (const auto& [k, v] : p) params[k] = v;
    o["params"] = std::move(params);
    return json_response(200, o);
  };
}

class AdminRouterTest : public ::testing::Test {
 protected:
  AdminRouterTest() : router("s3cret") {
    router.add("GET", "/api/v1/status", named("status"), AdminAccess::kOpen);
    router.add("GET", "/api/v1/backends", named("backends"), AdminAccess::kOpen);
    router.add("GET", "/api/v1/backends/{name}", named("backend"), AdminAccess::kOpen);
    router.add("GET", "/api/v1/backends/stats", named("stats"), AdminAccess::kOpen);
    router.add("POST", "/api/v1/backends/{name}/drain", named("drain"), AdminAccess::kAdmin);
    router.add("DELETE", "/api/v1/backends/{name}/drain", named("undrain"), AdminAccess::kAdmin);
    router.add("POST", "/api/v1/reload", named("reload"), AdminAccess::kAdmin);
    router.add("GET", "/api/v1/boom", [](const AdminRequest&, const AdminRouter::Params&) -> AdminResponse {
      throw std::runtime_error("kaboom");
    }, AdminAccess::kOpen);
    router.add("GET", "/api/v1/weird", [](const AdminRequest&, const AdminRouter::Params&) -> AdminResponse {
      throw 42;
    }, AdminAccess::kOpen);
  }
  AdminRouter router;
};

TEST_F(AdminRouterTest, ExactMatch) {
  const auto r = router.handle(req("GET", "/api/v1/status"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"route":"status","method":"GET","params":{}})");
}

TEST_F(AdminRouterTest, ExtractsParameter) {
  const auto r = router.handle(req("GET", "/api/v1/backends/db-1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"route":"backend","method":"GET","params":{"name":"db-1"}})");
}

TEST_F(AdminRouterTest, PercentDecodesParameter) {
  const auto r = router.handle(req("GET", "/api/v1/backends/db%201%2Fa%3a%2b+"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"route":"backend","method":"GET","params":{"name":"db 1/a:++"}})");
}

TEST_F(AdminRouterTest, MalformedPercentEncodingIs400) {
  for (const char* target : {"/api/v1/backends/db%2", "/api/v1/backends/db%zz", "/api/v1/backends/%"}) {
    const auto r = router.handle(req("GET", target));
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(r.body, R"({"error":{"status":400,"message":"malformed percent-encoding in path parameter 'name'"}})")
        << target;
  }
}

TEST_F(AdminRouterTest, LiteralSegmentBeatsParameter) {
  const auto r = router.handle(req("GET", "/api/v1/backends/stats"));
  EXPECT_EQ(r.body, R"({"route":"stats","method":"GET","params":{}})");
}

TEST_F(AdminRouterTest, UnknownPathIs404) {
  for (const char* target : {"/", "/api", "/api/v1/nope", "/api/v1/status/extra", "/api/v1/backends//drain",
                             "/api//v1/status", "/API/v1/status"}) {
    const auto r = router.handle(req("GET", target));
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body, R"({"error":{"status":404,"message":"no such endpoint"}})") << target;
  }
}

TEST_F(AdminRouterTest, NonPathTargetIs400) {
  const auto r = router.handle(req("GET", "http://example.com/api/v1/status"));
  EXPECT_EQ(r.status, 400);
}

TEST_F(AdminRouterTest, WrongMethodIs405WithAllow) {
  auto r = router.handle(req("PUT", "/api/v1/backends/db-1/drain"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header_or(r, "allow"), "DELETE, POST");
  EXPECT_EQ(r.body, R"({"error":{"status":405,"message":"method not allowed"}})");

  r = router.handle(req("POST", "/api/v1/status"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header_or(r, "Allow"), "GET, HEAD");

  r = router.handle(req("get", "/api/v1/status"));  // methods are case-sensitive
  EXPECT_EQ(r.status, 405);
}

TEST_F(AdminRouterTest, HeadIsGetWithoutBody) {
  const auto head = router.handle(req("HEAD", "/api/v1/backends/db-1"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.content_type, "application/json");
  // The GET handler ran (it sees the real method); its body's length is kept for the server.
  const std::string would_send = R"({"route":"backend","method":"HEAD","params":{"name":"db-1"}})";
  EXPECT_EQ(header_or(head, "Content-Length"), std::to_string(would_send.size()));

  const auto missing = router.handle(req("HEAD", "/api/v1/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "");

  const auto post_only = router.handle(req("HEAD", "/api/v1/reload"));
  EXPECT_EQ(post_only.status, 405);
  EXPECT_EQ(header_or(post_only, "Allow"), "POST");
}

TEST_F(AdminRouterTest, TrailingSlashTolerated) {
  EXPECT_EQ(router.handle(req("GET", "/api/v1/status/")).body, R"({"route":"status","method":"GET","params":{}})");
  EXPECT_EQ(router.handle(req("GET", "/api/v1/backends/db-1/")).body,
            R"({"route":"backend","method":"GET","params":{"name":"db-1"}})");
  EXPECT_EQ(router.handle(req("GET", "/api/v1/status//")).status, 404);  // only one
}

TEST_F(AdminRouterTest, QueryStringIgnored) {
  EXPECT_EQ(router.handle(req("GET", "/api/v1/status?verbose=1&x=/y")).body,
            R"({"route":"status","method":"GET","params":{}})");
  EXPECT_EQ(router.handle(req("GET", "/api/v1/backends/db-1/?a=b")).body,
            R"({"route":"backend","method":"GET","params":{"name":"db-1"}})");
  EXPECT_EQ(router.handle(req("GET", "/api/v1/nope?/api/v1/status")).status, 404);
}

TEST_F(AdminRouterTest, TokenRight200) {
  const auto r = router.handle(req("POST", "/api/v1/backends/db%2D1/drain", "Bearer s3cret"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"route":"drain","method":"POST","params":{"name":"db-1"}})");
  // The scheme is case-insensitive; surrounding spaces are tolerated.
  EXPECT_EQ(router.handle(req("POST", "/api/v1/reload", "bearer   s3cret ")).status, 200);
}

TEST_F(AdminRouterTest, TokenMissingOrMalformed401) {
  for (const char* auth : {"", "Bearer", "Bearer ", "Basic czNjcmV0", "Bearers3cret", "Bearer s3cret extra",
                           "s3cret"}) {
    const auto r = router.handle(req("POST", "/api/v1/reload", auth));
    EXPECT_EQ(r.status, 401) << auth;
    EXPECT_EQ(header_or(r, "WWW-Authenticate"), "Bearer") << auth;
    EXPECT_EQ(r.body, R"({"error":{"status":401,"message":"missing or malformed bearer token"}})") << auth;
  }
}

TEST_F(AdminRouterTest, TokenWrong403) {
  for (const char* auth : {"Bearer s3creT", "Bearer s3cre", "Bearer s3crets", "Bearer x"}) {
    const auto r = router.handle(req("POST", "/api/v1/reload", auth));
    EXPECT_EQ(r.status, 403) << auth;
    EXPECT_EQ(r.body, R"({"error":{"status":403,"message":"invalid admin token"}})") << auth;
    EXPECT_EQ(r.header("WWW-Authenticate"), nullptr);
  }
}

TEST_F(AdminRouterTest, TokenCheckedBeforeParameters) {
  // Without credentials a caller learns nothing from the parameter either.
  EXPECT_EQ(router.handle(req("POST", "/api/v1/backends/%zz/drain")).status, 401);
  EXPECT_EQ(router.handle(req("POST", "/api/v1/backends/%zz/drain", "Bearer s3cret")).status, 400);
}

TEST_F(AdminRouterTest, TokenNotConfigured403) {
  AdminRouter off("");
  off.add("POST", "/api/v1/reload", named("reload"), AdminAccess::kAdmin);
  off.add("GET", "/api/v1/status", named("status"), AdminAccess::kOpen);
  for (const char* auth : {"", "Bearer ", "Bearer anything"}) {
    const auto r = off.handle(req("POST", "/api/v1/reload", auth));
    EXPECT_EQ(r.status, 403) << auth;
    EXPECT_EQ(r.body, R"({"error":{"status":403,"message":"admin token not configured"}})");
  }
  EXPECT_EQ(off.handle(req("GET", "/api/v1/status")).status, 200);  // open routes still work
}

TEST_F(AdminRouterTest, SetTokenTakesEffect) {
  router.set_tokens("n3w", "");
  EXPECT_EQ(router.handle(req("POST", "/api/v1/reload", "Bearer s3cret")).status, 403);
  EXPECT_EQ(router.handle(req("POST", "/api/v1/reload", "Bearer n3w")).status, 200);
  router.set_tokens("", "");
  const auto r = router.handle(req("POST", "/api/v1/reload", "Bearer n3w"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"error":{"status":403,"message":"admin token not configured"}})");
}

TEST_F(AdminRouterTest, SetTokenConcurrentWithHandle) {
  // A reload swaps the token while requests are served: each sees the old or the new one.
  std::atomic<bool> done{false};
  std::thread reloader([&] {
    for (int i = 0; i < 2000; ++i) router.set_tokens(i % 2 == 0 ? "n3w" : "s3cret", "");
    done = true;
  });
  int ok = 0;
  int denied = 0;
  while (!done) {
    const int status = router.handle(req("POST", "/api/v1/reload", "Bearer s3cret")).status;
    ASSERT_TRUE(status == 200 || status == 403) << status;
    (status == 200 ? ok : denied)++;
  }
  reloader.join();
  EXPECT_EQ(router.handle(req("POST", "/api/v1/reload", "Bearer s3cret")).status, 200);  // last write wins
}

// ---- who may read: AdminAccess::kRead

config::IpBytes ip(std::string_view text) {
  const auto bytes = config::parse_ip_address(text);
  EXPECT_TRUE(bytes) << text;
  return bytes.value_or(config::IpBytes{});
}

AdminRequest from(std::optional<config::IpBytes> peer, std::string method, std::string target,
                  std::string authorization = "") {
  AdminRequest r = req(std::move(method), std::move(target), std::move(authorization));
  r.peer = peer;
  return r;
}

constexpr std::string_view kNoReadToken =
    R"({"error":{"status":403,"message":"no read token configured: set admin.read_token (or read_token_env, )"
    R"(read_token_file) and send it as 'Authorization: Bearer <token>'; without one only loopback clients may read"}})";

class AdminReadAccessTest : public ::testing::Test {
 protected:
  // The admin API's three kinds of route.
  static void add_routes(AdminRouter& r) {
    r.add("GET", "/healthz", named("healthz"), AdminAccess::kOpen);
    r.add("GET", "/api/v1/config", named("config"), AdminAccess::kRead);
    r.add("GET", "/api/v1/backends/{name}", named("backend"), AdminAccess::kRead);
    r.add("POST", "/api/v1/reload", named("reload"), AdminAccess::kAdmin);
  }
};

TEST_F(AdminReadAccessTest, WithoutAnyTokenOnlyLoopbackPeersRead) {
  AdminRouter router("", "");
  add_routes(router);
  for (const char* loopback : {"127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "::ffff:127.0.0.1"}) {
    const auto r = router.handle(from(ip(loopback), "GET", "/api/v1/config"));
    EXPECT_EQ(r.status, 200) << loopback;
    EXPECT_EQ(r.body, R"({"route":"config","method":"GET","params":{}})") << loopback;
  }
  for (const char* other : {"192.0.2.2", "10.0.0.1", "128.0.0.1", "126.255.255.255", "0.0.0.0", "::", "::2",
                            "fd00::2", "::ffff:10.0.0.1", "::127.0.0.1", "fe80::1"}) {
    for (const char* auth : {"", "Bearer anything"}) {
      const auto r = router.handle(from(ip(other), "GET", "/api/v1/config", auth));
      EXPECT_EQ(r.status, 403) << other;
      EXPECT_EQ(r.body, kNoReadToken) << other;
      EXPECT_EQ(r.header("WWW-Authenticate"), nullptr);
    }
  }
  // An unknown peer is not a loopback one.
  EXPECT_EQ(router.handle(req("GET", "/api/v1/config")).status, 403);
  // Refused before its parameter is looked at, like a token check.
  EXPECT_EQ(router.handle(from(ip("192.0.2.2"), "GET", "/api/v1/backends/%zz")).status, 403);
  EXPECT_EQ(router.handle(from(ip("127.0.0.1"), "GET", "/api/v1/backends/%zz")).status, 400);
  // The probes' routes are open to anyone; POSTs stay off without the admin token, loopback or not.
  EXPECT_EQ(router.handle(from(ip("192.0.2.2"), "GET", "/healthz")).status, 200);
  EXPECT_EQ(router.handle(req("GET", "/healthz")).status, 200);
  const auto post = router.handle(from(ip("127.0.0.1"), "POST", "/api/v1/reload", "Bearer x"));
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(post.body, R"({"error":{"status":403,"message":"admin token not configured"}})");
}

TEST_F(AdminReadAccessTest, AConfiguredReadTokenIsRequiredFromEveryPeer) {
  AdminRouter router("adm1n", "r3ad");
  add_routes(router);
  for (const char* peer : {"127.0.0.1", "::1", "192.0.2.2"}) {
    const auto missing = router.handle(from(ip(peer), "GET", "/api/v1/config"));
    EXPECT_EQ(missing.status, 401) << peer;
    EXPECT_EQ(header_or(missing, "WWW-Authenticate"), "Bearer") << peer;
    EXPECT_EQ(missing.body, R"({"error":{"status":401,"message":"missing or malformed bearer token"}})");
    for (const char* wrong : {"Bearer r3a", "Bearer r3adx", "Bearer R3AD", "Bearer adm1"}) {
      EXPECT_EQ(router.handle(from(ip(peer), "GET", "/api/v1/config", wrong)).status, 403) << peer << " " << wrong;
    }
    EXPECT_EQ(router.handle(from(ip(peer), "GET", "/api/v1/config", "Bearer adm1n r3ad")).status, 401) << peer;
    EXPECT_EQ(router.handle(from(ip(peer), "GET", "/api/v1/config", "Basic cjNhZA==")).status, 401) << peer;
    EXPECT_EQ(router.handle(from(ip(peer), "GET", "/api/v1/config", "Bearer r3ad")).status, 200) << peer;
    EXPECT_EQ(router.handle(from(ip(peer), "GET", "/api/v1/config", "Bearer adm1n")).status, 200) << peer;
    EXPECT_EQ(router.handle(from(ip(peer), "GET", "/healthz")).status, 200) << peer;
  }
  const auto wrong = router.handle(from(ip("127.0.0.1"), "GET", "/api/v1/config", "Bearer nope"));
  EXPECT_EQ(wrong.body, R"({"error":{"status":403,"message":"invalid admin token"}})");
  // The read token opens reads only.
  const auto post = router.handle(from(ip("127.0.0.1"), "POST", "/api/v1/reload", "Bearer r3ad"));
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(post.body, R"({"error":{"status":403,"message":"invalid admin token"}})");
  EXPECT_EQ(router.handle(from(ip("127.0.0.1"), "POST", "/api/v1/reload", "Bearer adm1n")).status, 200);
}

TEST_F(AdminReadAccessTest, EitherTokenAloneClosesReadsToLoopbackWithoutIt) {
  AdminRouter admin_only("adm1n", "");
  add_routes(admin_only);
  EXPECT_EQ(admin_only.handle(from(ip("127.0.0.1"), "GET", "/api/v1/config")).status, 401);
  EXPECT_EQ(admin_only.handle(from(ip("192.0.2.2"), "GET", "/api/v1/config", "Bearer adm1n")).status, 200);

  AdminRouter read_only("", "r3ad");
  add_routes(read_only);
  EXPECT_EQ(read_only.handle(from(ip("127.0.0.1"), "GET", "/api/v1/config")).status, 401);
  EXPECT_EQ(read_only.handle(from(ip("192.0.2.2"), "GET", "/api/v1/config", "Bearer r3ad")).status, 200);
  const auto post = read_only.handle(from(ip("127.0.0.1"), "POST", "/api/v1/reload", "Bearer r3ad"));
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(post.body, R"({"error":{"status":403,"message":"admin token not configured"}})");
}

TEST_F(AdminReadAccessTest, SetTokensChangesBoth) {
  AdminRouter router("", "");
  add_routes(router);
  const auto outside = ip("192.0.2.2");
  const auto local = ip("127.0.0.1");
  EXPECT_EQ(router.handle(from(local, "GET", "/api/v1/config")).status, 200);
  router.set_tokens("", "r3ad");
  EXPECT_EQ(router.handle(from(local, "GET", "/api/v1/config")).status, 401);
  EXPECT_EQ(router.handle(from(outside, "GET", "/api/v1/config", "Bearer r3ad")).status, 200);
  router.set_tokens("adm1n", "n3w");
  EXPECT_EQ(router.handle(from(outside, "GET", "/api/v1/config", "Bearer r3ad")).status, 403);
  EXPECT_EQ(router.handle(from(outside, "GET", "/api/v1/config", "Bearer n3w")).status, 200);
  EXPECT_EQ(router.handle(from(outside, "POST", "/api/v1/reload", "Bearer adm1n")).status, 200);
  router.set_tokens("", "");
  EXPECT_EQ(router.handle(from(outside, "GET", "/api/v1/config", "Bearer n3w")).status, 403);
  EXPECT_EQ(router.handle(from(local, "GET", "/api/v1/config")).status, 200);
}

TEST_F(AdminReadAccessTest, RefusalIsWhatHandleSaysWithoutRunningTheHandler) {
  int calls = 0;
  AdminRouter router("adm1n", "");
  router.add("POST", "/api/v1/echo", [&calls](const AdminRequest&, const AdminRouter::Params&) {
    ++calls;
    return json_response(200, boost::json::object{{"ok", true}});
  }, AdminAccess::kAdmin);
  router.add("GET", "/api/v1/config", named("config"), AdminAccess::kRead);
  for (const AdminRequest& r : {req("POST", "/api/v1/echo"), req("POST", "/api/v1/echo", "Bearer x"),
                                req("GET", "/api/v1/echo"), req("POST", "/nope"), req("POST", "nope"),
                                req("HEAD", "/api/v1/config")}) {
    const auto refused = router.refusal(r);
    ASSERT_TRUE(refused) << r.method << " " << r.target;
    const auto handled = router.handle(r);
    EXPECT_EQ(refused->status, handled.status) << r.target;
    EXPECT_EQ(refused->body, handled.body) << r.target;
    EXPECT_EQ(refused->headers, handled.headers) << r.target;
  }
  EXPECT_EQ(router.refusal(req("HEAD", "/api/v1/config"))->body, "");  // HEAD: no body, its length kept
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(router.refusal(req("POST", "/api/v1/echo", "Bearer adm1n")));
  EXPECT_FALSE(router.refusal(req("GET", "/api/v1/config", "Bearer adm1n")));
  EXPECT_EQ(calls, 0);  // asking runs nothing
  EXPECT_EQ(router.handle(req("POST", "/api/v1/echo", "Bearer adm1n")).status, 200);
  EXPECT_EQ(calls, 1);
}

TEST(AdminLoopback, Addresses) {
  EXPECT_TRUE(is_loopback(ip("127.0.0.1")));
  EXPECT_TRUE(is_loopback(ip("127.0.0.2")));
  EXPECT_TRUE(is_loopback(ip("::1")));
  EXPECT_TRUE(is_loopback(ip("::ffff:127.9.9.9")));
  EXPECT_FALSE(is_loopback(ip("::")));
  EXPECT_FALSE(is_loopback(ip("::ffff:126.0.0.1")));
  EXPECT_FALSE(is_loopback(ip("::127.0.0.1")));  // IPv4-compatible, not mapped
  EXPECT_FALSE(is_loopback(ip("1::1")));
  EXPECT_FALSE(is_loopback(ip("192.0.2.2")));
}

TEST_F(AdminRouterTest, ThrowingHandlerIs500) {
  auto r = router.handle(req("GET", "/api/v1/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"status":500,"message":"internal error"}})");  // no exception text leaks
  r = router.handle(req("GET", "/api/v1/weird"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"error":{"status":500,"message":"internal error"}})");
}

TEST(AdminJsonError, BodyShape) {
  const auto r = json_error(418, "short \"and\" stout");
  EXPECT_EQ(r.status, 418);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_TRUE(r.headers.empty());
  EXPECT_EQ(r.body, R"({"error":{"status":418,"message":"short \"and\" stout"}})");
  const auto v = boost::json::parse(r.body);
  EXPECT_EQ(v.at("error").at("status").as_int64(), 418);
  EXPECT_EQ(v.at("error").at("message").as_string(), "short \"and\" stout");
}

TEST(AdminJsonResponse, SerializesValue) {
  const auto r = json_response(201, boost::json::object{{"ok", true}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"ok":true})");
}

TEST(AdminRouterSetup, MalformedPatternThrows) {
  AdminRouter r("t");
  auto h = [](const AdminRequest&, const AdminRouter::Params&) { return AdminResponse{}; };
  EXPECT_THROW(r.add("GET", "no-slash", h, AdminAccess::kOpen), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/{}/b", h, AdminAccess::kOpen), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/{x/b", h, AdminAccess::kOpen), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a//b", h, AdminAccess::kOpen), std::invalid_argument);
  EXPECT_NO_THROW(r.add("GET", "/", h, AdminAccess::kOpen));
  EXPECT_EQ(r.handle(req("GET", "/")).status, 200);
}

TEST(AdminPercentDecode, Cases) {
  EXPECT_EQ(percent_decode("a%20b"), std::optional<std::string>("a b"));
  EXPECT_EQ(percent_decode("%41%6a"), std::optional<std::string>("Aj"));
  EXPECT_EQ(percent_decode("a+b"), std::optional<std::string>("a+b"));
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%g0"), std::nullopt);
  EXPECT_EQ(percent_decode("x%"), std::nullopt);
}

}  // namespace
}  // namespace mysqlproxy::proxy::admin
