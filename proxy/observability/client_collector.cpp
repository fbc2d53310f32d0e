#include "proxy/observability/client_collector.hpp"

#include <map>
#include <string>

namespace mysqlproxy::proxy {
namespace {

using metrics::CollectedFamily;
using metrics::MetricType;

CollectedFamily gauge(std::string name, std::string help) {
  return CollectedFamily{std::move(name), std::move(help), MetricType::kGauge, {}};
}

}  // namespace

void add_client_collector(metrics::Registry& registry, ClientCollectorSource source) {
  registry.add_collector([source = std::move(source)](std::vector<CollectedFamily>& out) {
    const auto cfg = source.config();
    auto open = gauge("mysql_proxy_client_connections_open",
                      "Client connections open, logins in progress included (what limits.max_client_connections counts).");
    open.samples.push_back({{}, static_cast<double>(source.limits->clients())});
    auto max = gauge("mysql_proxy_client_connections_max", "limits.max_client_connections; 0 = no limit.");
    max.samples.push_back({{}, static_cast<double>(cfg->limits.max_client_connections)});

    // Every configured user, and any user a reload removed whose sessions go on.
    std::map<std::string, std::uint32_t> sessions;
    for (const auto& u : cfg->users) sessions[u.name] = 0;
    for (const auto& [user, n] : source.limits->users()) sessions[user] = n;
    auto users = gauge("mysql_proxy_user_connections", "Sessions logged in, by user.");
    auto user_max = gauge("mysql_proxy_user_connections_max",
                          "Sessions a user may have (users[].max_connections or limits.max_user_connections); 0 = no limit.");
    for (const auto& [user, n] : sessions) users.samples.push_back({{{"user", user}}, static_cast<double>(n)});
    for (const auto& u : cfg->users) {
      user_max.samples.push_back({{{"user", u.name}}, static_cast<double>(config::user_connection_limit(cfg->limits, u))});
    }

    const auto counts = source.throttle->counts(LoginThrottle::Clock::now(), throttle_policy(cfg->limits));
    auto tracked = gauge("mysql_proxy_login_throttle_sources",
                         "Source addresses with recent failed logins (the table is bounded).");
    tracked.samples.push_back({{}, static_cast<double>(counts.tracked)});
    auto blocked = gauge("mysql_proxy_login_throttle_blocked_sources",
                         "Source addresses blocked now after too many failed logins.");
    blocked.samples.push_back({{}, static_cast<double>(counts.blocked)});
    for (auto* f : {&open, &max, &users, &user_max, &tracked, &blocked}) out.push_back(std::move(*f));
  });
}

}  // namespace mysqlproxy::proxy
