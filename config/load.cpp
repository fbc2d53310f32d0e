#include "config/load.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <filesystem>

#include "config/password.hpp"
#include "config/read_file.hpp"
#include "config/validate.hpp"
#include "config/yaml_reader.hpp"

namespace mysqlproxy::config {
namespace {

using Error = std::optional<ConfigError>;

constexpr std::array<std::string_view, 17> kTopLevelKeys = {
    "listen", "workers", "server_version", "max_packet_size", "backends", "users", "tls", "auth",
    "timeouts", "logging", "health", "failover", "routing", "pool", "admin", "limits", "compression",
};
constexpr std::array<std::string_view, 2> kListenKeys = {"address", "port"};
constexpr std::array<std::string_view, 9> kBackendKeys = {
    "name", "host", "port", "role", "weight", "tls", "compress", "rsa_public_key_file", "get_server_public_key"};
constexpr std::array<std::string_view, 6> kBackendTlsKeys = {"mode", "ca_file", "cert_file", "key_file",
                                                             "server_name", "min_version"};
constexpr std::array<std::string_view, 8> kUserKeys = {"name",        "password",    "password_env",
                                                       "password_file", "auth_plugin", "require_tls",
                                                       "max_connections", "pool_mode"};
constexpr std::array<std::string_view, 4> kClientTlsKeys = {"cert_file", "key_file", "min_version", "require"};
constexpr std::array<std::string_view, 4> kAuthKeys = {"default_plugin", "rsa_private_key_file", "backend_users",
                                                       "backend_users_refresh"};
constexpr std::array<std::string_view, 6> kTimeoutKeys = {"connect", "handshake", "idle", "query",
                                                          "client_stall", "drain"};
constexpr std::array<std::string_view, 2> kLoggingKeys = {"level", "format"};
constexpr std::array<std::string_view, 14> kHealthKeys = {
    "interval", "timeout", "user", "password", "password_env", "password_file",
    "max_replication_lag", "down_after", "up_after", "lagging_after", "recover_after",
    "heartbeat", "keep_connection", "discovery_interval",
};
constexpr std::array<std::string_view, 2> kHeartbeatKeys = {"enabled", "table"};
constexpr std::array<std::string_view, 9> kFailoverKeys = {
    "automatic",        "primary_down_after",   "max_candidate_lag",        "catchup_timeout",
    "switchover_timeout", "replication_user",   "replication_password", "replication_password_env",
    "replication_password_file"};
constexpr std::array<std::string_view, 5> kRoutingKeys = {
    "reads_fallback_to_primary", "consistency", "consistency_timeout", "honor_hints",
    "read_only_transactions_on_replica",
};
constexpr std::array<std::string_view, 6> kPoolKeys = {
    "mode", "max_connections_per_backend", "acquire_timeout", "idle_timeout", "max_prepared_statements",
    "max_prepared_statement_bytes"};

constexpr std::array<std::string_view, 10> kAdminKeys = {
    "enabled", "address", "port", "readiness_requires_primary", "token", "token_env", "token_file",
    "read_token", "read_token_env", "read_token_file"};

constexpr std::array<std::string_view, 9> kLimitsKeys = {
    "max_client_connections", "max_user_connections", "login_failures", "login_failure_window",
    "login_block_time", "login_throttle_exempt", "max_pending_logins_per_address",
    "max_session_prepared_statements", "max_session_prepared_bytes"};

constexpr std::array<std::string_view, 3> kCompressionKeys = {"clients", "zstd", "backends"};

constexpr std::array kRoles = {BackendRole::kPrimary, BackendRole::kReplica};
constexpr std::array kPlugins = {AuthPlugin::kNativePassword, AuthPlugin::kCachingSha2Password};
constexpr std::array kBackendTlsModes = {BackendTlsMode::kDisabled, BackendTlsMode::kRequired,
                                         BackendTlsMode::kVerifyCa, BackendTlsMode::kVerifyIdentity};
constexpr std::array kTlsVersions = {TlsVersion::kTls12, TlsVersion::kTls13};
constexpr std::array kFormats = {LogFormat::kText, LogFormat::kJson};
constexpr std::array kPoolModes = {PoolMode::kStatement, PoolMode::kSession};
constexpr std::array kConsistencies = {Consistency::kEventual, Consistency::kSession,
                                       Consistency::kGlobal};

constexpr std::uint16_t kMinPort = 1;
constexpr std::uint16_t kMaxPort = 65535;

// What every section reader needs: the YAML reader and where relative paths start.
struct Context {
  const Reader& reader;
  std::filesystem::path base_dir;
};

template <class T>
using ReadFn = Error (*)(const Context&, const Field&, T&);

Error read_listen(const Context& ctx, const Field& field, ListenConfig& out) {
  auto map = ctx.reader.mapping(field, kListenKeys);
  if (!map) return map.error();
  if (auto e = map->get_string("address", out.address)) return e;
  return map->get_integer("port", out.port, kMinPort, kMaxPort);
}

// A file path; a relative one is taken from the config file's folder.
Error get_path(const Context& ctx, const Mapping& map, std::string_view key, std::string& out) {
  if (auto e = map.get_string(key, out)) return e;
  if (!out.empty() && std::filesystem::path(out).is_relative() && !ctx.base_dir.empty()) {
    out = (ctx.base_dir / out).string();
  }
  return std::nullopt;
}

Error read_backend_tls(const Context& ctx, const Field& field, BackendTlsConfig& out) {
  auto map = ctx.reader.mapping(field, kBackendTlsKeys);
  if (!map) return map.error();
  if (auto e = map->get_enum("mode", out.mode, kBackendTlsModes)) return e;
  for (auto [key, value] : {std::pair{"ca_file", &out.ca_file}, std::pair{"cert_file", &out.cert_file},
                            std::pair{"key_file", &out.key_file}}) {
    if (auto e = get_path(ctx, *map, key, *value)) return e;
  }
  if (auto e = map->get_string("server_name", out.server_name)) return e;
  return map->get_enum("min_version", out.min_version, kTlsVersions);
}

Error read_client_tls(const Context& ctx, const Field& field, ClientTlsConfig& out) {
  auto map = ctx.reader.mapping(field, kClientTlsKeys);
  if (!map) return map.error();
  if (auto e = get_path(ctx, *map, "cert_file", out.cert_file)) return e;
  if (auto e = get_path(ctx, *map, "key_file", out.key_file)) return e;
  if (auto e = map->get_enum("min_version", out.min_version, kTlsVersions)) return e;
  return map->get_bool("require", out.require);
}

Error read_auth(const Context& ctx, const Field& field, AuthConfig& out) {
  auto map = ctx.reader.mapping(field, kAuthKeys);
  if (!map) return map.error();
  if (auto e = map->get_enum("default_plugin", out.default_plugin, kPlugins)) return e;
  if (auto e = map->get_bool("backend_users", out.backend_users)) return e;
  if (auto e = map->get_duration("backend_users_refresh", out.backend_users_refresh, /*allow_zero=*/true)) return e;
  return get_path(ctx, *map, "rsa_private_key_file", out.rsa_private_key_file);
}

Error read_backend(const Context& ctx, const Field& field, BackendConfig& out) {
  auto map = ctx.reader.mapping(field, kBackendKeys);
  if (!map) return map.error();
  if (auto e = map->require_string("name", out.name)) return e;
  if (auto e = map->require_string("host", out.host)) return e;
  if (auto e = map->get_integer("port", out.port, kMinPort, kMaxPort)) return e;
  if (auto e = map->get_enum("role", out.role, kRoles)) return e;
  if (auto e = map->get_integer("weight", out.weight, 0u, kMaxBackendWeight)) return e;
  if (map->find("compress") != nullptr) {
    bool compress = false;
    if (auto e = map->get_bool("compress", compress)) return e;
    out.compress = compress;
  }
  if (auto e = get_path(ctx, *map, "rsa_public_key_file", out.rsa_public_key_file)) return e;
  if (auto e = map->get_bool("get_server_public_key", out.get_server_public_key)) return e;
  if (const Field* tls = map->find("tls")) return read_backend_tls(ctx, *tls, out.tls);
  return std::nullopt;
}

Error read_user(const Context& ctx, const Field& field, UserConfig& out) {
  auto map = ctx.reader.mapping(field, kUserKeys);
  if (!map) return map.error();
  if (auto e = map->require_string("name", out.name)) return e;
  auto password = read_password(*map, ctx.base_dir);
  if (!password) return password.error();
  out.password = std::move(*password);
  out.password_is_hash = is_native_password_hash(out.password);
  if (auto e = map->get_enum("auth_plugin", out.auth_plugin, kPlugins)) return e;
  if (auto e = map->get_bool("require_tls", out.require_tls)) return e;
  if (const Field* limit = map->find("max_connections")) {
    auto value = ctx.reader.integer(*limit, 0, kMaxClientConnections);
    if (!value) return value.error();
    out.max_connections = static_cast<std::uint32_t>(*value);
  }
  if (map->find("pool_mode")) {
    PoolMode mode = PoolMode::kStatement;
    if (auto e = map->get_enum("pool_mode", mode, kPoolModes)) return e;
    out.pool_mode = mode;
  }
  return std::nullopt;
}

template <class T>
Error read_list(const Context& ctx, const Field& field, std::vector<T>& out, ReadFn<T> read_item) {
  auto items = ctx.reader.sequence(field);
  if (!items) return items.error();
  out.clear();
  for (const Field& item : *items) {
    if (auto e = read_item(ctx, item, out.emplace_back())) return e;
  }
  return std::nullopt;
}

Error read_backends(const Context& ctx, const Field& field, std::vector<BackendConfig>& out) {
  return read_list(ctx, field, out, read_backend);
}

Error read_users(const Context& ctx, const Field& field, std::vector<UserConfig>& out) {
  return read_list(ctx, field, out, read_user);
}

Error read_timeouts(const Context& ctx, const Field& field, TimeoutsConfig& out) {
  auto map = ctx.reader.mapping(field, kTimeoutKeys);
  if (!map) return map.error();
  // A connect or login without a deadline would let one stuck peer hold a slot forever.
  if (auto e = map->get_duration("connect", out.connect, /*allow_zero=*/false)) return e;
  if (auto e = map->get_duration("handshake", out.handshake, /*allow_zero=*/false)) return e;
  if (auto e = map->get_duration("idle", out.idle, /*allow_zero=*/true)) return e;
  if (auto e = map->get_duration("query", out.query, /*allow_zero=*/true)) return e;
  if (auto e = map->get_duration("client_stall", out.client_stall, /*allow_zero=*/true)) return e;
  return map->get_duration("drain", out.drain, /*allow_zero=*/true);
}

Error read_logging(const Context& ctx, const Field& field, LoggingConfig& out) {
  auto map = ctx.reader.mapping(field, kLoggingKeys);
  if (!map) return map.error();
  if (auto e = map->get_choice("level", out.level, kLogLevels)) return e;
  return map->get_enum("format", out.format, kFormats);
}

Error read_heartbeat(const Context& ctx, const Field& field, HeartbeatConfig& out) {
  auto map = ctx.reader.mapping(field, kHeartbeatKeys);
  if (!map) return map.error();
  if (auto e = map->get_bool("enabled", out.enabled)) return e;
  return map->get_string("table", out.table);  // validate_config checks the name's form
}

Error read_health(const Context& ctx, const Field& field, HealthConfig& out) {
  auto map = ctx.reader.mapping(field, kHealthKeys);
  if (!map) return map.error();
  // A zero interval would spin; a zero timeout would let one stuck server stall its checks.
  if (auto e = map->get_duration("interval", out.interval, /*allow_zero=*/false)) return e;
  if (auto e = map->get_duration("timeout", out.timeout, /*allow_zero=*/false)) return e;
  if (auto e = map->get_string("user", out.user)) return e;
  // Optional here: a monitor user without a password is legitimate.
  auto password = read_optional_password(*map, ctx.base_dir);
  if (!password) return password.error();
  if (*password) out.password = std::move(**password);
  if (auto e = map->get_duration("max_replication_lag", out.max_replication_lag,
                                 /*allow_zero=*/true)) {
    return e;
  }
  for (auto [key, value] : {std::pair{"down_after", &out.down_after},
                            std::pair{"up_after", &out.up_after},
                            std::pair{"lagging_after", &out.lagging_after},
                            std::pair{"recover_after", &out.recover_after}}) {
    if (auto e = map->get_integer(key, *value, kMinHealthStreak, kMaxHealthStreak)) return e;
  }
  if (const Field* heartbeat = map->find("heartbeat")) {
    if (auto e = read_heartbeat(ctx, *heartbeat, out.heartbeat)) return e;
  }
  if (auto e = map->get_bool("keep_connection", out.keep_connection)) return e;
  return map->get_duration("discovery_interval", out.discovery_interval, /*allow_zero=*/false);
}

Error read_failover(const Context& ctx, const Field& field, FailoverConfig& out) {
  auto map = ctx.reader.mapping(field, kFailoverKeys);
  if (!map) return map.error();
  if (auto e = map->get_bool("automatic", out.automatic)) return e;
  if (auto e = map->get_duration("primary_down_after", out.primary_down_after, /*allow_zero=*/false)) return e;
  if (auto e = map->get_duration("max_candidate_lag", out.max_candidate_lag, /*allow_zero=*/true)) return e;
  if (auto e = map->get_duration("catchup_timeout", out.catchup_timeout, /*allow_zero=*/false)) return e;
  if (auto e = map->get_duration("switchover_timeout", out.switchover_timeout, /*allow_zero=*/false)) return e;
  if (auto e = map->get_string("replication_user", out.replication_user)) return e;
  auto password = read_optional_secret(*map, "replication_password", ctx.base_dir);
  if (!password) return password.error();
  if (*password) out.replication_password = std::move(**password);
  return std::nullopt;
}

Error read_routing(const Context& ctx, const Field& field, RoutingConfig& out) {
  auto map = ctx.reader.mapping(field, kRoutingKeys);
  if (!map) return map.error();
  if (auto e = map->get_bool("reads_fallback_to_primary", out.reads_fallback_to_primary)) return e;
  if (auto e = map->get_enum("consistency", out.consistency, kConsistencies)) return e;
  if (auto e = map->get_duration("consistency_timeout", out.consistency_timeout,
                                 /*allow_zero=*/true)) {
    return e;
  }
  if (auto e = map->get_bool("honor_hints", out.honor_hints)) return e;
  return map->get_bool("read_only_transactions_on_replica",
                       out.read_only_transactions_on_replica);
}

Error read_pool(const Context& ctx, const Field& field, PoolConfig& out) {
  auto map = ctx.reader.mapping(field, kPoolKeys);
  if (!map) return map.error();
  if (auto e = map->get_enum("mode", out.mode, kPoolModes)) return e;
  if (auto e = map->get_integer("max_connections_per_backend", out.max_connections_per_backend,
                                1u, kMaxPoolConnections)) {
    return e;
  }
  // 0 would turn every busy moment into ERR 1040 at once.
  if (auto e = map->get_duration("acquire_timeout", out.acquire_timeout, /*allow_zero=*/false)) {
    return e;
  }
  if (auto e = map->get_duration("idle_timeout", out.idle_timeout, /*allow_zero=*/true)) return e;
  if (auto e = map->get_integer("max_prepared_statements", out.max_prepared_statements, 1u,
                                kMaxPreparedStatements)) {
    return e;
  }
  return map->get_size("max_prepared_statement_bytes", out.max_prepared_statement_bytes, 0u, kMaxPacketSize);
}

Error read_admin(const Context& ctx, const Field& field, AdminConfig& out) {
  auto map = ctx.reader.mapping(field, kAdminKeys);
  if (!map) return map.error();
  if (auto e = map->get_bool("enabled", out.enabled)) return e;
  if (auto e = map->get_string("address", out.address)) return e;
  if (auto e = map->get_integer("port", out.port, kMinPort, kMaxPort)) return e;
  if (auto e = map->get_bool("readiness_requires_primary", out.readiness_requires_primary)) return e;
  auto token = read_optional_secret(*map, "token", ctx.base_dir);
  if (!token) return token.error();
  if (*token) out.token = std::move(**token);
  auto read_token = read_optional_secret(*map, "read_token", ctx.base_dir);
  if (!read_token) return read_token.error();
  if (*read_token) out.read_token = std::move(**read_token);
  return std::nullopt;
}

Error read_networks(const Context& ctx, const Field& field, std::vector<IpNetwork>& out) {
  auto items = ctx.reader.sequence(field);
  if (!items) return items.error();
  out.clear();
  for (const Field& item : *items) {
    auto text = ctx.reader.string(item);
    if (!text) return text.error();
    auto network = parse_ip_network(*text);
    if (!network) {
      return ctx.reader.error(item, "expected an IP address or network such as 10.0.0.7, 10.0.0.0/8 or "
                                    "2001:db8::/32, got \"" + *text + "\"");
    }
    out.push_back(std::move(*network));
  }
  return std::nullopt;
}

Error read_limits(const Context& ctx, const Field& field, LimitsConfig& out) {
  auto map = ctx.reader.mapping(field, kLimitsKeys);
  if (!map) return map.error();
  if (auto e = map->get_integer("max_client_connections", out.max_client_connections, 0u,
                                kMaxClientConnections)) {
    return e;
  }
  if (auto e = map->get_integer("max_user_connections", out.max_user_connections, 0u,
                                kMaxClientConnections)) {
    return e;
  }
  if (auto e = map->get_integer("login_failures", out.login_failures, 0u, kMaxLoginFailures)) return e;
  // A zero window would count nothing; a zero block would block nothing: 0 in login_failures
  // is the way to turn the throttle off.
  if (auto e = map->get_duration("login_failure_window", out.login_failure_window, /*allow_zero=*/false)) {
    return e;
  }
  if (auto e = map->get_duration("login_block_time", out.login_block_time, /*allow_zero=*/false)) return e;
  if (auto e = map->get_integer("max_pending_logins_per_address", out.max_pending_logins_per_address, 0u,
                                kMaxClientConnections)) {
    return e;
  }
  if (auto e = map->get_integer("max_session_prepared_statements", out.max_session_prepared_statements, 1u,
                                kMaxSessionPreparedStatements)) {
    return e;
  }
  if (auto e = map->get_size("max_session_prepared_bytes", out.max_session_prepared_bytes, kMinPacketSize,
                             kMaxPacketSize)) {
    return e;
  }
  if (const Field* exempt = map->find("login_throttle_exempt")) {
    return read_networks(ctx, *exempt, out.login_throttle_exempt);
  }
  return std::nullopt;
}

Error read_compression(const Context& ctx, const Field& field, CompressionConfig& out) {
  auto map = ctx.reader.mapping(field, kCompressionKeys);
  if (!map) return map.error();
  if (auto e = map->get_bool("clients", out.clients)) return e;
  if (auto e = map->get_bool("zstd", out.zstd)) return e;
  return map->get_bool("backends", out.backends);
}

// Absent sections keep their defaults.
template <class T>
Error read_section(const Context& ctx, const Mapping& top, std::string_view key, T& out,
                   ReadFn<T> read) {
  const Field* field = top.find(key);
  return field == nullptr ? std::nullopt : read(ctx, *field, out);
}

Error read_config(const Context& ctx, const Field& root, Config& out) {
  auto top = ctx.reader.mapping(root, kTopLevelKeys);
  if (!top) return top.error();
  if (auto e = read_section(ctx, *top, "listen", out.listen, read_listen)) return e;
  if (auto e = top->get_integer("workers", out.workers, 0u, kMaxWorkers)) return e;
  if (auto e = top->get_string("server_version", out.server_version)) return e;
  if (auto e = top->get_size("max_packet_size", out.max_packet_size, kMinPacketSize,
                             kMaxPacketSize)) {
    return e;
  }
  if (auto e = read_section(ctx, *top, "backends", out.backends, read_backends)) return e;
  if (auto e = read_section(ctx, *top, "users", out.users, read_users)) return e;
  if (auto e = read_section(ctx, *top, "tls", out.tls, read_client_tls)) return e;
  if (auto e = read_section(ctx, *top, "auth", out.auth, read_auth)) return e;
  if (auto e = read_section(ctx, *top, "timeouts", out.timeouts, read_timeouts)) return e;
  if (auto e = read_section(ctx, *top, "logging", out.logging, read_logging)) return e;
  if (auto e = read_section(ctx, *top, "health", out.health, read_health)) return e;
  if (auto e = read_section(ctx, *top, "failover", out.failover, read_failover)) return e;
  if (auto e = read_section(ctx, *top, "routing", out.routing, read_routing)) return e;
  if (auto e = read_section(ctx, *top, "pool", out.pool, read_pool)) return e;
  if (auto e = read_section(ctx, *top, "admin", out.admin, read_admin)) return e;
  if (auto e = read_section(ctx, *top, "limits", out.limits, read_limits)) return e;
  return read_section(ctx, *top, "compression", out.compression, read_compression);
}

Result<Config> load(std::string_view yaml, std::string source,
                    const std::filesystem::path& base_dir) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    std::optional<Location> at;
    if (!e.mark.is_null()) at = Location{e.mark.line + 1, e.mark.column + 1};
    return make_error(source, at, "", "invalid YAML: " + e.msg);
  }
  SourceMap marks;
  Reader reader(source, marks);
  if (documents.size() > 1) {
    return reader.error(documents[1].Mark(), "",
                        "expected one YAML document, found " + std::to_string(documents.size()));
  }
  Config config;
  config.source = source;
  try {
    Field root = reader.root(documents.empty() ? YAML::Node() : documents.front());
    if (auto e = read_config(Context{reader, base_dir}, root, config)) return std::move(*e);
  } catch (const YAML::Exception& e) {
    // The reader checks node types before every access, so this is a bug, not bad input;
    // still an error value rather than an escaped exception.
    return reader.error(e.mark, "", std::string("internal error reading YAML: ") + e.what());
  }
  if (auto valid = validate_config(config, marks); !valid) return valid.error();
  return config;
}

}  // namespace

Result<Config> load_config_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return ConfigError{path + ": cannot read file: " + text.error().message()};
  return load(*text, path, std::filesystem::path(path).parent_path());
}

Result<Config> load_config_text(std::string_view yaml, std::string_view source_name) {
  return load(yaml, std::string(source_name), {});
}

}  // namespace mysqlproxy::config
