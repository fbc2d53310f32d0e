#include "proxy/admin/admin_routes.hpp"

#include <boost/json.hpp>

namespace mysqlproxy::proxy::admin {
namespace {

namespace json = boost::json;

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

AdminResponse backend_action(AdminBackend& backend, const AdminRouter::Params& params, bool drain) {
  const std::string& name = params.at("name");
  const bool found = drain ? backend.drain_backend(name) : backend.enable_backend(name);
  if (!found) return json_error(404, "no backend named '" + name + "'");
  return json_response(200, json::object{{"backend", name}, {"action", drain ? "drain" : "enable"}});
}

}  // namespace

Readiness readiness_of(bool draining, const PoolSnapshot& pool, bool require_primary) {
  Readiness r;
  if (draining) r.reasons.emplace_back("shutting down");
  const BackendStatus* primary = pool.primary_status();
  if (require_primary && primary == nullptr) {
    r.reasons.emplace_back("no primary");
  } else if (require_primary && primary->state == BackendState::kDown) {
    r.reasons.emplace_back("primary '" + primary->name + "' is down");
  }
  r.ready = r.reasons.empty();
  return r;
}

void add_admin_routes(AdminRouter& router, AdminBackend& backend) {
  router.add("GET", "/healthz", [](const AdminRequest&, const AdminRouter::Params&) {
    return json_response(200, json::object{{"status", "alive"}});
  }, AdminAccess::kOpen);
  router.add("GET", "/readyz", [&backend](const AdminRequest&, const AdminRouter::Params&) {
    const Readiness r = backend.readiness();
    return json_response(r.ready ? 200 : 503,
                         json::object{{"ready", r.ready}, {"reasons", strings(r.reasons)}});
  }, AdminAccess::kOpen);
  router.add("GET", "/metrics", [&backend](const AdminRequest&, const AdminRouter::Params&) {
    AdminResponse out;
    out.content_type = "text/plain; version=0.0.4; charset=utf-8";
    out.body = backend.metrics_text();
    return out;
  }, AdminAccess::kOpen);
  router.add("GET", "/api/v1/pool", [&backend](const AdminRequest&, const AdminRouter::Params&) {
    const auto snapshot = backend.pool();
    auto view = pool_view(*snapshot, [&backend](const BackendStatus& b) { return backend.usage(b); });
    view["failover"] = failover_view(backend.failover());
    return json_response(200, std::move(view));
  }, AdminAccess::kRead);
  router.add("GET", "/api/v1/clients", [&backend](const AdminRequest&, const AdminRouter::Params&) {
    return json_response(200, clients_view(backend.clients()));
  }, AdminAccess::kRead);
  router.add("POST", "/api/v1/clients/unblock", [&backend](const AdminRequest&, const AdminRouter::Params&) {
    const std::size_t forgotten = backend.unblock_sources();
    return json_response(200, json::object{{"unblocked", true}, {"sources_forgotten", forgotten}});
  }, AdminAccess::kAdmin);
  router.add("GET", "/api/v1/config", [&backend](const AdminRequest&, const AdminRouter::Params&) {
    return json_response(200, config_view(*backend.config()));
  }, AdminAccess::kRead);
  router.add("POST", "/api/v1/backends/{name}/drain", [&backend](const AdminRequest&, const AdminRouter::Params& p) {
    return backend_action(backend, p, true);
  }, AdminAccess::kAdmin);
  router.add("POST", "/api/v1/backends/{name}/enable", [&backend](const AdminRequest&, const AdminRouter::Params& p) {
    return backend_action(backend, p, false);
  }, AdminAccess::kAdmin);
  router.add("POST", "/api/v1/reload", [&backend](const AdminRequest&, const AdminRouter::Params&) {
    const ReloadOutcome r = backend.reload();
    if (!r.ok) return json_error(422, "configuration rejected, the running one stays: " + r.error);
    return json_response(200, json::object{{"reloaded", true}, {"needs_restart", strings(r.needs_restart)}});
  }, AdminAccess::kAdmin);
}

}  // namespace mysqlproxy::proxy::admin
