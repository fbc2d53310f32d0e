// The admin API's real endpoints (add_admin_routes) under the access rules: the probes and
// /metrics are open to anyone; /api/v1 reads need a token when one is configured and a loopback
// peer when none is; POSTs need the admin token.
#include "proxy/admin/admin_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace mysqlproxy::proxy::admin {
namespace {

// Answers with fixed values and records the POSTs that got through.
class StubBackend final : public AdminBackend {
 public:
  StubBackend() {
    auto cfg = std::make_shared<config::Config>();
    cfg->users = {{"app", "app-secret"}};
    cfg->backends = {{"primary", "db.internal", 3306, config::BackendRole::kPrimary, 1}};
    config_ = cfg;
    auto pool = std::make_shared<PoolSnapshot>();
    BackendStatus primary;
    primary.name = "primary";
    primary.host = "db.internal";
    primary.role = BackendRole::kPrimary;
    pool->backends = {primary};
    pool->primary = 0;
    pool_ = pool;
  }

  std::shared_ptr<const PoolSnapshot> pool() const override { return pool_; }
  FailoverStatus failover() const override {
    FailoverStatus s;
    s.automatic = true;
    s.diverged = {{"old-primary", {"0-1-101"}}};
    return s;
  }
  BackendUsage usage(const BackendStatus&) const override { return {}; }
  std::shared_ptr<const config::Config> config() const override { return config_; }
  Readiness readiness() const override { return Readiness{true, {}}; }
  ClientsStatus clients() const override {
    ClientsStatus s;
    s.users = {{"app", 1, 0, true}};
    s.sources = {{"10.9.8.7", 3, std::nullopt}};
    return s;
  }
  std::size_t unblock_sources() override {
    ++actions;
    return 0;
  }
  std::string metrics_text() const override { return "up 1\n"; }
  bool drain_backend(const std::string&) override {
    ++actions;
    return true;
  }
  bool enable_backend(const std::string&) override {
    ++actions;
    return true;
  }
  ReloadOutcome reload() override {
    ++actions;
    return ReloadOutcome{true, {}, {}};
  }

  int actions = 0;

 private:
  std::shared_ptr<const config::Config> config_;
  std::shared_ptr<const PoolSnapshot> pool_;
};

config::IpBytes ip(std::string_view text) { return config::parse_ip_address(text).value(); }

AdminRequest request(std::string method, std::string target, std::optional<config::IpBytes> peer,
                     std::string authorization = "") {
  AdminRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.authorization = std::move(authorization);
  r.peer = peer;
  return r;
}

constexpr const char* kReads[] = {"/api/v1/pool", "/api/v1/clients", "/api/v1/config"};
constexpr const char* kOpen[] = {"/healthz", "/readyz", "/metrics"};
constexpr const char* kPosts[] = {"/api/v1/reload", "/api/v1/clients/unblock", "/api/v1/backends/primary/drain",
                                  "/api/v1/backends/primary/enable"};

TEST(AdminRoutes, WithoutTokensReadsAnswerLoopbackPeersOnly) {
  StubBackend backend;
  AdminRouter router("", "");
  add_admin_routes(router, backend);
  for (const char* target : kReads) {
    for (const char* outside : {"192.0.2.2", "10.0.0.5", "fd00::2"}) {
      const auto r = router.handle(request("GET", target, ip(outside)));
      EXPECT_EQ(r.status, 403) << target << " from " << outside;
      // Nothing of what the endpoint shows leaks into the refusal.
      EXPECT_EQ(r.body.find("app"), std::string::npos) << r.body;
      EXPECT_EQ(r.body.find("db.internal"), std::string::npos) << r.body;
      EXPECT_NE(r.body.find("read_token"), std::string::npos) << "says how to configure one: " << r.body;
    }
    EXPECT_EQ(router.handle(request("GET", target, std::nullopt)).status, 403) << target;
    EXPECT_EQ(router.handle(request("HEAD", target, ip("192.0.2.2"))).status, 403) << target;
    EXPECT_EQ(router.handle(request("GET", target, ip("127.0.0.1"))).status, 200) << target;
    EXPECT_EQ(router.handle(request("GET", target, ip("::1"))).status, 200) << target;
  }
  for (const char* target : kOpen) {
    EXPECT_EQ(router.handle(request("GET", target, ip("192.0.2.2"))).status, 200) << target;
  }
  for (const char* target : kPosts) {
    EXPECT_EQ(router.handle(request("POST", target, ip("127.0.0.1"), "Bearer x")).status, 403) << target;
  }
  EXPECT_EQ(backend.actions, 0);
}

TEST(AdminRoutes, ATokenIsRequiredFromEveryPeerForReads) {
  StubBackend backend;
  AdminRouter router("adm1n", "r3ad");
  add_admin_routes(router, backend);
  for (const char* target : kReads) {
    for (const char* peer : {"127.0.0.1", "::1", "192.0.2.2"}) {
      EXPECT_EQ(router.handle(request("GET", target, ip(peer))).status, 401) << target << " from " << peer;
      EXPECT_EQ(router.handle(request("GET", target, ip(peer), "Bearer wrong")).status, 403) << target;
      EXPECT_EQ(router.handle(request("GET", target, ip(peer), "Bearer r3ad")).status, 200) << target;
      EXPECT_EQ(router.handle(request("GET", target, ip(peer), "Bearer adm1n")).status, 200) << target;
    }
  }
  for (const char* target : kOpen) {
    EXPECT_EQ(router.handle(request("GET", target, ip("192.0.2.2"))).status, 200) << target;
  }
  for (const char* target : kPosts) {
    EXPECT_EQ(router.handle(request("POST", target, ip("127.0.0.1"))).status, 401) << target;
    EXPECT_EQ(router.handle(request("POST", target, ip("127.0.0.1"), "Bearer r3ad")).status, 403) << target;
  }
  EXPECT_EQ(backend.actions, 0);
  for (const char* target : kPosts) {
    EXPECT_EQ(router.handle(request("POST", target, ip("192.0.2.2"), "Bearer adm1n")).status, 200) << target;
  }
  EXPECT_EQ(backend.actions, 4);
}

TEST(AdminRoutes, TheConfigShowsNeitherToken) {
  StubBackend backend;
  auto cfg = std::make_shared<config::Config>(*backend.config());
  cfg->admin.token = "adm1n-secret";
  cfg->admin.read_token = "r3ad-secret";
  const std::string text = boost::json::serialize(config_view(*cfg));
  EXPECT_EQ(text.find("adm1n-secret"), std::string::npos) << text;
  EXPECT_EQ(text.find("r3ad-secret"), std::string::npos) << text;
}

}  // namespace
}  // namespace mysqlproxy::proxy::admin
