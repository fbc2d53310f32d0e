// The admin API and the lifecycle of a running proxy: /metrics passes promtool and a real
// Prometheus server scrapes it; /api/v1/pool follows drained, lagging and killed backends; POSTs
// need the token; /api/v1 reads need a token when one is configured, from every peer, and a
// loopback peer when none is (a peer that is not loopback: a connection to 127.0.0.1 from another
// interface's address); a reload adds a replica under connected clients and an invalid one
// changes nothing; SIGTERM lets an open transaction commit, then the process exits 0.
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "support/http_client.hpp"
#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

constexpr const char* kToken = "itest-token";
constexpr const char* kReadToken = "itest-read-token";

// An IPv4 address of this host that is not loopback, if it has one.
std::optional<std::string> non_loopback_address() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* i = list; i != nullptr && !found; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    const boost::asio::ip::address_v4 a(ntohl(in->sin_addr.s_addr));
    if (!a.is_loopback()) found = a.to_string();
  }
  ::freeifaddrs(list);
  return found;
}

// One request to 127.0.0.1:port from a socket bound to `source`, so the server sees that peer.
HttpReply http_request_from(const std::string& source, int port, const std::string& method,
                            const std::string& target, const std::string& token = "") {
  return http_request("127.0.0.1", port, method, target, token, "", source);
}

class AdminApiTest : public OwnProxyTest {
 protected:
  // /api/v1 reads need a token once one is configured, loopback or not: the admin token opens them.
  HttpReply get(const std::string& target, const std::string& token = kToken) {
    return http_request("127.0.0.1", proxy_->admin_port(), "GET", target, token);
  }
  HttpReply post(const std::string& target, const std::string& token = kToken) {
    return http_request("127.0.0.1", proxy_->admin_port(), "POST", target, token);
  }

  json::object pool() {
    const HttpReply r = get("/api/v1/pool");
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }

  static const json::object* backend(const json::object& pool, const std::string& name) {
    for (const auto& b : pool.at("backends").as_array()) {
      if (b.as_object().at("name").as_string() == name) return &b.as_object();
    }
    return nullptr;
  }

  // Polls /api/v1/pool until `pred` holds for backend `name`.
  bool wait_backend(const std::string& name, const std::function<bool(const json::object&)>& pred,
                    Clock::duration timeout, std::string* last = nullptr) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const json::object p = pool();
      if (const json::object* b = backend(p, name); b != nullptr && pred(*b)) return true;
      if (last) *last = json::serialize(p);
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

TEST_F(AdminApiTest, MetricsPassPromtoolAndCountRouting) {
  START_OR_SKIP();
  Client c = open();
  for (int i = 0; i < 10; ++i) must_scalar(c, "SELECT 1");
  must_exec(c, "DO 1 /* route=primary */");
  // A statement is counted once its answer has gone out, so the client may see the DO's OK a
  // moment before the count: wait for it (the reads before it were counted before it was sent).
  wait_metric("mysql_proxy_queries_total", "role=\"primary\"", 1, 5s);
  const HttpReply r = get("/metrics");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_GE(metric_sum(r.body, "mysql_proxy_queries_total", "reason=\"read\""), 10);
  EXPECT_GE(metric_sum(r.body, "mysql_proxy_queries_total", "role=\"primary\""), 1);
  EXPECT_GE(metric_sum(r.body, "mysql_proxy_query_duration_seconds_count", "role=\"replica\""), 10);
  EXPECT_EQ(metric_sum(r.body, "mysql_proxy_client_connections_active"), 1);
  EXPECT_GT(metric_sum(r.body, "mysql_proxy_client_sent_bytes_total"), 0);
  EXPECT_EQ(metric_sum(r.body, "mysql_proxy_backend_state", "state=\"up\""), 3);
  EXPECT_GT(metric_sum(r.body, "process_resident_memory_bytes"), 0);
  EXPECT_NE(r.body.find("mysql_proxy_build_info{version=\""), std::string::npos);

  const std::string path = std::filesystem::temp_directory_path() / ("metrics-" + unique_name("scrape") + ".txt");
  {
    std::ofstream(path) << r.body;
  }
  const std::string cmd = "promtool check metrics < " + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string complaints;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) complaints += buf;
  const int status = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "promtool: " << complaints;
  EXPECT_EQ(complaints, "");

  // Every metric the shipped Grafana dashboard queries exists in this scrape.
  const std::string check = "/usr/bin/python3 " + repo_root() + "/scripts/check-dashboard.py " + repo_root() +
                            "/k8s/monitoring/grafana-dashboard.json " + path + " 2>&1";
  FILE* d = ::popen(check.c_str(), "r");
  ASSERT_NE(d, nullptr);
  std::string said;
  while (std::fgets(buf, sizeof buf, d) != nullptr) said += buf;
  const int dashboard_status = ::pclose(d);
  std::filesystem::remove(path);
  EXPECT_TRUE(WIFEXITED(dashboard_status) && WEXITSTATUS(dashboard_status) == 0) << said;
  EXPECT_NE(said.find("dashboard OK"), std::string::npos) << said;
}

TEST_F(AdminApiTest, PrometheusScrapesTheProxy) {
  START_OR_SKIP();
  const std::string dir = std::filesystem::temp_directory_path() / unique_name("prometheus");
  std::filesystem::create_directories(dir);
  on_teardown([dir] { std::filesystem::remove_all(dir); });
  {
    std::ofstream cfg(dir + "/prometheus.yml");
    cfg << "global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
           "scrape_configs:\n"
           "  - job_name: mysql-proxy\n"
           "    static_configs: [{ targets: ['127.0.0.1:" << proxy_->admin_port() << "'] }]\n";
  }
  const int web_port = pick_free_port();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string log = dir + "/prometheus.log";
    std::freopen(log.c_str(), "w", stderr);
    std::freopen(log.c_str(), "a", stdout);
    const std::string config = "--config.file=" + dir + "/prometheus.yml";
    const std::string storage = "--storage.tsdb.path=" + dir + "/data";
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(web_port);
    ::execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  on_teardown([pid] {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  });
  // The value of a PromQL expression, or nullopt while Prometheus has none.
  auto query = [&](const std::string& promql) -> std::optional<double> {
    const HttpReply r = http_request("127.0.0.1", web_port, "GET", "/api/v1/query?query=" + promql);
    if (r.status != 200) return std::nullopt;
    const auto result = json::parse(r.body).as_object().at("data").as_object().at("result").as_array();
    if (result.empty()) return std::nullopt;
    return std::stod(std::string(result[0].as_object().at("value").as_array()[1].as_string()));
  };
  // (No read has been routed yet, so the series may not exist: `or vector(0)`.)
  const std::string reads = "sum(mysql_proxy_queries_total%7Breason%3D%22read%22%7D)%20or%20vector(0)";
  std::optional<double> up;
  const auto deadline = Clock::now() + 30s;
  while (up != 1.0 && Clock::now() < deadline) {
    up = query("up%7Bjob%3D%22mysql-proxy%22%7D");
    if (up != 1.0) std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(up, 1.0) << "Prometheus never scraped the proxy";
  const std::optional<double> before = query(reads);
  ASSERT_TRUE(before);

  Client c = open();
  for (int i = 0; i < 25; ++i) must_scalar(c, "SELECT 1");
  std::optional<double> after;
  const auto rose_deadline = Clock::now() + 15s;
  while (Clock::now() < rose_deadline) {
    after = query(reads);
    if (after && *after >= *before + 25) break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(after);
  EXPECT_GE(*after, *before + 25) << "the routing counter did not rise in Prometheus";
}

TEST_F(AdminApiTest, PoolFollowsDrainedLaggingAndKilledBackends) {
  on_teardown([this] {
    std::string out;
    run_cluster_command(cluster_env(), "start-sql-thread replica1", &out);
    run_cluster_command(cluster_env(), "start", &out);
    run_cluster_command(cluster_env(), "wait-sync 30", &out);
  });
  START_OR_SKIP();
  std::string last;
  ASSERT_TRUE(wait_backend("replica2", [](const json::object& b) { return b.at("state") == "up"; }, 5s, &last)) << last;
  // The pool is published as configured before the first check ends: wait for the primary's.
  ASSERT_TRUE(wait_backend("primary", [](const json::object& b) { return b.at("last_check").is_string(); }, 5s, &last))
      << last;
  json::object p = pool();
  EXPECT_EQ(p.at("primary"), "primary");
  EXPECT_EQ(p.at("reads_fall_back_to_primary"), false);
  const json::object* primary = backend(p, "primary");
  ASSERT_NE(primary, nullptr);
  EXPECT_EQ(primary->at("role"), "primary");
  EXPECT_EQ(primary->at("address").as_string(), "127.0.0.1:" + std::to_string(cluster_env().primary_port));
  EXPECT_TRUE(primary->at("last_check").is_string());

  // Drained by an operator: it takes no reads, and says so.
  HttpReply r = post("/api/v1/backends/replica2/drain");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(wait_backend("replica2", [](const json::object& b) { return b.at("state") == "draining"; }, 2s, &last)) << last;
  Client c = open();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(must_scalar(c, "SELECT @@port"), std::to_string(cluster_env().replica1_port));
  // Counted once the answer went out: the client may read its result a moment before.
  EXPECT_TRUE(wait_backend("replica1", [](const json::object& b) {
    return b.at("queries_routed").to_number<std::uint64_t>() >= 6;
  }, 2s, &last)) << last;
  r = post("/api/v1/backends/replica2/enable");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(wait_backend("replica2", [](const json::object& b) { return b.at("state") == "up"; }, 2s, &last)) << last;
  EXPECT_EQ(post("/api/v1/backends/nosuch/drain").status, 404);

  // Lagging (SQL thread stopped) and killed.
  cluster_cmd("stop-sql-thread replica1");
  EXPECT_TRUE(wait_backend("replica1", [](const json::object& b) {
    return b.at("state") == "lagging" && b.at("last_error") == "SQL thread stopped";
  }, 5s, &last)) << last;
  cluster_cmd("kill replica2");
  EXPECT_TRUE(wait_backend("replica2", [](const json::object& b) {
    return b.at("state") == "down" && b.at("last_error").is_string();
  }, 5s, &last)) << last;
  EXPECT_EQ(pool().at("reads_fall_back_to_primary"), true);
  const HttpReply metrics = get("/metrics");
  EXPECT_EQ(metric_sum(metrics.body, "mysql_proxy_backend_state", "backend=\"replica2\",state=\"down\""), 1);
  EXPECT_EQ(metric_sum(metrics.body, "mysql_proxy_reads_fallback_to_primary"), 1);
  EXPECT_GT(metric_sum(metrics.body, "mysql_proxy_backend_health_check_failures_total", "backend=\"replica2\""), 0);
}

TEST_F(AdminApiTest, PostsNeedTheTokenAndSecretsAreRedacted) {
  ProxyOptions options;
  options.admin_extra = std::string("read_token: ") + kReadToken;
  START_OR_SKIP(options);
  EXPECT_EQ(post("/api/v1/backends/replica2/drain", "").status, 401);
  EXPECT_EQ(post("/api/v1/backends/replica2/drain", "wrong").status, 403);
  EXPECT_EQ(post("/api/v1/reload", "").status, 401);
  EXPECT_EQ(backend(pool(), "replica2")->at("state"), "up") << "a refused POST changed nothing";
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/api/v1/nothing").status, 404);
  const HttpReply cfg = get("/api/v1/config");
  ASSERT_EQ(cfg.status, 200);
  EXPECT_EQ(cfg.body.find("app-pass"), std::string::npos) << cfg.body;
  EXPECT_EQ(cfg.body.find("monitor-pass"), std::string::npos) << cfg.body;
  EXPECT_EQ(cfg.body.find(kToken), std::string::npos) << cfg.body;
  EXPECT_EQ(cfg.body.find(kReadToken), std::string::npos) << cfg.body;
  EXPECT_EQ(json::parse(cfg.body).at("admin").at("read_token"), "<redacted>") << cfg.body;
  EXPECT_EQ(json::parse(cfg.body).at("users").as_array().size(), 2u);
  // Readiness: a primary is reachable and the proxy is not draining.
  const HttpReply ready = get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

TEST_F(AdminApiTest, AConfiguredTokenIsNeededForReadsFromEveryPeer) {
  ProxyOptions options;
  options.admin_extra = std::string("read_token: ") + kReadToken;
  START_OR_SKIP(options);
  for (const char* target : {"/api/v1/config", "/api/v1/pool", "/api/v1/clients"}) {
    const HttpReply none = get(target, "");
    EXPECT_EQ(none.status, 401) << target << ": " << none.error << none.body;
    EXPECT_EQ(none.body.find("users"), std::string::npos) << none.body;
    EXPECT_EQ(get(target, "wrong").status, 403) << target;
    EXPECT_EQ(get(target, kReadToken).status, 200) << target;
    EXPECT_EQ(get(target, kToken).status, 200) << target;
  }
  // The probes and Prometheus need none.
  for (const char* target : {"/healthz", "/readyz", "/metrics"}) EXPECT_EQ(get(target, "").status, 200) << target;
  // The read token opens no POST.
  EXPECT_EQ(post("/api/v1/backends/replica2/drain", kReadToken).status, 403);
  EXPECT_EQ(backend(pool(), "replica2")->at("state"), "up");

  const auto outside = non_loopback_address();
  if (!outside) GTEST_SKIP() << "this host has no IPv4 address besides loopback";
  const int port = proxy_->admin_port();
  const HttpReply none = http_request_from(*outside, port, "GET", "/api/v1/config");
  EXPECT_EQ(none.status, 401) << *outside << ": " << none.error << none.body;
  EXPECT_EQ(http_request_from(*outside, port, "GET", "/api/v1/config", kReadToken).status, 200) << *outside;
  EXPECT_EQ(http_request_from(*outside, port, "GET", "/metrics").status, 200) << *outside;
}

TEST_F(AdminApiTest, WithoutTokensReadsAnswerOnlyLoopbackPeers) {
  ProxyOptions options;
  options.admin_token = "";
  START_OR_SKIP(options);
  const HttpReply local = get("/api/v1/config", "");
  ASSERT_EQ(local.status, 200) << local.error << local.body;
  EXPECT_EQ(json::parse(local.body).at("users").as_array().size(), 2u);
  EXPECT_EQ(post("/api/v1/reload", "anything").status, 403) << "no admin token: POSTs are off";

  const auto outside = non_loopback_address();
  if (!outside) GTEST_SKIP() << "this host has no IPv4 address besides loopback";
  const int port = proxy_->admin_port();
  for (const char* target : {"/api/v1/config", "/api/v1/pool", "/api/v1/clients"}) {
    const HttpReply r = http_request_from(*outside, port, "GET", target);
    EXPECT_EQ(r.status, 403) << *outside << " " << target << ": " << r.error << r.body;
    EXPECT_NE(r.body.find("read_token"), std::string::npos) << "says how to configure one: " << r.body;
    EXPECT_EQ(r.body.find("users"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("backends"), std::string::npos) << r.body;
  }
  for (const char* target : {"/healthz", "/readyz", "/metrics"}) {
    EXPECT_EQ(http_request_from(*outside, port, "GET", target).status, 200) << *outside << " " << target;
  }
}

TEST_F(AdminApiTest, AReloadChangesBothTokens) {
  ProxyOptions options;
  options.admin_extra = std::string("read_token: ") + kReadToken;
  START_OR_SKIP(options);
  ASSERT_EQ(get("/api/v1/config", kReadToken).status, 200);
  ProxyOptions next = options;
  next.admin_token = "itest-token-2";
  next.admin_extra = "read_token: itest-read-token-2";
  ASSERT_TRUE(proxy_->rewrite_config(next));
  const HttpReply reloaded = post("/api/v1/reload");
  ASSERT_EQ(reloaded.status, 200) << reloaded.body;
  EXPECT_EQ(get("/api/v1/config", kReadToken).status, 403);
  EXPECT_EQ(get("/api/v1/config", kToken).status, 403);
  EXPECT_EQ(get("/api/v1/config", "itest-read-token-2").status, 200);
  EXPECT_EQ(get("/api/v1/config", "itest-token-2").status, 200);
  EXPECT_EQ(post("/api/v1/reload").status, 403) << "the old admin token is gone";
  // Without any token, reads are back to loopback peers only.
  next.admin_token = "";
  next.admin_extra = "";
  ASSERT_TRUE(proxy_->rewrite_config(next));
  ASSERT_EQ(post("/api/v1/reload", "itest-token-2").status, 200);
  EXPECT_EQ(get("/api/v1/config", "").status, 200);
  const auto outside = non_loopback_address();
  if (!outside) GTEST_SKIP() << "this host has no IPv4 address besides loopback";
  EXPECT_EQ(http_request_from(*outside, proxy_->admin_port(), "GET", "/api/v1/config").status, 403);
}

TEST_F(AdminApiTest, ReloadAddsAReplicaUnderConnectedClientsAndAnInvalidOneChangesNothing) {
  ProxyOptions options;
  const auto node = [&](const char* name, int port, const char* role) {
    return "{ name: " + std::string(name) + ", host: 127.0.0.1, port: " + std::to_string(port) + ", role: " + role + " }";
  };
  options.backends = {node("primary", cluster_env().primary_port, "primary"),
                      node("replica1", cluster_env().replica1_port, "replica")};
  START_OR_SKIP(options);
  Client c = open();
  const std::string r1 = std::to_string(cluster_env().replica1_port);
  const std::string r2 = std::to_string(cluster_env().replica2_port);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(must_scalar(c, "SELECT @@port"), r1);

  ProxyOptions grown = options;
  grown.backends.push_back(node("replica2", cluster_env().replica2_port, "replica"));
  ASSERT_TRUE(proxy_->rewrite_config(grown));
  const HttpReply r = post("/api/v1/reload");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto reloaded = Clock::now();
  bool reached = false;
  while (!reached && Clock::now() - reloaded < 5s) reached = must_scalar(c, "SELECT @@port") == r2;
  EXPECT_TRUE(reached) << "the same connection never read from the added replica";
  RecordProperty("added_replica_reads_after_ms",
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - reloaded).count()));

  // An invalid file: POST says why (422), SIGHUP logs it; both are counted, nothing changes.
  ASSERT_TRUE(proxy_->write_config_text("backends: [ {name: x\n"));
  const HttpReply bad = post("/api/v1/reload");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("invalid YAML"), std::string::npos) << bad.body;
  proxy_->signal(SIGHUP);
  const auto hup = Clock::now();
  double failures = 0;
  while (failures < 2 && Clock::now() - hup < 5s) {
    failures = metric_sum(get("/metrics").body, "mysql_proxy_config_reloads_total", "result=\"failure\"");
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(failures, 2);
  EXPECT_TRUE(proxy_->running()) << "an invalid reload stopped the proxy";
  EXPECT_EQ(pool().at("backends").as_array().size(), 3u);
  bool both = false;
  std::set<std::string> seen;
  for (int i = 0; i < 8 && !both; ++i) {
    seen.insert(must_scalar(c, "SELECT @@port"));
    both = seen.count(r1) && seen.count(r2);
  }
  EXPECT_TRUE(both) << "reads should still reach both replicas";
}

TEST_F(AdminApiTest, SigtermLetsAnOpenTransactionCommitThenExitsZero) {
  ProxyOptions options;
  options.drain_timeout = "20s";
  START_OR_SKIP(options);
  const std::string t = unique_name("admin_drain");
  cleanup("DROP TABLE IF EXISTS proxytest." + t);
  Client setup = open();
  must_exec(setup, "CREATE TABLE " + t + " (id INT PRIMARY KEY)");
  Client idle = open();
  Client in_trx = open();
  must_exec(in_trx, "BEGIN");
  must_exec(in_trx, "INSERT INTO " + t + " VALUES (1)");

  proxy_->signal(SIGTERM);
  const auto signalled = Clock::now();
  // Not ready any more, and no new clients.
  HttpReply ready;
  while (Clock::now() - signalled < 2s) {
    ready = get("/readyz");
    if (ready.status == 503) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("shutting down"), std::string::npos) << ready.body;
  Client late;
  EXPECT_FALSE(late.connect(proxy_->host(), proxy_->port(), "app", "app-pass", "proxytest"));
  // The idle session ends at its first quiet moment (5 ms without a command): its next
  // statement finds the connection closed. The transaction goes on and commits.
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(idle.query("SELECT 1"));
  must_exec(in_trx, "INSERT INTO " + t + " VALUES (2)");
  must_exec(in_trx, "COMMIT");
  const auto exited = proxy_->wait_exit(5s);
  ASSERT_TRUE(exited) << "the proxy did not exit after the transaction ended";
  EXPECT_EQ(*exited, "exited with code 0");
  EXPECT_LT(Clock::now() - signalled, 10s);

  Client direct;
  ASSERT_TRUE(direct.connect(cluster_env().host, cluster_env().primary_port, "app", "app-pass", "proxytest"));
  EXPECT_EQ(must_scalar(direct, "SELECT COUNT(*) FROM " + t), "2") << "the transaction was committed whole";
}

}  // namespace
}  // namespace itest
