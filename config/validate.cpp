#include "config/validate.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "config/scalars.hpp"

namespace mysqlproxy::config {
namespace {

class Checker {
 public:
  Checker(const Config& config, const SourceMap& marks) : config_(config), marks_(marks) {}

  ConfigError fail(const std::string& path, std::string_view reason) const {
    return make_error(config_.source, marks_.find(path), path, reason);
  }

  std::optional<ConfigError> check_backends() const {
    if (config_.backends.empty()) return fail("backends", "at least one backend is required");
    std::map<std::string_view, std::size_t> names;  // name -> first index
    std::optional<std::size_t> primary;
    for (std::size_t i = 0; i < config_.backends.size(); ++i) {
      const BackendConfig& backend = config_.backends[i];
      std::string path = "backends[" + std::to_string(i) + "]";
      if (backend.name.empty()) return fail(path + ".name", "must not be empty");
      if (auto [it, added] = names.try_emplace(backend.name, i); !added) {
        return fail(path + ".name", "duplicate name \"" + backend.name +
                                        "\" (already used by backends[" +
                                        std::to_string(it->second) + "])");
      }
      if (backend.host.empty()) return fail(path + ".host", "must not be empty");
      if (backend.port == 0) return fail(path + ".port", "must be 1..65535, got 0");
      if (backend.weight > kMaxBackendWeight) {
        return fail(path + ".weight", "must be 0.." + std::to_string(kMaxBackendWeight) + ", got " +
                                          std::to_string(backend.weight));
      }
      if (backend.role != BackendRole::kPrimary) continue;
      if (primary) {
        return fail(path + ".role", "only one backend may be primary, but backends[" +
                                        std::to_string(*primary) + "] (\"" +
                                        config_.backends[*primary].name + "\") already is");
      }
      primary = i;
    }
    if (!primary) return fail("backends", "no backend has role primary (exactly one is required)");
    return std::nullopt;
  }

  std::optional<ConfigError> check_users() const {
    if (config_.users.empty()) return fail("users", "at least one user is required");
    std::map<std::string_view, std::size_t> names;
    for (std::size_t i = 0; i < config_.users.size(); ++i) {
      const UserConfig& user = config_.users[i];
      std::string path = "users[" + std::to_string(i) + "].name";
      if (user.name.empty()) return fail(path, "must not be empty");
      if (auto [it, added] = names.try_emplace(user.name, i); !added) {
        return fail(path, "duplicate name \"" + user.name + "\" (already used by users[" +
                              std::to_string(it->second) + "])");
      }
      const std::string at = "users[" + std::to_string(i) + "]";
      if (user.password_is_hash && user.auth_plugin == AuthPlugin::kCachingSha2Password) {
        return fail(at + ".auth_plugin",
                    "caching_sha2_password needs the clear-text password, not a mysql_native_password "
                    "hash");
      }
      if (user.require_tls && !config_.tls.enabled()) {
        return fail(at + ".require_tls", "needs TLS to clients (tls.cert_file and tls.key_file)");
      }
    }
    return std::nullopt;
  }

  std::optional<ConfigError> check_tls() const {
    const ClientTlsConfig& t = config_.tls;
    if (t.cert_file.empty() != t.key_file.empty()) {
      return fail(t.cert_file.empty() ? "tls.cert_file" : "tls.key_file",
                  "tls.cert_file and tls.key_file go together");
    }
    if (t.require && !t.enabled()) return fail("tls.require", "needs tls.cert_file and tls.key_file");
    for (std::size_t i = 0; i < config_.backends.size(); ++i) {
      const BackendTlsConfig& b = config_.backends[i].tls;
      if (b.cert_file.empty() != b.key_file.empty()) {
        return fail("backends[" + std::to_string(i) + "].tls",
                    "cert_file and key_file go together");
      }
    }
    return std::nullopt;
  }

  std::optional<ConfigError> check_limits() const {
    if (config_.workers > kMaxWorkers) {
      return fail("workers", "must be 0.." + std::to_string(kMaxWorkers) + ", got " +
                                 std::to_string(config_.workers));
    }
    if (config_.max_packet_size < kMinPacketSize || config_.max_packet_size > kMaxPacketSize) {
      return fail("max_packet_size", "must be " + format_size(kMinPacketSize) + ".." +
                                         format_size(kMaxPacketSize) + ", got " +
                                         std::to_string(config_.max_packet_size));
    }
    const TimeoutsConfig& t = config_.timeouts;
    for (auto [name, value, may_be_zero] :
         {std::tuple{"connect", t.connect, false}, std::tuple{"handshake", t.handshake, false},
          std::tuple{"idle", t.idle, true}, std::tuple{"query", t.query, true},
          std::tuple{"client_stall", t.client_stall, true}, std::tuple{"drain", t.drain, true}}) {
      if (auto e = check_duration("timeouts." + std::string(name), value, may_be_zero)) return e;
    }
    if (std::ranges::find(kLogLevels, config_.logging.level) == kLogLevels.end()) {
      return fail("logging.level", "unknown level \"" + config_.logging.level + "\"");
    }
    return std::nullopt;
  }

  std::optional<ConfigError> check_health() const {
    const HealthConfig& h = config_.health;
    for (auto [name, value, may_be_zero] :
         {std::tuple{"interval", h.interval, false}, std::tuple{"timeout", h.timeout, false},
          std::tuple{"max_replication_lag", h.max_replication_lag, true},
          std::tuple{"discovery_interval", h.discovery_interval, false}}) {
      if (auto e = check_duration("health." + std::string(name), value, may_be_zero)) return e;
    }
    for (auto [name, value] : {std::pair{"down_after", h.down_after},
                               std::pair{"up_after", h.up_after},
                               std::pair{"lagging_after", h.lagging_after},
                               std::pair{"recover_after", h.recover_after}}) {
      if (auto e = check_range("health." + std::string(name), value, kMinHealthStreak,
                               kMaxHealthStreak)) {
        return e;
      }
    }
    if (!is_plain_table_name(h.heartbeat.table)) {
      return fail("health.heartbeat.table",
                  "expected a table name such as mysql_proxy.heartbeat (letters, digits, _ and $, "
                  "optionally database.table), got \"" + h.heartbeat.table + "\"");
    }
    return std::nullopt;
  }

  // Fields that are fine alone but not together.
  std::optional<ConfigError> check_failover() const {
    const FailoverConfig& f = config_.failover;
    for (auto [name, value, may_be_zero] :
         {std::tuple{"primary_down_after", f.primary_down_after, false},
          std::tuple{"max_candidate_lag", f.max_candidate_lag, true},
          std::tuple{"catchup_timeout", f.catchup_timeout, false},
          std::tuple{"switchover_timeout", f.switchover_timeout, false}}) {
      if (auto e = check_duration("failover." + std::string(name), value, may_be_zero)) return e;
    }
    if (f.primary_down_after < config_.health.timeout) {
      return fail("failover.primary_down_after",
                  "must be at least health.timeout (" + std::to_string(config_.health.timeout.count()) +
                      " ms), or one slow check would start a failover");
    }
    if (f.switchover_timeout < f.catchup_timeout) {
      return fail("failover.switchover_timeout",
                  "must be at least failover.catchup_timeout (" + std::to_string(f.catchup_timeout.count()) +
                      " ms): writes are held while the target catches up");
    }
    if (!f.replication_password.empty() && f.replication_user.empty()) {
      return fail("failover.replication_password", "needs failover.replication_user");
    }
    const bool has_replica = std::ranges::any_of(
        config_.backends, [](const BackendConfig& b) { return b.role == BackendRole::kReplica; });
    if (f.automatic && !has_replica) {
      return fail("failover.automatic", "needs at least one backend with role replica to promote");
    }
    return std::nullopt;
  }

  std::optional<ConfigError> check_routing_and_pool() const {
    if (auto e = check_duration("routing.consistency_timeout",
                                config_.routing.consistency_timeout, true)) {
      return e;
    }
    const PoolConfig& p = config_.pool;
    if (auto e = check_range("pool.max_connections_per_backend", p.max_connections_per_backend, 1,
                             kMaxPoolConnections)) {
      return e;
    }
    if (auto e = check_duration("pool.acquire_timeout", p.acquire_timeout, false)) return e;
    if (auto e = check_duration("pool.idle_timeout", p.idle_timeout, true)) return e;
    if (auto e = check_range("pool.max_prepared_statements", p.max_prepared_statements, 1,
                             kMaxPreparedStatements)) {
      return e;
    }
    return check_range("pool.max_prepared_statement_bytes", p.max_prepared_statement_bytes, 0, kMaxPacketSize);
  }

  // limits: and users[i].max_connections.
  std::optional<ConfigError> check_connection_limits() const {
    const LimitsConfig& l = config_.limits;
    if (auto e = check_range("limits.max_client_connections", l.max_client_connections, 0,
                             kMaxClientConnections)) {
      return e;
    }
    if (auto e = check_range("limits.max_user_connections", l.max_user_connections, 0,
                             kMaxClientConnections)) {
      return e;
    }
    for (std::size_t i = 0; i < config_.users.size(); ++i) {
      const auto& limit = config_.users[i].max_connections;
      if (!limit) continue;
      if (auto e = check_range("users[" + std::to_string(i) + "].max_connections", *limit, 0,
                               kMaxClientConnections)) {
        return e;
      }
    }
    if (auto e = check_range("limits.login_failures", l.login_failures, 0, kMaxLoginFailures)) return e;
    if (auto e = check_duration("limits.login_failure_window", l.login_failure_window, false)) return e;
    if (auto e = check_duration("limits.login_block_time", l.login_block_time, false)) return e;
    if (auto e = check_range("limits.max_pending_logins_per_address", l.max_pending_logins_per_address, 0,
                             kMaxClientConnections)) {
      return e;
    }
    if (auto e = check_range("limits.max_session_prepared_statements", l.max_session_prepared_statements, 1,
                             kMaxSessionPreparedStatements)) {
      return e;
    }
    return check_range("limits.max_session_prepared_bytes", l.max_session_prepared_bytes, kMinPacketSize,
                       kMaxPacketSize);
  }

  std::optional<ConfigError> check_admin() const {
    const AdminConfig& a = config_.admin;
    if (!a.enabled) return std::nullopt;
    if (a.address.empty()) return fail("admin.address", "must not be empty");
    if (a.port == 0) return fail("admin.port", "must be 1..65535, got 0");
    if (a.port == config_.listen.port && (a.address == config_.listen.address ||
                                          a.address == "0.0.0.0" ||
                                          config_.listen.address == "0.0.0.0")) {
      return fail("admin.port", "is the port clients connect to (listen.port)");
    }
    return std::nullopt;
  }

 private:
  std::optional<ConfigError> check_duration(const std::string& path,
                                            std::chrono::milliseconds value,
                                            bool may_be_zero) const {
    if (value.count() < 0 || (!may_be_zero && value.count() == 0) || value > kMaxTimeout) {
      return fail(path, std::string(may_be_zero ? "must be 0.." : "must be 1ms..") +
                            format_duration(kMaxTimeout) + ", got " +
                            std::to_string(value.count()) + "ms");
    }
    return std::nullopt;
  }

  std::optional<ConfigError> check_range(const std::string& path, std::uint32_t value,
                                         std::uint32_t min, std::uint32_t max) const {
    if (value < min || value > max) {
      return fail(path, "must be " + std::to_string(min) + ".." + std::to_string(max) +
                            ", got " + std::to_string(value));
    }
    return std::nullopt;
  }

  const Config& config_;
  const SourceMap& marks_;
};

}  // namespace

Result<void> validate_config(const Config& config, const SourceMap& marks) {
  Checker checker(config, marks);
  for (auto check : {&Checker::check_backends, &Checker::check_users, &Checker::check_tls,
                     &Checker::check_limits,
                     &Checker::check_health, &Checker::check_failover, &Checker::check_routing_and_pool,
                     &Checker::check_admin, &Checker::check_connection_limits}) {
    if (auto error = (checker.*check)()) return *error;
  }
  return {};
}

}  // namespace mysqlproxy::config
