#include "proxy/server/proxy_runtime.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "config/load.hpp"
#include "proxy/logging.hpp"
#include "proxy/observability/client_collector.hpp"
#include "proxy/observability/pool_collector.hpp"
#include "proxy/metrics/process_metrics.hpp"
#include "proxy/observability/proxy_metrics.hpp"
#include "proxy/server/config_reload.hpp"
#include "proxy/server/identity_probe.hpp"

namespace mysqlproxy::proxy {
unsigned worker_count(const config::Config& cfg) {
  return cfg.workers ? cfg.workers : std::max(1u, std::thread::hardware_concurrency());
}

namespace {

bool needs_rsa_keys(const config::Config& cfg) {
  if (cfg.auth.default_plugin == config::AuthPlugin::kCachingSha2Password) return true;
  return std::ranges::any_of(cfg.users, [](const config::UserConfig& u) {
    return u.auth_plugin == config::AuthPlugin::kCachingSha2Password;
  });
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

ProxyRuntime::ProxyRuntime(std::string config_path, std::shared_ptr<const config::Config> cfg)
    : config_path_(std::move(config_path)),
      shared_(cfg),
      // Publishes the pool as configured at once; checks refine it from start() on.
      monitor_(cfg, shared_.pool),
      server_(shared_, worker_count(*cfg)),
      router_(std::make_shared<admin::AdminRouter>(cfg->admin.token, cfg->admin.read_token)) {
  admin::add_admin_routes(*router_, *this);
  auto& m = proxy_metrics();
  metrics::add_process_collector(m.registry);
  add_pool_collector(m.registry,
                     PoolCollectorSource{
                         [this] { return shared_.pool.get(); },
                         [this](std::uint32_t id) { return server_.connections(id); },
                         [this] { return shared_.active_sessions.load(std::memory_order_relaxed); },
                         [this] { return monitor_.split_brain_detected_total(); },
                         [this] { return shared_.draining.load(std::memory_order_relaxed); },
                     });
  failover_.set_event_callback([&m](const FailoverEvent& e) {
    m.failover_events.with({e.kind, e.outcome}).inc();
    if (e.outcome == "done") m.failover_duration.with({e.kind}).observe(e.seconds);
  });
  add_client_collector(m.registry, ClientCollectorSource{[this] { return shared_.config.get(); }, &shared_.limits,
                                                         &shared_.login_throttle});
}

ProxyRuntime::~ProxyRuntime() {
  if (admin_) admin_->stop();
  users_loader_.stop();
  failover_.stop();
  monitor_.stop();
}

std::string ProxyRuntime::prepare_security(const config::Config& cfg) {
  auto tls = build_tls_contexts(cfg);
  if (!tls.contexts) return tls.error;
  if (!shared_.rsa_keys.load() && needs_rsa_keys(cfg)) {
    auto rsa = load_or_generate_rsa_keys(cfg.auth.rsa_private_key_file);
    if (!rsa.error.empty()) return "auth: " + rsa.error;
    shared_.rsa_keys.store(std::make_shared<const RsaKeyPair>(std::move(rsa.keys)));
  }
  shared_.tls.set(std::move(tls.contexts));
  return {};
}

int ProxyRuntime::run() {
  const auto cfg = shared_.config.get();
  if (const std::string error = prepare_security(*cfg); !error.empty()) {
    spdlog::critical("{}", error);
    return 1;
  }
  // A client or backend connection is a descriptor each, plus a few for the rest.
  const std::uint64_t descriptors = raise_file_limit();
  const std::uint64_t wanted = std::uint64_t{cfg->limits.max_client_connections} +
                               std::uint64_t{cfg->pool.max_connections_per_backend} * cfg->backends.size() + 64;
  if (cfg->limits.max_client_connections != 0 && descriptors != 0 && descriptors < wanted) {
    spdlog::warn("the process may open {} file descriptors, limits.max_client_connections and the pools need up to {}: "
                 "clients past that wait at accept instead of getting ERR 1040 (raise ulimit -n)",
                 descriptors, wanted);
  }
  probe_identity(*cfg, shared_.identity);
  if (auto ec = server_.listen(cfg->listen.address, cfg->listen.port)) {
    spdlog::critical("cannot listen on {}:{}: {}", cfg->listen.address, cfg->listen.port, ec.message());
    return 1;
  }
  if (cfg->admin.enabled) {
    admin::AdminServerOptions options;
    options.address = cfg->admin.address;
    options.port = cfg->admin.port;
    admin_ = std::make_unique<admin::AdminServer>(options, router_);
    if (auto ec = admin_->listen()) {
      spdlog::critical("cannot listen for the admin API on {}:{}: {}", cfg->admin.address, cfg->admin.port,
                       ec.message());
      return 1;
    }
  }
  monitor_.start();
  failover_.start(shared_.config.get());
  users_loader_.start(shared_.config.get());
  server_.start();
  if (admin_) admin_->start();
  spdlog::info("mysql-proxy {} listening on {}:{} with {} workers, presenting server version '{}'{}",
               MYSQLPROXY_VERSION, cfg->listen.address, server_.bound_port(), worker_count(*cfg),
               shared_.identity.get()->version,
               admin_ ? fmt::format("; admin API on {}:{}", cfg->admin.address, admin_->bound_port()) : "");
  {
    std::unique_lock lock(stop_mu_);
    stop_cv_.wait(lock, [this] { return stop_requested_; });
  }
  drain_and_stop();
  return 0;
}

void ProxyRuntime::request_stop() {
  {
    std::lock_guard lock(stop_mu_);
    stop_requested_ = true;
  }
  stop_cv_.notify_all();
}

void ProxyRuntime::drain_and_stop() {
  using Clock = std::chrono::steady_clock;
  const auto timeout = shared_.config.get()->timeouts.drain;
  shared_.draining = true;
  server_.drain();
  const auto started = Clock::now();
  const auto open = [this] { return shared_.active_sessions.load(std::memory_order_relaxed); };
  spdlog::info("draining: {} sessions open, waiting up to {} ms for their transactions", open(), timeout.count());
  while (open() > 0 && Clock::now() - started < timeout) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (open() > 0) {
    spdlog::warn("drain timeout: closing {} sessions still open", open());
    server_.close_sessions();
    const auto closing = Clock::now();
    while (open() > 0 && Clock::now() - closing < std::chrono::seconds(1)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  server_.stop();
  server_.join();
  if (admin_) admin_->stop();
  users_loader_.stop();
  failover_.stop();
  monitor_.stop();
  spdlog::info("stopped after draining for {} ms",
               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
}

std::shared_ptr<const PoolSnapshot> ProxyRuntime::pool() const { return shared_.pool.get(); }

admin::BackendUsage ProxyRuntime::usage(const BackendStatus& b) const {
  return admin::BackendUsage{server_.connections(b.id), proxy_metrics().queries_routed_to(b.name)};
}

std::shared_ptr<const config::Config> ProxyRuntime::config() const { return shared_.config.get(); }

admin::Readiness ProxyRuntime::readiness() const {
  return admin::readiness_of(shared_.draining, *shared_.pool.get(),
                             shared_.config.get()->admin.readiness_requires_primary);
}

admin::ClientsStatus ProxyRuntime::clients() const {
  const auto cfg = shared_.config.get();
  admin::ClientsStatus s;
  s.open = shared_.limits.clients();
  s.logged_in = shared_.active_sessions.load(std::memory_order_relaxed);
  s.max_client_connections = cfg->limits.max_client_connections;
  s.max_user_connections = cfg->limits.max_user_connections;
  const auto open_by_user = shared_.limits.users();
  for (const auto& u : cfg->users) {
    admin::ClientsStatus::User user{u.name, 0, config::user_connection_limit(cfg->limits, u), true};
    for (const auto& [name, n] : open_by_user) {
      if (name == u.name) user.sessions = n;
    }
    s.users.push_back(std::move(user));
  }
  for (const auto& [name, n] : open_by_user) {
    if (config::find_user(*cfg, name) == nullptr) s.users.push_back({name, n, 0, false});
  }
  proxy_metrics().clients_rejected.for_each([&](const std::vector<std::string>& labels, const metrics::Counter& c) {
    s.rejected.emplace_back(labels[0], c.value());
  });
  const auto policy = throttle_policy(cfg->limits);
  const auto now = LoginThrottle::Clock::now();
  s.throttle_enabled = policy.max_failures != 0;
  s.login_failures = policy.max_failures;
  s.login_failure_window_seconds = std::chrono::duration<double>(policy.window).count();
  s.login_block_seconds = std::chrono::duration<double>(policy.block).count();
  s.throttle_capacity = shared_.login_throttle.capacity();
  const auto sources = shared_.login_throttle.sources(now, policy);
  s.tracked_sources = sources.size();
  for (const auto& src : sources) {
    if (s.sources.size() == admin::kMaxListedSources) break;
    admin::ClientsStatus::Source out{source_text(src.source), src.failures, std::nullopt};
    if (src.blocked_for) out.blocked_for_seconds = std::chrono::duration<double>(*src.blocked_for).count();
    s.sources.push_back(std::move(out));
  }
  return s;
}

std::size_t ProxyRuntime::unblock_sources() {
  const std::size_t forgotten = shared_.login_throttle.clear();
  spdlog::info("admin: login blocks lifted, {} source addresses forgotten", forgotten);
  return forgotten;
}

std::string ProxyRuntime::metrics_text() const { return proxy_metrics().registry.render(); }

bool ProxyRuntime::drain_backend(const std::string& name) { return monitor_.drain(name); }

bool ProxyRuntime::enable_backend(const std::string& name) { return monitor_.enable(name); }

admin::ReloadOutcome ProxyRuntime::reload() {
  std::lock_guard lock(reload_mu_);
  auto& m = proxy_metrics();
  admin::ReloadOutcome outcome;
  auto loaded = config::load_config_file(config_path_);
  if (!loaded) {
    m.reloads_failed.inc();
    outcome.error = loaded.error().message;
    spdlog::error("reload rejected, the running configuration stays: {}", outcome.error);
    return outcome;
  }
  ReloadPlan plan = plan_reload(*shared_.config.get(), std::move(*loaded));
  // New certificates, keys and CAs are read now; if one is unusable the old ones stay, with the
  // old config.
  if (const std::string error = prepare_security(plan.applied); !error.empty()) {
    m.reloads_failed.inc();
    outcome.error = error;
    spdlog::error("reload rejected, the running configuration stays: {}", outcome.error);
    return outcome;
  }
  auto applied = std::make_shared<const config::Config>(std::move(plan.applied));
  setup_logging(applied->logging);
  shared_.config.set(applied);
  monitor_.update_config(applied);
  failover_.update_config(applied);
  users_loader_.update_config(applied);
  server_.update_config(applied);
  router_->set_tokens(applied->admin.token, applied->admin.read_token);
  m.reloads_succeeded.inc();
  m.last_reload_success.set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  if (!plan.needs_restart.empty()) {
    spdlog::warn("reload: {} changed but only take effect after a restart", join(plan.needs_restart));
  }
  spdlog::info("configuration reloaded from {}: {} backends, {} users", config_path_, applied->backends.size(),
               applied->users.size());
  outcome.ok = true;
  outcome.needs_restart = std::move(plan.needs_restart);
  return outcome;
}

}  // namespace mysqlproxy::proxy
