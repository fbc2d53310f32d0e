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
    router.add("GET", "/api/v1/status", named("status"), false);
    router.add("GET", "/api/v1/backends", named("backends"), false);
    router.add("GET", "/api/v1/backends/{name}", named("backend"), false);
    router.add("GET", "/api/v1/backends/stats", named("stats"), false);
    router.add("POST", "/api/v1/backends/{name}/drain", named("drain"), true);
    router.add("DELETE", "/api/v1/backends/{name}/drain", named("undrain"), true);
    router.add("POST", "/api/v1/reload", named("reload"), true);
    router.add("GET", "/api/v1/boom", [](const AdminRequest&, const AdminRouter::Params&) -> AdminResponse {
      throw std::runtime_error("kaboom");
    }, false);
    router.add("GET", "/api/v1/weird", [](const AdminRequest&, const AdminRouter::Params&) -> AdminResponse {
      throw 42;
    }, false);
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
  off.add("POST", "/api/v1/reload", named("reload"), true);
  off.add("GET", "/api/v1/status", named("status"), false);
  for (const char* auth : {"", "Bearer ", "Bearer anything"}) {
    const auto r = off.handle(req("POST", "/api/v1/reload", auth));
    EXPECT_EQ(r.status, 403) << auth;
    EXPECT_EQ(r.body, R"({"error":{"status":403,"message":"admin token not configured"}})");
  }
  EXPECT_EQ(off.handle(req("GET", "/api/v1/status")).status, 200);  // open routes still work
}

TEST_F(AdminRouterTest, SetTokenTakesEffect) {
  router.set_token("n3w");
  EXPECT_EQ(router.handle(req("POST", "/api/v1/reload", "Bearer s3cret")).status, 403);
  EXPECT_EQ(router.handle(req("POST", "/api/v1/reload", "Bearer n3w")).status, 200);
  router.set_token("");
  const auto r = router.handle(req("POST", "/api/v1/reload", "Bearer n3w"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"error":{"status":403,"message":"admin token not configured"}})");
}

TEST_F(AdminRouterTest, SetTokenConcurrentWithHandle) {
  // A reload swaps the token while requests are served: each sees the old or the new one.
  std::atomic<bool> done{false};
  std::thread reloader([&] {
    for (int i = 0; i < 2000; ++i) router.set_token(i % 2 == 0 ? "n3w" : "s3cret");
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
  EXPECT_THROW(r.add("GET", "no-slash", h, false), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/{}/b", h, false), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/{x/b", h, false), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a//b", h, false), std::invalid_argument);
  EXPECT_NO_THROW(r.add("GET", "/", h, false));
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
