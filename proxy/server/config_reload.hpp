#pragma once
// What a reload may change while the proxy runs. Backends, users, routing, health, pool limits,
// timeouts, logging and the admin token change at once; the addresses the proxy listens on and
// the number of workers need a restart, so a reload keeps the running values and says so.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace mysqlproxy::proxy {

struct ReloadPlan {
  config::Config applied;                  // `next`, with the running values of fixed fields
  std::vector<std::string> needs_restart;  // fields whose change was not applied
};

ReloadPlan plan_reload(const config::Config& running, config::Config next);

}  // namespace mysqlproxy::proxy
