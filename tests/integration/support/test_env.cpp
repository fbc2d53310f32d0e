#include "support/test_env.hpp"

#include <unistd.h>

#include <cstdio>
#include <mutex>

namespace itest {
namespace {

struct SharedState {
  std::mutex mu;
  bool cluster_loaded = false;
  std::optional<ClusterEnv> cluster;
  std::string cluster_error;
  std::unique_ptr<ProxyProcess> proxy;
};

SharedState& state() {
  static SharedState s;
  return s;
}

const ClusterEnv* cluster_locked(SharedState& s, std::string* error) {
  if (!s.cluster_loaded) {
    s.cluster = ClusterEnv::from_environment(&s.cluster_error);
    s.cluster_loaded = true;
  }
  if (!s.cluster) {
    *error = s.cluster_error;
    return nullptr;
  }
  return &*s.cluster;
}

// Stops the shared proxy at the end of the run; reports how it ended and
// keeps its log when something failed.
class SharedProxyEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    auto& s = state();
    std::lock_guard lock(s.mu);
    if (!s.proxy || s.proxy->direct()) return;
    bool failed = ::testing::UnitTest::GetInstance()->Failed();
    std::string how = s.proxy->stop();
    if (failed) {
      s.proxy->keep_files();
      std::fprintf(stderr, "shared proxy %s; log kept at %s\n", how.c_str(), s.proxy->log_path().c_str());
    }
    s.proxy.reset();
  }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedProxyEnvironment);

}  // namespace

const ClusterEnv* cluster(std::string* error) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  return cluster_locked(s, error);
}

Target shared_target(std::string* error) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  const ClusterEnv* env = cluster_locked(s, error);
  if (env == nullptr) return {};
  if (s.proxy) {
    std::string how;
    if (s.proxy->running(&how) || s.proxy->direct()) return {s.proxy->host(), s.proxy->port()};
    // It died during an earlier test (which was failed for it): start afresh.
    s.proxy->keep_files();
    std::fprintf(stderr, "shared proxy had %s; log kept at %s; restarting it\n", how.c_str(),
                 s.proxy->log_path().c_str());
    s.proxy.reset();
  }
  auto proxy = std::make_unique<ProxyProcess>(*env);
  if (!proxy->start(error)) {
    proxy->keep_files();
    return {};
  }
  s.proxy = std::move(proxy);
  return {s.proxy->host(), s.proxy->port()};
}

ProxyProcess* shared_proxy() {
  auto& s = state();
  std::lock_guard lock(s.mu);
  return s.proxy.get();
}

std::string unique_name(const std::string& prefix) { return prefix + "_" + std::to_string(::getpid()); }

void print_proxy_log(ProxyProcess& proxy, const char* what) {
  if (proxy.direct()) return;
  std::fprintf(stderr, "---- last lines of the %s log (%s):\n%s----\n", what, proxy.log_path().c_str(),
               proxy.log_tail(80).c_str());
}

void IntegrationTest::SetUp() {
  std::string error;
  const ClusterEnv* env = cluster(&error);
  ASSERT_NE(env, nullptr) << error;
  cluster_ = *env;
  target_ = shared_target(&error);
  ASSERT_NE(target_.port, 0) << "cannot start the proxy: " << error;
}

void IntegrationTest::start_own_proxy(std::unique_ptr<ProxyProcess>& proxy, const ProxyOptions& options) {
  proxy = std::make_unique<ProxyProcess>(cluster_, options);
  extra_proxy_ = proxy.get();
  std::string error;
  ASSERT_TRUE(proxy->start(&error)) << error;
}

void IntegrationTest::TearDown() {
  if (!cleanup_sql_.empty() && target_.port != 0) {
    Client c;
    if (c.connect(target_.host, target_.port, "app", "app-pass", "proxytest")) {
      for (const auto& sql : cleanup_sql_)
        if (!c.exec(sql)) std::fprintf(stderr, "cleanup failed: %s: %s\n", sql.c_str(), c.describe_error().c_str());
    } else {
      std::fprintf(stderr, "cleanup: cannot connect: %s\n", c.describe_error().c_str());
    }
  }
  if (ProxyProcess* proxy = shared_proxy(); proxy != nullptr && !proxy->direct()) {
    std::string how;
    if (!proxy->running(&how)) ADD_FAILURE() << "the shared proxy process " << how << " during this test";
    if (HasFailure()) {
      proxy->keep_files();
      print_proxy_log(*proxy, "shared proxy");
    }
  }
  if (extra_proxy_ != nullptr && HasFailure()) {
    extra_proxy_->keep_files();
    print_proxy_log(*extra_proxy_, "test's own proxy");
  }
}

Client IntegrationTest::connect(const std::string& user, const std::string& password, const std::string& db,
                                unsigned long flags) {
  return connect_with([](Client&) {}, user, password, db, flags);
}

Rows IntegrationTest::must_query(Client& c, const std::string& sql) {
  auto rows = c.query(sql);
  if (!rows) {
    ADD_FAILURE() << "query failed: " << sql.substr(0, 200) << "\n  error: " << c.describe_error();
    return {};
  }
  return *rows;
}

void IntegrationTest::must_exec(Client& c, const std::string& sql) {
  if (!c.exec(sql)) ADD_FAILURE() << "statement failed: " << sql.substr(0, 200) << "\n  error: " << c.describe_error();
}

std::string IntegrationTest::must_scalar(Client& c, const std::string& sql) {
  auto rows = c.query(sql);
  if (!rows) {
    ADD_FAILURE() << "query failed: " << sql.substr(0, 200) << "\n  error: " << c.describe_error();
    return "<ERROR>";
  }
  if (rows->size() != 1 || rows->front().empty()) {
    ADD_FAILURE() << "expected one row from: " << sql << ", got " << rows->size();
    return "<NO ROW>";
  }
  return rows->front().front().value_or("<NULL>");
}

}  // namespace itest
