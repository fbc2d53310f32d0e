#pragma once
// The proxy's configuration schema: plain structs whose member defaults are the documented
// defaults (config/README.md). load_config_file() fills them from YAML and validates them.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/network.hpp"

namespace mysqlproxy::config {

enum class BackendRole { kPrimary, kReplica };
enum class LogFormat { kText, kJson };
// How fresh a read routed to a replica must be: eventual = any UP replica; session = one that has
// applied the session's own last write; global = one that has applied everything the primary has.
enum class Consistency { kEventual, kSession, kGlobal };
// The login plugin a user authenticates with (and the greeting's default).
enum class AuthPlugin { kNativePassword, kCachingSha2Password };
// How the proxy secures a backend connection, as MySQL clients' --ssl-mode: disabled, TLS without
// checks, TLS with the certificate checked against the CA, and also the host name against it.
enum class BackendTlsMode { kDisabled, kRequired, kVerifyCa, kVerifyIdentity };
// Oldest TLS version offered or accepted.
enum class TlsVersion { kTls12, kTls13 };
// How long a session holds its backend connections: statement = leased per statement (or while
// something pins it) and shared through the pool; session = its own, kept from first use to its
// end, so everything a connection carries behaves exactly as against the server.
enum class PoolMode { kStatement, kSession };

std::string_view to_string(BackendRole role) noexcept;
std::string_view to_string(LogFormat format) noexcept;
std::string_view to_string(Consistency consistency) noexcept;
std::string_view to_string(AuthPlugin plugin) noexcept;
std::string_view to_string(BackendTlsMode mode) noexcept;
std::string_view to_string(TlsVersion version) noexcept;
std::string_view to_string(PoolMode mode) noexcept;

// Limits shared by the loader (per-field ranges) and validate_config().
inline constexpr std::uint32_t kMaxBackendWeight = 1000;
inline constexpr std::uint32_t kMaxWorkers = 1024;
inline constexpr std::uint32_t kMinPacketSize = 1u << 10;  // 1 KiB
inline constexpr std::uint32_t kMaxPacketSize = 1u << 30;  // 1 GiB
// Caps every timeout so deadline arithmetic (now() + timeout in nanoseconds) cannot overflow.
inline constexpr std::chrono::milliseconds kMaxTimeout = std::chrono::hours(24 * 365);
// Health-check streak thresholds (down_after, up_after, lagging_after, recover_after).
inline constexpr std::uint32_t kMinHealthStreak = 1;
inline constexpr std::uint32_t kMaxHealthStreak = 100;
inline constexpr std::uint32_t kMaxPoolConnections = 100000;
inline constexpr std::uint32_t kMaxPreparedStatements = 65535;
// limits: client connections (overall and per user) and failed logins per source address.
inline constexpr std::uint32_t kMaxClientConnections = 1000000;
inline constexpr std::uint32_t kMaxLoginFailures = 100;
// limits: prepared statements one client session may hold (the server's max_prepared_stmt_count).
inline constexpr std::uint32_t kMaxSessionPreparedStatements = 1048576;
// spdlog's level names.
inline constexpr std::array<std::string_view, 7> kLogLevels = {
    "trace", "debug", "info", "warn", "error", "critical", "off",
};

struct ListenConfig {
  std::string address = "0.0.0.0";
  std::uint16_t port = 3306;
};

// TLS from the proxy (and its health monitor) to one backend. Paths are absolute once loaded.
struct BackendTlsConfig {
  BackendTlsMode mode = BackendTlsMode::kDisabled;
  std::string ca_file;      // PEM; empty = the system's trusted CAs
  std::string cert_file;    // client certificate for servers that ask for one (optional)
  std::string key_file;
  std::string server_name;  // SNI and the name checked by verify_identity; empty = host
  TlsVersion min_version = TlsVersion::kTls12;
  bool operator==(const BackendTlsConfig&) const = default;
};

struct BackendConfig {
  std::string name;
  std::string host;
  std::uint16_t port = 3306;
  BackendRole role = BackendRole::kReplica;
  std::uint32_t weight = 1;  // share of reads among replicas, 0..1000; 0 = never picked for reads
  BackendTlsConfig tls;
  // The compressed protocol on the proxy's connections to this backend; nullopt = compression.backends.
  std::optional<bool> compress;
  // caching_sha2_password without TLS sends the password RSA-encrypted: with the key in this PEM
  // file (absolute once loaded), or, only if get_server_public_key, with the key the server sends
  // (unpinned: an on-path attacker could send its own), as MySQL's GET_SERVER_PUBLIC_KEY.
  std::string rsa_public_key_file;
  bool get_server_public_key = false;
};

struct UserConfig {
  std::string name;
  // Resolved from password / password_env / password_file. "*" + 40 hex digits is taken as the
  // mysql_native_password hash (SELECT PASSWORD('...')) rather than the password itself.
  std::string password;
  bool password_is_hash = false;
  AuthPlugin auth_plugin = AuthPlugin::kNativePassword;
  bool require_tls = false;  // a login without TLS is refused
  // Sessions this user may have open at once: nullopt = limits.max_user_connections; 0 = no limit.
  std::optional<std::uint32_t> max_connections;
  std::optional<PoolMode> pool_mode;  // nullopt = pool.mode
};

// TLS offered to clients. With no certificate the proxy does not offer TLS at all. The files are
// read again on every reload, so a renewed certificate takes effect without a restart.
struct ClientTlsConfig {
  std::string cert_file;  // PEM chain; paths are absolute once loaded
  std::string key_file;
  TlsVersion min_version = TlsVersion::kTls12;
  bool require = false;  // every login must be on TLS, whatever the user
  [[nodiscard]] bool enabled() const noexcept { return !cert_file.empty(); }
};

struct AuthConfig {
  // What the greeting proposes; a client whose user has the other plugin is switched to it.
  AuthPlugin default_plugin = AuthPlugin::kNativePassword;
  // RSA key pair (PEM private key) for caching_sha2_password's password exchange without TLS;
  // empty = a 2048-bit pair generated at start.
  std::string rsa_private_key_file;
  // Clients may also log in with the accounts of the primary's mysql.user (mysql_native_password
  // or no password), read with the health monitor's credentials; users[] entries come first.
  bool backend_users = false;
  // A login of such an account reads mysql.user again when the copy is older than this (0 = at
  // every login), so accounts made, changed or dropped on the server take effect at once.
  std::chrono::milliseconds backend_users_refresh = std::chrono::seconds(1);
};

struct TimeoutsConfig {
  // Backend TCP connect + login.
  std::chrono::milliseconds connect = std::chrono::seconds(2);
  // A client must finish its login within this.
  std::chrono::milliseconds handshake = std::chrono::seconds(10);
  // Close an idle client session; 0 = never.
  std::chrono::milliseconds idle = std::chrono::hours(8);
  // A backend that sends nothing of its answer for this long has the statement killed (KILL QUERY,
  // the client gets the server's ERR 1317); if that does not end it, the connection is closed.
  // 0 = no limit. Checked once a second.
  std::chrono::milliseconds query = std::chrono::milliseconds(0);
  // A client that takes none of an answer's bytes (or sends none of its LOCAL INFILE data) for
  // this long is closed, freeing its backend connection: MySQL's net_write_timeout and
  // net_read_timeout. 0 = never. Checked once a second.
  std::chrono::milliseconds client_stall = std::chrono::seconds(60);
  // On SIGTERM, how long open sessions may go on to finish their transaction; 0 = close at once.
  std::chrono::milliseconds drain = std::chrono::seconds(30);
};

struct LoggingConfig {
  std::string level = "info";  // one of kLogLevels
  LogFormat format = LogFormat::kText;
};

struct HeartbeatConfig {
  // The health monitor writes NOW(6) into `table` on the primary each interval and measures each
  // replica's lag from its copy of the row: sub-second, and it includes MASTER_DELAY.
  bool enabled = false;
  std::string table = "mysql_proxy.heartbeat";  // [database.]table; letters, digits, _ and $
};

struct HealthConfig {
  std::chrono::milliseconds interval = std::chrono::milliseconds(500);  // between checks, > 0
  std::chrono::milliseconds timeout = std::chrono::seconds(1);  // one check's connect/read/write
  std::string user = "monitor";
  std::string password;  // resolved from password / password_env / password_file; "" if none
  // A replica further behind is LAGGING; 0 = no limit.
  std::chrono::milliseconds max_replication_lag = std::chrono::seconds(5);
  std::uint32_t down_after = 3;     // consecutive failed checks -> DOWN
  std::uint32_t up_after = 2;       // consecutive good checks -> UP again
  std::uint32_t lagging_after = 2;  // consecutive checks over the lag limit -> LAGGING
  std::uint32_t recover_after = 3;  // consecutive checks under the limit -> UP again
  HeartbeatConfig heartbeat;
  // false: each check logs in anew and logs out after it. That also proves new logins work (an
  // account locked, max_connections reached) and leaves no idle monitor session on the server.
  bool keep_connection = true;
  // How often backend host names are resolved again (a name may stand for several servers).
  std::chrono::milliseconds discovery_interval = std::chrono::seconds(5);
};

// Promotion of a replica when the primary is lost (docs/failover.md). Off by default: a proxy
// that promotes must be the only thing that does (no operator or orchestrator next to it).
struct FailoverConfig {
  bool automatic = false;
  // How long the primary must have been unreachable (every check failing) before a failover
  // starts; at least health.timeout, so one slow check never starts one.
  std::chrono::milliseconds primary_down_after = std::chrono::seconds(2);
  // A replica further behind than this (its lag when the primary was last reachable) is no
  // candidate; 0 = no limit.
  std::chrono::milliseconds max_candidate_lag = std::chrono::seconds(10);
  // How long the candidate (failover) or the target (switchover) may take to apply what it has
  // received before the change is given up.
  std::chrono::milliseconds catchup_timeout = std::chrono::seconds(10);
  // A switchover holds new writes at most this long (then they get an error and the old primary
  // is made writable again); at least catchup_timeout.
  std::chrono::milliseconds switchover_timeout = std::chrono::seconds(15);
  // The account a server made a replica by the proxy replicates with (an old primary rejoining
  // has none of its own). Empty: CHANGE MASTER keeps the account the server already has.
  std::string replication_user;
  std::string replication_password;  // from replication_password / _env / _file
};

struct RoutingConfig {
  bool reads_fallback_to_primary = true;  // no usable replica: reads go to the primary (or error)
  Consistency consistency = Consistency::kEventual;
  // How long a read may wait for a replica to catch up; 0 = don't wait.
  std::chrono::milliseconds consistency_timeout = std::chrono::seconds(1);
  bool honor_hints = true;  // /* route=primary|replica */ comments
  bool read_only_transactions_on_replica = true;
};

struct PoolConfig {
  PoolMode mode = PoolMode::kStatement;
  std::uint32_t max_connections_per_backend = 200;  // across all workers, 1..100000
  // Wait this long for a free backend connection before ERR 1040; > 0.
  std::chrono::milliseconds acquire_timeout = std::chrono::seconds(2);
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);  // 0 = never
  std::uint32_t max_prepared_statements = 256;  // per backend connection, LRU, 1..65535
  // Total statement text a backend connection keeps prepared for reuse, LRU; a statement larger
  // than this is closed once its session lets it go.
  std::uint32_t max_prepared_statement_bytes = 4u << 20;
};

struct AdminConfig {
  bool enabled = true;
  std::string address = "127.0.0.1";
  std::uint16_t port = 9180;
  // /readyz also needs a reachable primary. Off: a primary outage leaves the proxy ready, so an
  // orchestrator keeps sending it clients whose reads replicas can still serve.
  bool readiness_requires_primary = true;
  // Bearer token the POST endpoints require (resolved from token / token_env / token_file);
  // "" = those endpoints are off. It also opens the read endpoints.
  std::string token;
  // Bearer token that opens the read endpoints under /api/v1 (pool, config, clients) and no more
  // (read_token / read_token_env / read_token_file). With neither token set, those answer only
  // clients connecting from a loopback address. /healthz, /readyz and /metrics need no token.
  std::string read_token;
};

struct LimitsConfig {
  // Client connections open at once over all workers, logins in progress included; further ones
  // get ERR 1040 instead of the greeting. 0 = no limit.
  std::uint32_t max_client_connections = 10000;
  // Sessions one user may have open at once (a user's max_connections overrides it); the one
  // over the limit gets ERR 1040 after its password checked out. 0 = no limit.
  std::uint32_t max_user_connections = 0;
  // Failed logins from one source address (an IPv6 /64) within login_failure_window that block
  // it for login_block_time: its connections get ERR 1129 instead of the greeting. 0 = off.
  std::uint32_t login_failures = 10;
  std::chrono::milliseconds login_failure_window = std::chrono::seconds(60);  // > 0
  std::chrono::milliseconds login_block_time = std::chrono::seconds(60);      // > 0
  // Addresses and networks never blocked (a NAT gateway many clients share, a health checker).
  std::vector<IpNetwork> login_throttle_exempt;
  // Logins in progress (connected, not yet authenticated) from one source address (an IPv6 /64);
  // the next connection gets ERR 1040 instead of the greeting. login_throttle_exempt sources are
  // not counted. 0 = no limit.
  std::uint32_t max_pending_logins_per_address = 100;
  // Prepared statements one client session may hold at once, and their text's total bytes; the
  // prepare over either gets the server's ERR 1461 (max_prepared_stmt_count).
  std::uint32_t max_session_prepared_statements = 16382;
  std::uint32_t max_session_prepared_bytes = 64u << 20;
};

// The compressed protocol (zlib: CLIENT_COMPRESS; zstd: CLIENT_ZSTD_COMPRESSION_ALGORITHM). The
// client side and the backend side are separate choices: a session's compression ends at the proxy.
struct CompressionConfig {
  bool clients = true;    // offer compression to clients; each client still chooses whether to use it
  bool zstd = true;       // offer zstd as well (MySQL 8.0.18+ clients); only with clients
  bool backends = false;  // compress the proxy's own backend connections, health checks included
};

// Whether the proxy's connections to `backend` are compressed (the backend must offer it too).
bool compress_backend(const CompressionConfig& compression, const BackendConfig& backend) noexcept;

// The session limit of `user`: its own max_connections, else the default. 0 = no limit.
std::uint32_t user_connection_limit(const LimitsConfig& limits, const UserConfig& user) noexcept;
// The pool mode of `user`: its own pool_mode, else pool.mode.
PoolMode user_pool_mode(const PoolConfig& pool, const UserConfig& user) noexcept;

struct Config {
  ListenConfig listen;
  std::uint32_t workers = 0;                  // 0 = one per core
  std::string server_version;                 // advertised to clients; empty = take the primary's
  std::uint32_t max_packet_size = 64u << 20;  // bytes, largest packet accepted (1 KiB .. 1 GiB)
  std::vector<BackendConfig> backends;
  std::vector<UserConfig> users;
  ClientTlsConfig tls;
  AuthConfig auth;
  TimeoutsConfig timeouts;
  LoggingConfig logging;
  HealthConfig health;
  FailoverConfig failover;
  RoutingConfig routing;
  PoolConfig pool;
  AdminConfig admin;
  LimitsConfig limits;
  CompressionConfig compression;
  std::string source;  // file path (or source name) it was loaded from; prefixes error messages
};

// nullptr if no user has that name.
const UserConfig* find_user(const Config& config, std::string_view name);
// The backend with role primary; nullptr only for a Config that has not passed validation.
const BackendConfig* primary_backend(const Config& config);
// True for "table" or "database.table" made of letters, digits, '_' and '$' (no quoting needed,
// so the name can be put into SQL text as is).
bool is_plain_table_name(std::string_view name) noexcept;
// True for "*" followed by 40 hex digits: a mysql_native_password hash as SELECT PASSWORD() gives.
bool is_native_password_hash(std::string_view password) noexcept;

}  // namespace mysqlproxy::config
