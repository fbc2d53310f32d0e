#include "proxy/server/config_reload.hpp"

namespace mysqlproxy::proxy {
namespace {

// Keeps the running value of a field that only a restart can change, noting a difference.
template <class T>
void keep(const T& running, T& next, const char* field, std::vector<std::string>& needs_restart) {
  if (next == running) return;
  needs_restart.emplace_back(field);
  next = running;
}

}  // namespace

ReloadPlan plan_reload(const config::Config& running, config::Config next) {
  ReloadPlan plan;
  keep(running.listen.address, next.listen.address, "listen.address", plan.needs_restart);
  keep(running.listen.port, next.listen.port, "listen.port", plan.needs_restart);
  keep(running.workers, next.workers, "workers", plan.needs_restart);
  keep(running.admin.enabled, next.admin.enabled, "admin.enabled", plan.needs_restart);
  keep(running.admin.address, next.admin.address, "admin.address", plan.needs_restart);
  keep(running.admin.port, next.admin.port, "admin.port", plan.needs_restart);
  plan.applied = std::move(next);
  return plan;
}

}  // namespace mysqlproxy::proxy
