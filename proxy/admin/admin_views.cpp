#include "proxy/admin/admin_views.hpp"

#include <chrono>

#include "proxy/health/state_names.hpp"

namespace mysqlproxy::proxy::admin {
namespace {

namespace json = boost::json;

double seconds(std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

// RFC 3339 UTC with milliseconds; null before the first check.
json::value timestamp(std::chrono::system_clock::time_point t) {
  if (t == std::chrono::system_clock::time_point{}) return nullptr;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const auto n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                               static_cast<int>(ms % 1000));
  return json::string(buf, static_cast<std::size_t>(n));
}


}  // namespace

json::object pool_view(const PoolSnapshot& snapshot, const UsageOf& usage) {
  json::array backends;
  for (const BackendStatus& b : snapshot.backends) {
    const BackendUsage u = usage ? usage(b) : BackendUsage{};
    json::object o;
    o["name"] = b.name;
    o["address"] = b.host + ":" + std::to_string(b.port);
    o["host"] = b.host;
    o["port"] = b.port;
    o["role"] = config::to_string(b.role);
    o["state"] = state_label(b.state);
    o["takes_reads"] = snapshot.takes_reads(b);
    o["takes_writes"] = snapshot.primary_status() == &b;
    o["weight"] = b.weight;
    if (b.lag_seconds) {
      o["lag_seconds"] = *b.lag_seconds;
    } else {
      o["lag_seconds"] = nullptr;
    }
    o["gtid_position"] = b.gtid_position;
    o["connections"] =
        json::object{{"open", u.connections.open}, {"in_use", u.connections.in_use}, {"idle", u.connections.idle}};
    o["queries_routed"] = u.queries;
    o["last_check"] = timestamp(b.last_check);
    o["last_check_duration_seconds"] = static_cast<double>(b.check_duration.count()) / 1e6;
    if (b.last_error.empty()) {
      o["last_error"] = nullptr;
    } else {
      o["last_error"] = b.last_error;
    }
    backends.push_back(std::move(o));
  }
  json::object out;
  out["version"] = snapshot.version;
  if (const BackendStatus* p = snapshot.primary_status()) {
    out["primary"] = p->name;
  } else {
    out["primary"] = nullptr;
  }
  out["reads_fall_back_to_primary"] = snapshot.reads_fall_back_to_primary;
  out["backends"] = std::move(backends);
  return out;
}

json::object failover_view(const FailoverStatus& status) {
  json::array events;
  for (const FailoverEvent& e : status.recent) {
    events.push_back(json::object{{"kind", e.kind},
                                  {"outcome", e.outcome},
                                  {"from", e.from},
                                  {"to", e.to},
                                  {"detail", e.detail},
                                  {"at", timestamp(e.at)},
                                  {"seconds", e.seconds}});
  }
  json::array diverged;
  for (const DivergedServer& d : status.diverged) {
    json::array errant;
    for (const std::string& g : d.errant) errant.push_back(json::string(g));
    diverged.push_back(json::object{{"name", d.name}, {"errant_gtids", std::move(errant)}});
  }
  json::object out;
  out["automatic"] = status.automatic;
  out["holds_lock"] = status.holds_lock;
  if (status.recent.empty()) {
    out["last_event"] = nullptr;
  } else {
    out["last_event"] = events.back();
  }
  out["recent_events"] = std::move(events);
  out["diverged"] = std::move(diverged);
  return out;
}

json::object clients_view(const ClientsStatus& status) {
  json::array users;
  for (const auto& u : status.users) {
    users.push_back(json::object{{"name", u.name},
                                 {"sessions", u.sessions},
                                 {"max_connections", u.max_connections},
                                 {"configured", u.configured}});
  }
  json::object rejected;
  for (const auto& [reason, n] : status.rejected) rejected[reason] = n;
  json::array sources;
  for (const auto& s : status.sources) {
    json::object o{{"source", s.source}, {"failures", s.failures}, {"blocked", s.blocked_for_seconds.has_value()}};
    if (s.blocked_for_seconds) {
      o["blocked_for_seconds"] = *s.blocked_for_seconds;
    } else {
      o["blocked_for_seconds"] = nullptr;
    }
    sources.push_back(std::move(o));
  }
  json::object out;
  out["connections"] = json::object{{"open", status.open},
                                    {"logged_in", status.logged_in},
                                    {"max_client_connections", status.max_client_connections}};
  out["max_user_connections"] = status.max_user_connections;
  out["users"] = std::move(users);
  out["rejected"] = std::move(rejected);
  out["login_throttle"] = json::object{{"enabled", status.throttle_enabled},
                                       {"login_failures", status.login_failures},
                                       {"login_failure_window_seconds", status.login_failure_window_seconds},
                                       {"login_block_time_seconds", status.login_block_seconds},
                                       {"tracked_sources", status.tracked_sources},
                                       {"capacity", status.throttle_capacity},
                                       {"sources", std::move(sources)}};
  return out;
}

json::object config_view(const config::Config& cfg) {
  json::array backends;
  for (const auto& b : cfg.backends) {
    backends.push_back(json::object{{"name", b.name},
                                    {"host", b.host},
                                    {"port", b.port},
                                    {"role", config::to_string(b.role)},
                                    {"weight", b.weight},
                                    {"rsa_public_key_file", b.rsa_public_key_file},
                                    {"get_server_public_key", b.get_server_public_key},
                                    {"tls", json::object{{"mode", config::to_string(b.tls.mode)},
                                                         {"ca_file", b.tls.ca_file},
                                                         {"cert_file", b.tls.cert_file},
                                                         {"server_name", b.tls.server_name},
                                                         {"min_version", config::to_string(b.tls.min_version)}}}});
  }
  json::array users;
  for (const auto& u : cfg.users) {
    // Neither the password nor its hash: both open the backend to whoever reads them.
    json::object o{{"name", u.name},
                   {"password", kRedacted},
                   {"auth_plugin", config::to_string(u.auth_plugin)},
                   {"require_tls", u.require_tls}};
    if (u.max_connections) {
      o["max_connections"] = *u.max_connections;
    } else {
      o["max_connections"] = nullptr;  // limits.max_user_connections
    }
    users.push_back(std::move(o));
  }
  const auto& t = cfg.timeouts;
  const auto& h = cfg.health;
  const auto& r = cfg.routing;
  const auto& p = cfg.pool;
  json::object out;
  out["source"] = cfg.source;
  out["listen"] = json::object{{"address", cfg.listen.address}, {"port", cfg.listen.port}};
  out["workers"] = cfg.workers;
  out["server_version"] = cfg.server_version;
  out["max_packet_size"] = cfg.max_packet_size;
  out["backends"] = std::move(backends);
  out["users"] = std::move(users);
  out["tls"] = json::object{{"enabled", cfg.tls.enabled()},
                            {"cert_file", cfg.tls.cert_file},
                            {"min_version", config::to_string(cfg.tls.min_version)},
                            {"require", cfg.tls.require}};
  out["auth"] = json::object{{"default_plugin", config::to_string(cfg.auth.default_plugin)},
                             {"rsa_private_key_file", cfg.auth.rsa_private_key_file}};
  out["timeouts"] = json::object{{"connect_seconds", seconds(t.connect)},
                                 {"handshake_seconds", seconds(t.handshake)},
                                 {"idle_seconds", seconds(t.idle)},
                                 {"query_seconds", seconds(t.query)},
                                 {"client_stall_seconds", seconds(t.client_stall)},
                                 {"drain_seconds", seconds(t.drain)}};
  out["logging"] = json::object{{"level", cfg.logging.level}, {"format", config::to_string(cfg.logging.format)}};
  out["health"] = json::object{
      {"interval_seconds", seconds(h.interval)},
      {"timeout_seconds", seconds(h.timeout)},
      {"user", h.user},
      {"password", h.password.empty() ? "" : kRedacted},
      {"max_replication_lag_seconds", seconds(h.max_replication_lag)},
      {"down_after", h.down_after},
      {"up_after", h.up_after},
      {"lagging_after", h.lagging_after},
      {"recover_after", h.recover_after},
      {"heartbeat", json::object{{"enabled", h.heartbeat.enabled}, {"table", h.heartbeat.table}}},
      {"keep_connection", h.keep_connection},
      {"discovery_interval_seconds", seconds(h.discovery_interval)}};
  out["routing"] = json::object{{"reads_fallback_to_primary", r.reads_fallback_to_primary},
                                {"consistency", config::to_string(r.consistency)},
                                {"consistency_timeout_seconds", seconds(r.consistency_timeout)},
                                {"honor_hints", r.honor_hints},
                                {"read_only_transactions_on_replica", r.read_only_transactions_on_replica}};
  out["pool"] = json::object{{"max_connections_per_backend", p.max_connections_per_backend},
                             {"acquire_timeout_seconds", seconds(p.acquire_timeout)},
                             {"idle_timeout_seconds", seconds(p.idle_timeout)},
                             {"max_prepared_statements", p.max_prepared_statements},
                             {"max_prepared_statement_bytes", p.max_prepared_statement_bytes}};
  json::array exempt;
  for (const auto& n : cfg.limits.login_throttle_exempt) exempt.emplace_back(n.text);
  out["limits"] = json::object{{"max_client_connections", cfg.limits.max_client_connections},
                               {"max_user_connections", cfg.limits.max_user_connections},
                               {"login_failures", cfg.limits.login_failures},
                               {"login_failure_window_seconds", seconds(cfg.limits.login_failure_window)},
                               {"login_block_time_seconds", seconds(cfg.limits.login_block_time)},
                               {"login_throttle_exempt", std::move(exempt)},
                               {"max_pending_logins_per_address", cfg.limits.max_pending_logins_per_address},
                               {"max_session_prepared_statements", cfg.limits.max_session_prepared_statements},
                               {"max_session_prepared_bytes", cfg.limits.max_session_prepared_bytes}};
  out["admin"] = json::object{{"enabled", cfg.admin.enabled},
                              {"address", cfg.admin.address},
                              {"port", cfg.admin.port},
                              {"readiness_requires_primary", cfg.admin.readiness_requires_primary},
                              {"token", cfg.admin.token.empty() ? "" : kRedacted},
                              {"read_token", cfg.admin.read_token.empty() ? "" : kRedacted}};
  return out;
}

}  // namespace mysqlproxy::proxy::admin
