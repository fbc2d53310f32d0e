#pragma once
// The admin API's endpoints, wired to what the running proxy exposes (AdminBackend). Open: the
// probes and Prometheus. Read: the read token or the admin token, or with neither configured a
// loopback peer (they show user names, backend hosts, client addresses). Admin: the admin token.
//   GET  /healthz                           alive (open)
//   GET  /readyz                            200 when ready for clients, else 503 with the reasons (open)
//   GET  /metrics                           Prometheus text format 0.0.4 (open)
//   GET  /api/v1/pool                       every backend's state, role, lag, connections (read)
//   GET  /api/v1/clients                    client connections, per-user sessions, limits, blocked sources (read)
//   GET  /api/v1/config                     the effective config, secrets redacted (read)
//   POST /api/v1/backends/{name}/drain      no new work for it (admin)
//   POST /api/v1/backends/{name}/enable     back into service (admin)
//   POST /api/v1/reload                     reload the config file (admin)
//   POST /api/v1/clients/unblock            lift every login block, forget failed logins (admin)
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "proxy/admin/admin_router.hpp"
#include "proxy/admin/admin_views.hpp"
#include "proxy/failover/failover_status.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy::admin {

struct Readiness {
  bool ready = false;
  std::vector<std::string> reasons;  // why not, when not
};

struct ReloadOutcome {
  bool ok = false;
  std::string error;                       // when not ok: the config error
  std::vector<std::string> needs_restart;  // changed fields a reload does not apply
};

// What the endpoints need from the proxy. Called on the admin thread.
class AdminBackend {
 public:
  virtual ~AdminBackend() = default;
  [[nodiscard]] virtual std::shared_ptr<const PoolSnapshot> pool() const = 0;
  [[nodiscard]] virtual FailoverStatus failover() const = 0;
  [[nodiscard]] virtual BackendUsage usage(const BackendStatus& b) const = 0;
  [[nodiscard]] virtual std::shared_ptr<const config::Config> config() const = 0;
  [[nodiscard]] virtual Readiness readiness() const = 0;
  [[nodiscard]] virtual ClientsStatus clients() const = 0;
  // Lifts every block of the login throttle and forgets failed logins; how many sources it knew.
  virtual std::size_t unblock_sources() = 0;
  [[nodiscard]] virtual std::string metrics_text() const = 0;
  virtual bool drain_backend(const std::string& name) = 0;   // false: no such backend
  virtual bool enable_backend(const std::string& name) = 0;
  virtual ReloadOutcome reload() = 0;
};

void add_admin_routes(AdminRouter& router, AdminBackend& backend);

// Ready for clients: not draining and, when `require_primary`, a primary that is not DOWN.
Readiness readiness_of(bool draining, const PoolSnapshot& pool, bool require_primary);

}  // namespace mysqlproxy::proxy::admin
