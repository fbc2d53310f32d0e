#include "proxy/health/monitor_connection.hpp"

#include <errmsg.h>
#include <mysql.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "config/backend_lookup.hpp"
#include "proxy/tls/tls_context.hpp"

// Exported by libmariadb (the hook its trace plugin uses), declared by no installed header. Weak:
// a client library without it leaves the guard below off (logged once).
extern "C" int ma_pvio_register_callback(my_bool register_callback,
                                         void (*callback)(int mode, MYSQL* mysql, const unsigned char* buffer,
                                                          std::size_t length)) __attribute__((weak));

namespace mysqlproxy::proxy {
namespace {

// ---- plaintext injected before TLS ----
// Connector/C reads the greeting through a read-ahead buffer (up to 16 KiB) and does not empty it
// when TLS starts: bytes that came in with the greeting are later read as the server's answers, as
// if TLS had carried them. Whoever sits on the path could forge the login's result and the checks'
// answers. A server sends nothing after its greeting until the client answers, so while the
// monitor connects with TLS, its reads are watched through the library's I/O callback: when the
// reads before the client's first write bring more than the greeting, the socket is shut at once,
// before the SSLRequest (let alone a password) goes out, and the connection is refused.

struct GreetingWatch {
  MYSQL* mysql = nullptr;
  std::array<unsigned char, 4> header{};
  std::size_t received = 0;  // bytes read before the client first wrote
  bool answered = false;     // the client wrote: the greeting is behind us
  std::size_t excess = 0;    // bytes that came with the greeting, beyond it
};

// The connect in progress on this thread (mysql_real_connect runs on the caller's thread).
thread_local GreetingWatch* t_watch = nullptr;

void watch_io(int mode, MYSQL* mysql, const unsigned char* buffer, std::size_t length) {
  GreetingWatch* w = t_watch;
  if (w == nullptr || w->mysql != mysql || w->answered) return;
  if (mode != 0) {  // the first write: the SSLRequest (or the login, without TLS)
    w->answered = true;
    return;
  }
  if (static_cast<std::ptrdiff_t>(length) <= 0) return;  // a read's result as is: -1 on errors
  for (std::size_t i = w->received; i < w->header.size() && i < w->received + length; ++i) {
    w->header[i] = buffer[i - w->received];
  }
  w->received += length;
  if (w->received < w->header.size()) return;
  const std::size_t frame = 4 + (w->header[0] | (w->header[1] << 8) | (w->header[2] << 16));
  if (w->received <= frame) return;
  w->excess = w->received - frame;
  ::shutdown(static_cast<int>(mysql_get_socket(mysql)), SHUT_RDWR);
}

class WatchScope {
 public:
  explicit WatchScope(GreetingWatch* watch) { t_watch = watch; }
  ~WatchScope() { t_watch = nullptr; }
  WatchScope(const WatchScope&) = delete;
  WatchScope& operator=(const WatchScope&) = delete;
};

// ---- waits bounded by the call's deadline ----
// Connector/C 3.3 waits for TLS I/O with the connect, read and write timeouts, which it keeps in
// seconds, passed as milliseconds: with a 3 s timeout the TLS handshake gets 3 ms to hear from
// the server, and every TLS read as long, so a backend a few milliseconds away fails its checks.
// The library lets the wait be the caller's (MARIADB_OPT_IO_WAIT): the monitor waits until the
// deadline of the call in progress (connect, or query and result), whatever the library asks.

// The deadline of the library call in progress on this thread; none outside of one.
thread_local std::optional<std::chrono::steady_clock::time_point> t_deadline;

int wait_io(my_socket socket, my_bool is_read, int library_timeout_ms) {
  pollfd p{};
  p.fd = socket;
  p.events = is_read ? POLLIN : POLLOUT;
  for (;;) {
    int wait_ms = library_timeout_ms == 0 ? -1 : library_timeout_ms;  // 0: the library's "forever"
    if (t_deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*t_deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
    }
    const int rc = ::poll(&p, 1, wait_ms);
    if (rc == -1 && errno == EINTR) continue;
    if (rc == 0) errno = ETIMEDOUT;  // as the library's own wait reports it
    return rc;
  }
}

class DeadlineScope {
 public:
  explicit DeadlineScope(std::chrono::milliseconds timeout) { t_deadline = std::chrono::steady_clock::now() + timeout; }
  ~DeadlineScope() { t_deadline.reset(); }
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;
};

// ---- certificate checks ----

// The system's trusted CAs as OpenSSL finds them (SSL_CERT_FILE / SSL_CERT_DIR first): the
// library checks a certificate only when it is given a CA file or directory.
struct TrustAnchors {
  std::string file;
  std::string dir;
};

TrustAnchors system_trust() {
  auto pick = [](const char* env, const char* fallback) {
    const char* value = std::getenv(env);
    return std::string(value != nullptr && *value != '\0' ? value : fallback);
  };
  std::error_code ec;
  TrustAnchors t;
  if (auto file = pick(X509_get_default_cert_file_env(), X509_get_default_cert_file());
      std::filesystem::is_regular_file(file, ec)) {
    t.file = std::move(file);
  }
  if (auto dir = pick(X509_get_default_cert_dir_env(), X509_get_default_cert_dir());
      std::filesystem::is_directory(dir, ec)) {
    t.dir = std::move(dir);
  }
  return t;
}

// TLS as the backend's config asks. required: encrypted, nothing checked. verify_ca: the chain
// against ca_file (or the system's CAs). verify_identity: that too, and the certificate must be
// the one `pinned_fingerprint` names, which TlsIdentityProbe checked for the name. Returns an
// error when no CA can be trusted: never a silent "no checks".
std::optional<std::string> apply_tls(MYSQL* mysql, const config::BackendTlsConfig& tls,
                                     const std::string& pinned_fingerprint) {
  my_bool off = 0;
  my_bool on = 1;
  // The library would compare the certificate with the address it connects to; the name the
  // config means is checked by the probe instead.
  mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
  if (tls.mode == config::BackendTlsMode::kDisabled) {
    mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &off);
    return std::nullopt;
  }
  mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
  mysql_options(mysql, MYSQL_OPT_SSL_CIPHER, kTls12Ciphers);
  if (tls.mode != config::BackendTlsMode::kRequired) {
    if (!tls.ca_file.empty()) {
      mysql_options(mysql, MYSQL_OPT_SSL_CA, tls.ca_file.c_str());
    } else {
      const TrustAnchors system = system_trust();
      if (system.file.empty() && system.dir.empty()) {
        return std::string("no trusted CA certificates: the system has none where OpenSSL looks; set tls.ca_file");
      }
      if (!system.file.empty()) mysql_options(mysql, MYSQL_OPT_SSL_CA, system.file.c_str());
      if (!system.dir.empty()) mysql_options(mysql, MYSQL_OPT_SSL_CAPATH, system.dir.c_str());
    }
  }
  if (!pinned_fingerprint.empty()) mysql_options(mysql, MARIADB_OPT_TLS_PEER_FP, pinned_fingerprint.c_str());
  if (!tls.cert_file.empty()) {
    mysql_options(mysql, MYSQL_OPT_SSL_CERT, tls.cert_file.c_str());
    mysql_options(mysql, MYSQL_OPT_SSL_KEY, tls.key_file.c_str());
  }
  if (tls.min_version == config::TlsVersion::kTls13) mysql_options(mysql, MARIADB_OPT_TLS_VERSION, "TLSv1.3");
  else mysql_options(mysql, MARIADB_OPT_TLS_VERSION, "TLSv1.2,TLSv1.3");
  return std::nullopt;
}

// Certificates the probe checked, by endpoint and what they were checked for, so a monitor that
// reconnects (or the backend users loader, every refresh) need not check again until the server
// shows another certificate.
class CertificatePins {
 public:
  static std::string key(const ConnectionSettings& s) {
    return s.host + "\n" + std::to_string(s.port) + "\n" + s.tls.server_name + "\n" + s.tls.ca_file;
  }
  std::string get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = pins_.find(key);
    return it == pins_.end() ? std::string() : it->second;
  }
  void set(const std::string& key, std::string fingerprint) {
    std::lock_guard lock(mu_);
    if (pins_.size() >= kMaxPins) pins_.clear();  // addresses that come and go: start afresh
    pins_[key] = std::move(fingerprint);
  }
  void drop(const std::string& key) {
    std::lock_guard lock(mu_);
    pins_.erase(key);
  }

 private:
  static constexpr std::size_t kMaxPins = 1024;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> pins_;
};

CertificatePins& certificate_pins() {
  static CertificatePins pins;
  return pins;
}

QueryError error_of(MYSQL* mysql) {
  unsigned code = mysql_errno(mysql);
  return QueryError{code, "[" + std::to_string(code) + "] " + mysql_error(mysql)};
}

}  // namespace

ConnectionSettings monitor_settings(const config::Config& cfg, std::string_view backend_name, std::string host,
                                    std::uint16_t port, std::chrono::milliseconds timeout) {
  ConnectionSettings s{std::move(host), port, cfg.health.user, cfg.health.password, timeout};
  if (const config::BackendConfig* entry = config::entry_of(cfg, backend_name)) {
    s.tls = entry->tls;
    // The name verify_identity requires, as for the proxy's own connections: not the address.
    if (s.tls.server_name.empty()) s.tls.server_name = entry->host;
    s.compress = config::compress_backend(cfg.compression, *entry);
  }
  return s;
}

void ensure_mysql_library() {
  static std::once_flag once;
  std::call_once(once, [] {
    mysql_library_init(0, nullptr, nullptr);
    const bool guarded = ma_pvio_register_callback != nullptr && ma_pvio_register_callback(1, &watch_io) == 0;
    if (!guarded) {
      spdlog::warn("the client library has no I/O hook: the health monitor cannot refuse plaintext injected "
                   "before TLS on its backend connections");
    }
  });
}

MonitorConnection::~MonitorConnection() { close(); }

bool MonitorConnection::is_mariadb() const noexcept {
  return version_.find("MariaDB") != std::string::npos;
}

std::optional<std::string> MonitorConnection::connect(const ConnectionSettings& settings) {
  close();
  ensure_mysql_library();
  settings_ = settings;
  if (settings.tls.mode != config::BackendTlsMode::kVerifyIdentity) return connect_once(settings, {});

  const std::string key = CertificatePins::key(settings);
  std::string pin = certificate_pins().get(key);
  const bool checked_before = !pin.empty();
  if (!checked_before) {
    auto checked = check_identity(settings);
    if (!checked.error.empty()) return checked.error;
    pin = std::move(checked.sha1_fingerprint);
    certificate_pins().set(key, pin);
  }
  auto error = connect_once(settings, pin);
  if (!error || !checked_before || last_errno_ != CR_SSL_CONNECTION_ERROR) return error;
  // The server shows another certificate than the one checked before (renewed?): check it.
  certificate_pins().drop(key);
  auto checked = check_identity(settings);
  if (!checked.error.empty()) return checked.error;
  certificate_pins().set(key, checked.sha1_fingerprint);
  return connect_once(settings, checked.sha1_fingerprint);
}

CertificateCheck MonitorConnection::check_identity(const ConnectionSettings& settings) {
  CertificateCheck checked = probe_.run(settings.host, settings.port, settings.tls, settings.timeout);
  if (!checked.error.empty()) {
    const std::string& name = settings.tls.server_name.empty() ? settings.host : settings.tls.server_name;
    checked.error = "TLS identity check (" + name + "): " + checked.error;
  }
  return checked;
}

std::optional<std::string> MonitorConnection::connect_once(const ConnectionSettings& settings,
                                                           const std::string& pinned_fingerprint) {
  last_errno_ = 0;
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return std::string("mysql_init failed (out of memory)");
  // The library's own timeouts (whole seconds) only decide that it waits at all: every wait goes
  // through wait_io, which ends at the exact deadline of the call in progress.
  auto ms = settings.timeout.count();
  unsigned int seconds = static_cast<unsigned int>(std::max<long long>(1, (ms + 999) / 1000));
  unsigned int protocol = MYSQL_PROTOCOL_TCP;  // "localhost" would otherwise mean the socket
  my_bool off = 0;
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &seconds);
  mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &seconds);
  mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &seconds);
  mysql_options(mysql, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_options(mysql, MYSQL_OPT_RECONNECT, &off);  // we reconnect ourselves, knowingly
  mysql_optionsv(mysql, MARIADB_OPT_IO_WAIT, &wait_io);
  if (auto error = apply_tls(mysql, settings.tls, pinned_fingerprint)) {
    mysql_close(mysql);
    return error;
  }
  if (settings.compress) mysql_options(mysql, MYSQL_OPT_COMPRESS, nullptr);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // Both heartbeat timestamps come from NOW(6) on the servers; pin their zone to UTC so a
  // server-side time_zone difference cannot show up as lag.
  mysql_options(mysql, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
  GreetingWatch watch;
  watch.mysql = mysql;
  MYSQL* connected = nullptr;
  {
    WatchScope scope(settings.tls.mode == config::BackendTlsMode::kDisabled ? nullptr : &watch);
    DeadlineScope deadline(settings.timeout);
    connected = mysql_real_connect(mysql, settings.host.c_str(), settings.user.c_str(), settings.password.c_str(),
                                   nullptr, settings.port, nullptr, 0);
  }
  if (watch.excess != 0 || connected == nullptr) {
    last_errno_ = mysql_errno(mysql);
    std::string message = watch.excess != 0 ? "the server sent " + std::to_string(watch.excess) +
                                                  " bytes after its greeting, before TLS started: refused "
                                                  "(injected on the path?)"
                                            : error_of(mysql).message;
    mysql_close(mysql);
    return message;
  }
  version_ = mysql_get_server_info(mysql);
  {
    std::lock_guard lock(socket_mu_);
    mysql_ = mysql;
    socket_ = static_cast<int>(mysql_get_socket(mysql));
  }
  return std::nullopt;
}

void MonitorConnection::close() {
  MYSQL* mysql = nullptr;
  {
    std::lock_guard lock(socket_mu_);
    mysql = mysql_;
    mysql_ = nullptr;
    socket_ = -1;  // from here on interrupt() cannot touch a descriptor that gets reused
  }
  if (mysql != nullptr) mysql_close(mysql);
}

void MonitorConnection::interrupt() {
  probe_.cancel();
  std::lock_guard lock(socket_mu_);
  if (socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);
}

MonitorConnection::Outcome MonitorConnection::query(const std::string& sql) {
  Outcome out;
  if (mysql_ == nullptr) {
    out.error = QueryError{CR_SERVER_LOST, "not connected"};
    return out;
  }
  DeadlineScope deadline(settings_.timeout);  // the query and its whole result
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    out.error = error_of(mysql_);
    if (out.error.connection_lost()) close();
    return out;
  }
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res == nullptr) {
    if (mysql_field_count(mysql_) != 0) {  // a result set was due but could not be read
      out.error = error_of(mysql_);
      if (out.error.connection_lost()) close();
      return out;
    }
    out.result.emplace();
    return out;
  }
  QueryResult result;
  unsigned int n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned int i = 0; i < n; ++i) result.columns.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    RowValues& values = result.rows.emplace_back();
    for (unsigned int i = 0; i < n; ++i) {
      if (row[i] == nullptr) {
        values.emplace_back();
      } else {
        values.emplace_back(std::string(row[i], lengths[i]));
      }
    }
  }
  mysql_free_result(res);
  out.result = std::move(result);
  return out;
}

}  // namespace mysqlproxy::proxy
