#pragma once
// ProxyRuntime: the running proxy as one object, what main() starts. It owns the shared state,
// the health monitor, the workers and the admin server, and runs the lifecycle:
//   start -> serve -> (SIGHUP or POST /api/v1/reload: reload) -> SIGTERM: drain -> exit 0.
// Draining: /readyz turns 503, the listener closes, each session ends at its first quiet moment
// (5 ms without a command) outside a transaction, sessions inside a transaction may finish it for
// up to timeouts.drain, then every session is closed.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "proxy/admin/admin_router.hpp"
#include "proxy/admin/admin_routes.hpp"
#include "proxy/admin/admin_server.hpp"
#include "proxy/health/backend_users_loader.hpp"
#include "proxy/failover/failover_coordinator.hpp"
#include "proxy/health/health_monitor.hpp"
#include "proxy/server/server.hpp"
#include "proxy/session/session_context.hpp"

namespace mysqlproxy::proxy {

// Worker threads the configuration asks for (workers: 0 is one per core).
unsigned worker_count(const config::Config& cfg);

class ProxyRuntime final : public admin::AdminBackend {
 public:
  ProxyRuntime(std::string config_path, std::shared_ptr<const config::Config> cfg);
  ~ProxyRuntime() override;

  // Serves until a stop is requested, then drains. The process's exit code.
  int run();
  // SIGTERM / SIGINT (from any thread).
  void request_stop();

  // ---- admin::AdminBackend ----
  [[nodiscard]] std::shared_ptr<const PoolSnapshot> pool() const override;
  [[nodiscard]] FailoverStatus failover() const override { return failover_.status(); }
  [[nodiscard]] admin::BackendUsage usage(const BackendStatus& b) const override;
  [[nodiscard]] std::shared_ptr<const config::Config> config() const override;
  [[nodiscard]] admin::Readiness readiness() const override;
  [[nodiscard]] admin::ClientsStatus clients() const override;
  std::size_t unblock_sources() override;
  [[nodiscard]] std::string metrics_text() const override;
  bool drain_backend(const std::string& name) override;
  bool enable_backend(const std::string& name) override;
  // Loads the config file again; an invalid one is logged, counted and changes nothing.
  admin::ReloadOutcome reload() override;

 private:
  void drain_and_stop();
  // Builds the TLS contexts (and RSA keys) `cfg` calls for and puts them in force; the error otherwise.
  std::string prepare_security(const config::Config& cfg);

  std::string config_path_;
  SharedState shared_;
  HealthMonitor monitor_;
  FailoverCoordinator failover_{shared_.pool};  // failover.automatic
  BackendUsersLoader users_loader_{shared_.backend_users, shared_.pool};  // auth.backend_users
  Server server_;
  std::shared_ptr<admin::AdminRouter> router_;
  std::unique_ptr<admin::AdminServer> admin_;
  std::mutex reload_mu_;  // one reload at a time (SIGHUP and POST may race)

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
};

}  // namespace mysqlproxy::proxy
