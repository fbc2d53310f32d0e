#pragma once
// Scrape-time metrics of client connections against their limits: open connections and the
// overall limit, sessions and the limit of each user, and the failed-login table.
#include <functional>
#include <memory>

#include "config/config.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/session/connection_limits.hpp"
#include "proxy/session/login_throttle.hpp"

namespace mysqlproxy::proxy {

struct ClientCollectorSource {
  std::function<std::shared_ptr<const config::Config>()> config;
  const ConnectionLimits* limits = nullptr;
  const LoginThrottle* throttle = nullptr;
};

void add_client_collector(metrics::Registry& registry, ClientCollectorSource source);

}  // namespace mysqlproxy::proxy
