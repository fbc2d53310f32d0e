// Fuzz target: a client's whole login conversation with the proxy, accept_client()
// (proxy/session/client_handshake.cpp) run for real on an io_context over a socket pair: the
// greeting, an SSLRequest and the TLS upgrade, the handshake response, the throttle's re-check,
// the user lookup (the config's users, then the backend-users resolver), the auth switch to the
// user's plugin, mysql_native_password, and caching_sha2_password's fast path and full
// authentication (clear text over TLS, or the RSA public-key request and encrypted password).
//
// The harness plays the client in lockstep: it runs the io_context until nothing can move (the
// proxy waits for the client, or has returned), reads what the proxy sent, then sends the next
// turn. Answers that prove a password are computed from the scramble of the greeting received,
// so seeds can log in; raw bytes and packets go anywhere the fuzzer likes. No timers: one input
// is a few socket round trips (a TLS handshake or an RSA decryption at most). OpenSSL's random
// bytes (the scramble, TLS, OAEP) follow from a hash of the input, so an input replays exactly.
//
// Input: [options][options 2] then turns until the input ends.
//   options    bit 0: the greeting proposes caching_sha2_password (else mysql_native_password);
//              bit 1: TLS offered; bit 2: tls.require; bit 3: the fast-auth cache knows bob and
//              dave; bit 4: it knows them with an old password instead; bit 5: the source is
//              blocked (the throttle's re-check refuses); bit 6: compression offered; bit 7:
//              MariaDB extended capabilities presented
//   options 2  bit 0: the backend-users resolver knows ghost and anon (else nobody);
//              bits 1-7 n: the login's packet cap, n = 0 the session's (64 KiB + 4 KiB), else 24 + 4n
//   turn       [op]: bits 0-2 the kind; bit 3: a sequence id byte follows (else the one the proxy
//              expects); bit 4 (ssl): the TLS ClientHello goes right behind the SSLRequest
//     0 raw       [length u16][bytes], written as they are (6 reads as 0)
//     1 packet    [length u16][payload], one frame (7 reads as 1)
//     2 response  [caps u32][collation][MariaDB caps u32][user][answer][plugin][db length % 32][db]
//                 [attributes: 0 none, 1 two pairs, 2 one][zstd level]: a HandshakeResponse41
//     3 ssl       [caps u32]: an SSLRequest; TLS starts when the proxy offered it and takes this as
//                 the first packet of the login
//     4 answer    [answer]: an auth packet
//     5 close     the client sends nothing more
//   user       [n]: n % 11 < 10 names alice bob carol dave erin frank (the config's), ghost anon
//              (the resolver's), nobody, ""; 10: [length][bytes]
//   answer     [kind % 8][password if 1-4]: 0 empty, 1 the mysql_native_password scramble, 2 the
//              caching_sha2_password scramble, 3 the clear text and a NUL, 4 RSA-encrypted with the
//              proxy's public key, 5 the public-key request (0x02), 6 [length][bytes], 7 0x01
//   password   [n]: n % 9 < 8 alice's bob's carol's dave's ghost's, "wrong", "", the password of
//              the user the last response named; 8: [length][bytes]
//   plugin     [n]: n % 6 < 5 mysql_native_password, caching_sha2_password, sha256_password,
//              mysql_clear_password, ""; 5: [length][bytes]
//
// Invariants: accept_client returns once the client stops sending (no hang) and throws nothing;
// it returns a login exactly when the refusal is kNone; the proxy speaks first with a greeting
// that matches the settings, and sends whole packets only, at most one ERR, last, exactly for the
// refusals the client is told of (with their codes); a login's user is the config's or the
// resolver's, and the conversation proved its password the way auth_method says (the native
// scramble, the sha2 scramble with the fast-auth cache holding the current password, the clear
// text inside TLS, or the RSA-encrypted password); a hash-only user's recovered SHA1(password)
// is right; TLS is there when required; a refusal for missing TLS comes only after a proof; a
// blocked source never logs in, and is asked about at most once, before any user lookup; the
// throttle hears of each failure at most once, with the right reason; the fast-auth cache learns
// only proven passwords; a client that frames its packets right gets answers that continue its
// sequence ids, and a login's next_seq continues the exchange.
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "protocol/auth.hpp"
#include "protocol/frame.hpp"
#include "protocol/handshake.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/session/client_auth.hpp"
#include "proxy/session/client_handshake.hpp"
#include "proxy/tls/tls_context.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace mysqlproxy;
namespace asio = boost::asio;
using fuzz::Bytes;
using proxy::awaitable;
using proxy::error_code;
using proxy::kUseTuple;
using proxy::LoginFailure;
using proxy::LoginRefusal;
using Local = asio::local::stream_protocol;
using TlsClient = asio::ssl::stream<Local::socket&>;

// The session's cap on packets before a login succeeds (proxy/session/client_session.cpp).
constexpr std::size_t kSessionLoginCap = protocol::ConnectAttributes::kMaxBlockSize + (4u << 10);
constexpr std::string_view kBlockedText = "Host '192.0.2.7' is blocked (fuzz)";

// Throwaway keys made for this target alone: a 1024-bit RSA pair (decryption is the slow part of
// the RSA exchange) and a self-signed P-256 certificate valid until 2126.
constexpr std::string_view kRsaPrivateKey = R"(-----BEGIN PRIVATE KEY-----
MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBALl8WlekINri5cDo
0PLYQ66122vRukzNMRTGAF2Jv1YMENOnxBB2UwYoZ7RIWsAEj9q/05xsPNS4552p
yoXI1dbbT4kAkPSfdNDZgvBR4Wsc1/JSNMyK6vr1tNJb5NlQeJO5WaTP4hcty2N6
zRAJxqnQ9T0n7oT32cVyfnzR/2t3AgMBAAECgYApy1JT8yCQEZYxbIRAY+iEQmfp
mH1A9u87Pg4xBWu+iMN13ZR5HSBB//K2FaOVJrH/WT/mPCFM0UknJm4CzSkZeM2B
ZqNHsq/aIw/sl0eLwuEMf1r1rv9fGIZH6VLFvOm5pa/nFpSAqRJCGoYqoUr0VUZz
aVhfMLSovj9nzvnpCQJBAPNotIRose68vw90sdRAnArwKc24Zt8SZ3wxTw82uu0o
FsNFbQzxSXv3LWu9oBnCpkqsqVXb3vi3ZX6ekDoVzD0CQQDDFJxZQ/mRXbeyIYcX
FWjm3RAo9iWZLJoQaqm0nVqRBXLLlDr6REoNhSxsfxP/PmzRstosZZvn3z4CrVHP
uM3DAkEArdv9DJKnfUnuAoEsv9nCW4G9qkZrnCxOJIQn30sNa3X2BFZjlRoHjfc4
xzszzxKcqrv3W+9nrSl54l4p0INfVQJADhOZqJNQGd4yWCc1MUQ5OpdvCBWi5uei
AldAAaltFJPZEbmTe+WbllgquXV+AugFQChwt81pL5UbS2QoSB3kswJBAJBva+he
kmlmm7Ikbu5U35ZtVPoNPQjb07BMprytUAKi8gt4FNTUHoeNAYaS7Y/y3urUZT60
bc5PYZ5ZnjFgLrE=
-----END PRIVATE KEY-----
)";

constexpr std::string_view kRsaPublicKey = R"(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC5fFpXpCDa4uXA6NDy2EOutdtr
0bpMzTEUxgBdib9WDBDTp8QQdlMGKGe0SFrABI/av9OcbDzUuOedqcqFyNXW20+J
AJD0n3TQ2YLwUeFrHNfyUjTMiur69bTSW+TZUHiTuVmkz+IXLctjes0QCcap0PU9
J+6E99nFcn580f9rdwIDAQAB
-----END PUBLIC KEY-----
)";

constexpr std::string_view kTlsKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpwAkbUEaPqmUbX6P
wvuNdvThwoJsCWFn9vNLnZnnktShRANCAASANDReUkiRpRh6shmMYWEZx1zmeFhp
bV5tiUyYLHoWKZb1l6QDaP4tx9RZyElYIRcp4BHfEEXKV9KAOBooZLEa
-----END PRIVATE KEY-----
)";

constexpr std::string_view kTlsCert = R"(-----BEGIN CERTIFICATE-----
MIIBjTCCATOgAwIBAgIUJIBYj25PkBmrM5d9Z0aHe3ZbvOMwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQbXlzcWwtcHJveHkgZnV6ejAgFw0yNjEyMDcwNzI0MjFaGA8y
MTI2MTExMzA3MjQyMVowGzEZMBcGA1UEAwwQbXlzcWwtcHJveHkgZnV6ejBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABIA0NF5SSJGlGHqyGYxhYRnHXOZ4WGltXm2J
TJgsehYplvWXpANo/i3H1FnISVghFyngEd8QRcpX0oA4GihksRqjUzBRMB0GA1Ud
DgQWBBQ7XXI2/4H4Bf4P9nlUT5fODc/IljAfBgNVHSMEGDAWgBQ7XXI2/4H4Bf4P
9nlUT5fODc/IljAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIFtQ
J5SyEwaQG2gI6weIvC/Qe5E3/M4C26dqcv07F8K6AiEAtr2N0rrNJICtAUvPJpw4
w+X9KfECRDmH0eaRWDR+hpE=
-----END CERTIFICATE-----
)";

// ---- the accounts: the harness knows every clear password, so it can tell a proof ----

constexpr auto kNative = config::AuthPlugin::kNativePassword;
constexpr auto kSha2 = config::AuthPlugin::kCachingSha2Password;

struct Account {
  std::string_view name;
  std::string_view password;  // clear text; the config holds only its hash when hash_only
  config::AuthPlugin plugin;
  bool hash_only;
  bool require_tls;
};

// users[] of the config.
constexpr std::array<Account, 6> kConfigured{{
    {"alice", "alice-pw", kNative, false, false},
    {"bob", "bob-pw", kSha2, false, false},
    {"carol", "carol-pw", kNative, true, false},
    {"dave", "dave-pw", kSha2, false, true},
    {"erin", "", kNative, false, false},
    {"frank", "", kSha2, false, false},
}};
// Accounts of the backends (auth.backend_users): a native hash, or no password.
constexpr std::array<Account, 2> kResolvable{{
    {"ghost", "ghost-pw", kNative, true, false},
    {"anon", "", kNative, false, false},
}};
constexpr std::array<std::string_view, 2> kStrangers{"nobody", ""};
constexpr std::array<std::string_view, 7> kPasswords{"alice-pw", "bob-pw", "carol-pw", "dave-pw", "ghost-pw", "wrong", ""};
constexpr std::array<std::string_view, 5> kPlugins{protocol::kMysqlNativePassword, protocol::kCachingSha2Password,
                                                   protocol::kSha256Password, protocol::kMysqlClearPassword, ""};

config::UserConfig user_entry(const Account& a) {
  config::UserConfig user;
  user.name = std::string(a.name);
  user.password = a.hash_only ? protocol::format_native_password_hash(protocol::native_password_stage2(a.password))
                              : std::string(a.password);
  user.password_is_hash = a.hash_only;
  user.auth_plugin = a.plugin;
  user.require_tls = a.require_tls;
  return user;
}

const Account* account_named(std::string_view name) {
  for (const Account& a : kConfigured) {
    if (a.name == name) return &a;
  }
  for (const Account& a : kResolvable) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// ---- randomness ----

// OpenSSL's random bytes as a function of the input: an input replays the same conversation
// (the greeting's scramble, TLS's and OAEP's nonces), yet no input can know the scramble its
// answers meet, since any change to it changes the scramble (a random scramble would make every
// finding a coin toss to reproduce; a fixed one could be learnt from comparisons).
std::uint64_t g_random_state = 0;

int input_random_bytes(unsigned char* out, int n) {
  for (int i = 0; i < n; ++i) {  // splitmix64, a byte a step
    g_random_state += 0x9e3779b97f4a7c15u;
    std::uint64_t z = g_random_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    out[i] = static_cast<unsigned char>(z ^ (z >> 31));
  }
  return 1;
}
int random_seed(const void*, int) { return 1; }
int random_add(const void*, int, double) { return 1; }
int random_status() { return 1; }
const RAND_METHOD kInputRandom{random_seed, input_random_bytes, nullptr, random_add, input_random_bytes, random_status};

void seed_random(const std::uint8_t* data, std::size_t size) {
  std::uint64_t h = 0xcbf29ce484222325u;  // FNV-1a
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3u;
  g_random_state = h;
}

// ---- what every input shares ----

struct Fixtures {
  std::shared_ptr<const proxy::RsaKeyPair> rsa;
  protocol::RsaPublicKey rsa_public;
  proxy::SslContextPtr server_tls;
  std::shared_ptr<asio::ssl::context> client_tls;
};

// The context the proxy builds from its config, which names files: written, loaded, removed.
proxy::SslContextPtr client_facing_context() {
  std::string dir = (std::filesystem::temp_directory_path() / "login-conversation-fuzz-XXXXXX").string();
  FUZZ_CHECK(::mkdtemp(dir.data()) != nullptr);
  const std::filesystem::path base(dir);
  std::ofstream(base / "cert.pem") << kTlsCert;
  std::ofstream(base / "key.pem") << kTlsKey;
  config::ClientTlsConfig cfg;
  cfg.cert_file = (base / "cert.pem").string();
  cfg.key_file = (base / "key.pem").string();
  auto made = proxy::make_client_facing_context(cfg);
  std::error_code ignored;
  std::filesystem::remove_all(base, ignored);
  if (!made.context) std::fprintf(stderr, "TLS context: %s\n", made.error.c_str());
  FUZZ_CHECK(made.context != nullptr);
  return made.context;
}

const Fixtures& fixtures() {
  static const Fixtures made = [] {
    // The log lines are formatted (a client's user name goes into them) but written nowhere.
    auto logger = std::make_shared<spdlog::logger>("login_conversation_fuzz",
                                                   std::make_shared<spdlog::sinks::null_sink_mt>());
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    // The one way OpenSSL 3 still offers to replace RAND_bytes for a whole process.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    FUZZ_CHECK(RAND_set_rand_method(&kInputRandom) == 1);
#pragma GCC diagnostic pop
    Fixtures f;
    auto pair = std::make_shared<proxy::RsaKeyPair>();
    pair->private_key = protocol::RsaPrivateKey::from_pem(kRsaPrivateKey).value();
    pair->public_pem = std::string(kRsaPublicKey);
    f.rsa = std::move(pair);
    f.rsa_public = protocol::RsaPublicKey::from_pem(kRsaPublicKey).value();
    f.server_tls = client_facing_context();
    f.client_tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    f.client_tls->set_verify_mode(asio::ssl::verify_none);
    return f;
  }();
  return made;
}

// ---- the input ----

// Bytes off the front of the input; past its end numbers read as 0 and texts as empty.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}
  [[nodiscard]] bool done() const noexcept { return pos_ >= size_; }
  std::uint8_t u8() noexcept { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint16_t u16() noexcept {
    const std::uint8_t lo = u8();
    return static_cast<std::uint16_t>(lo | (u8() << 8));
  }
  std::uint32_t u32() noexcept {
    const std::uint16_t lo = u16();
    return lo | (static_cast<std::uint32_t>(u16()) << 16);
  }
  std::string text(std::size_t n) {
    n = std::min(n, size_ - std::min(pos_, size_));
    std::string out(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

struct Options {
  bool sha2_default = false;
  bool tls = false;
  bool tls_require = false;
  bool cache_current = false;  // the fast-auth cache holds bob's and dave's passwords
  bool cache_stale = false;    // ... their old ones
  bool blocked = false;
  bool compression = false;
  bool mariadb_caps = false;
  bool resolver_knows = false;
  std::size_t packet_cap = kSessionLoginCap;
};

Options read_options(Reader& in) {
  const std::uint8_t a = in.u8();
  const std::uint8_t b = in.u8();
  Options o;
  o.sha2_default = (a & 0x01) != 0;
  o.tls = (a & 0x02) != 0;
  o.tls_require = (a & 0x04) != 0;
  o.cache_stale = (a & 0x10) != 0;
  o.cache_current = (a & 0x08) != 0 && !o.cache_stale;
  o.blocked = (a & 0x20) != 0;
  o.compression = (a & 0x40) != 0;
  o.mariadb_caps = (a & 0x80) != 0;
  o.resolver_knows = (b & 0x01) != 0;
  if ((b >> 1) != 0) o.packet_cap = 24 + 4 * std::size_t{static_cast<std::uint8_t>(b >> 1)};
  return o;
}

// ---- one conversation ----

struct Packet {
  std::uint8_t seq = 0;
  Bytes payload;
};

struct Conversation;
awaitable<const config::UserConfig*> resolve(Conversation& c, std::string name);

struct Conversation {
  explicit Conversation(const Options& o);
  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;

  asio::io_context io;  // first: everything below uses it
  Options opt;
  config::Config cfg;
  std::array<config::UserConfig, 2> resolvable;
  proxy::FastAuthCache fast_auth;
  proxy::HandshakeSettings settings;
  proxy::SessionLog log{1};
  std::optional<proxy::PacketStream> stream;
  Local::socket peer{io};
  std::unique_ptr<TlsClient> peer_tls;

  // The proxy's side, as accept_client and its callbacks left it.
  bool proxy_done = false;
  bool proxy_threw = false;
  std::optional<proxy::ClientLogin> login;
  LoginRefusal refusal = LoginRefusal::kNone;
  int failures_noted = 0;
  LoginFailure failure = LoginFailure::kNone;
  int blocked_asked = 0;
  int resolver_asked = 0;
  std::string resolver_name;

  // The client's side.
  Bytes received;  // everything the proxy sent, decrypted once TLS is on
  std::size_t parsed = 0;
  std::vector<Packet> packets;
  std::string scramble;  // the greeting's
  protocol::Capabilities greeting_caps;
  std::uint32_t greeting_extended_caps = 0;
  Bytes out;  // the turn being written
  Bytes sent;  // every byte written, TLS's own excepted
  std::string sent_over_tls;
  bool writing = false;
  bool draining = false;
  bool tls_active = false;
  bool closed = false;
  std::uint8_t next_seq = 1;  // the sequence id the proxy expects of the client's next packet
  std::string named;  // the user the last handshake response named
  std::set<std::string> native_proofs, sha2_proofs, rsa_proofs;
  // Every frame so far carried the sequence id the proxy expected and fit the cap: then each
  // of the proxy's packets continues the sequence.
  bool well_framed = true;
  std::uint8_t expect_proxy_seq = 0;
};

Conversation::Conversation(const Options& o) : opt(o) {
  cfg.auth.default_plugin = o.sha2_default ? kSha2 : kNative;
  cfg.tls.require = o.tls_require;
  cfg.compression.clients = o.compression;
  cfg.compression.zstd = o.compression;
  for (const Account& a : kConfigured) cfg.users.push_back(user_entry(a));
  for (std::size_t i = 0; i < kResolvable.size(); ++i) resolvable[i] = user_entry(kResolvable[i]);
  auto identity = std::make_shared<proxy::ServerIdentity>();
  if (o.mariadb_caps) {
    config::BackendConfig backend;
    backend.name = "db1";
    cfg.backends.push_back(backend);
    identity->extended_caps.push_back({"db1", protocol::kMariaDbClientExtendedMetadata});
  }
  if (o.cache_current || o.cache_stale) {
    for (const Account& a : kConfigured) {
      if (a.plugin != kSha2 || a.password.empty()) continue;
      fast_auth.add(std::string(a.name), protocol::caching_sha2_stage2(o.cache_stale ? "old-pw" : a.password));
    }
  }
  settings.connection_id = 7;
  settings.identity = std::move(identity);
  settings.config = &cfg;
  settings.peer_host = "192.0.2.7";
  settings.auth = proxy::AuthServices{o.tls ? fixtures().server_tls : nullptr, fixtures().rsa, &fast_auth};
  settings.on_failure = [this](LoginFailure f) {
    ++failures_noted;
    failure = f;
  };
  settings.resolve_user = [this](std::string name) { return resolve(*this, std::move(name)); };
  settings.blocked = [this]() -> std::optional<std::string> {
    ++blocked_asked;
    if (!opt.blocked) return std::nullopt;
    return std::string(kBlockedText);
  };
}

awaitable<const config::UserConfig*> resolve(Conversation& c, std::string name) {
  ++c.resolver_asked;
  c.resolver_name = name;
  if (c.opt.resolver_knows) {
    for (const config::UserConfig& user : c.resolvable) {
      if (user.name == name) co_return &user;
    }
  }
  co_return nullptr;
}

void no_exception(std::exception_ptr e) { FUZZ_CHECK(e == nullptr); }

// The proxy: the login, then the close a failed login ends in.
awaitable<void> serve(Conversation& c) {
  c.login = co_await proxy::accept_client(*c.stream, c.settings, c.log, c.refusal);
  c.proxy_done = true;
  c.stream->close();
}

// The client reads whatever comes, so the proxy's writes never wait.
awaitable<void> drain(Conversation& c) {
  std::array<std::uint8_t, 4096> buffer;
  for (;;) {
    error_code ec;
    std::size_t n = 0;
    if (c.peer_tls) {
      std::tie(ec, n) = co_await c.peer_tls->async_read_some(asio::buffer(buffer), kUseTuple);
    } else {
      std::tie(ec, n) = co_await c.peer.async_read_some(asio::buffer(buffer), kUseTuple);
    }
    c.received.insert(c.received.end(), buffer.begin(), buffer.begin() + n);
    if (ec) break;
  }
  c.draining = false;
}

awaitable<void> write_out(Conversation& c) {
  error_code ec;
  if (c.peer_tls) {
    std::tie(ec, std::ignore) = co_await asio::async_write(*c.peer_tls, asio::buffer(c.out), kUseTuple);
  } else {
    std::tie(ec, std::ignore) = co_await asio::async_write(c.peer, asio::buffer(c.out), kUseTuple);
  }
  c.writing = false;
}

awaitable<void> client_tls(Conversation& c) {
  c.peer_tls = std::make_unique<TlsClient>(c.peer, *fixtures().client_tls);
  auto [ec] = co_await c.peer_tls->async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (ec) co_return;
  c.tls_active = true;
  c.draining = true;
  co_await drain(c);
}

awaitable<void> ssl_request_then_tls(Conversation& c) {
  co_await write_out(c);
  co_await client_tls(c);
}

// Runs the io_context until nothing is ready: the proxy waits for the client or has returned.
void settle(asio::io_context& io) {
  for (;;) {
    io.restart();
    if (io.poll() == 0) return;
  }
}

void take_packets(Conversation& c) {
  while (c.received.size() - c.parsed >= 4) {
    const protocol::FrameHeader h = protocol::decode_frame_header(c.received.data() + c.parsed);
    if (c.received.size() - c.parsed - 4 < h.length) break;
    const std::uint8_t* p = c.received.data() + c.parsed + 4;
    c.packets.push_back(Packet{h.seq, Bytes(p, p + h.length)});
    c.parsed += 4 + h.length;
    if (c.well_framed) FUZZ_CHECK(h.seq == c.expect_proxy_seq);
    c.expect_proxy_seq = static_cast<std::uint8_t>(h.seq + 1);
    c.next_seq = c.expect_proxy_seq;
  }
}

void start_write(Conversation& c) {
  c.sent.insert(c.sent.end(), c.out.begin(), c.out.end());
  if (c.tls_active) c.sent_over_tls.append(c.out.begin(), c.out.end());
  c.writing = true;
  asio::co_spawn(c.io, write_out(c), no_exception);
}

void frame(Conversation& c, std::span<const std::uint8_t> payload, std::uint8_t seq) {
  if (seq != c.next_seq || payload.size() > c.opt.packet_cap) c.well_framed = false;
  c.out.clear();
  c.next_seq = protocol::encode_frames(payload, seq, c.out);
  c.expect_proxy_seq = c.next_seq;
}

void close_client(Conversation& c) {
  error_code ignored;
  c.peer.shutdown(Local::socket::shutdown_send, ignored);
  c.closed = true;
}

void stop_draining(Conversation& c) {
  while (c.draining) {
    error_code ignored;
    c.peer.cancel(ignored);
    settle(c.io);
    take_packets(c);
  }
}

std::string user_name(Reader& in) {
  const std::size_t n = in.u8() % (kConfigured.size() + kResolvable.size() + kStrangers.size() + 1);
  if (n < kConfigured.size()) return std::string(kConfigured[n].name);
  if (n < kConfigured.size() + kResolvable.size()) return std::string(kResolvable[n - kConfigured.size()].name);
  if (n < kConfigured.size() + kResolvable.size() + kStrangers.size()) {
    return std::string(kStrangers[n - kConfigured.size() - kResolvable.size()]);
  }
  return in.text(in.u8());
}

std::string password(const Conversation& c, Reader& in) {
  const std::size_t n = in.u8() % (kPasswords.size() + 2);
  if (n < kPasswords.size()) return std::string(kPasswords[n]);
  if (n == kPasswords.size()) {
    const Account* a = account_named(c.named);
    return a != nullptr ? std::string(a->password) : std::string("wrong");
  }
  return in.text(in.u8());
}

std::string plugin(Reader& in) {
  const std::size_t n = in.u8() % (kPlugins.size() + 1);
  if (n < kPlugins.size()) return std::string(kPlugins[n]);
  return in.text(in.u8());
}

// An auth answer computed from the greeting's scramble; the proofs it makes are noted.
Bytes answer(Conversation& c, Reader& in) {
  const std::uint8_t kind = in.u8() % 8;
  const auto scramble = protocol::bytes_of(c.scramble);
  switch (kind) {
    case 1: {
      const std::string pw = password(c, in);
      c.native_proofs.insert(pw);
      return protocol::scramble_native_password(pw, scramble);
    }
    case 2: {
      const std::string pw = password(c, in);
      c.sha2_proofs.insert(pw);
      return protocol::scramble_caching_sha2(pw, scramble);
    }
    case 3: {
      const std::string pw = password(c, in);
      Bytes clear(pw.begin(), pw.end());
      clear.push_back(0);
      return clear;
    }
    case 4: {
      const std::string pw = password(c, in);
      auto cipher = protocol::rsa_encrypt_password(pw, scramble, fixtures().rsa_public);
      if (!cipher) return {};  // too long for the key
      c.rsa_proofs.insert(pw);
      return *cipher;
    }
    case 5:
      return {protocol::kCachingSha2RequestPublicKey};
    case 6: {
      const std::string raw = in.text(in.u8());
      return Bytes(raw.begin(), raw.end());
    }
    case 7:
      return {protocol::kSha256PasswordRequestPublicKey};
    default:
      return {};
  }
}

protocol::ConnectAttributes attributes(std::uint8_t n) {
  switch (n % 3) {
    case 1:
      return protocol::ConnectAttributes{{"_client_name", "libmariadb"}, {"_os", "Linux"}};
    case 2:
      return protocol::ConnectAttributes{{"program_name", "login_conversation_fuzz"}};
    default:
      return {};
  }
}

Bytes handshake_response(Conversation& c, Reader& in) {
  protocol::HandshakeResponse41 r;
  r.capabilities = protocol::Capabilities{in.u32()};
  r.max_packet_size = 1u << 24;
  r.character_set = in.u8();
  r.mariadb_extended_capabilities = in.u32();
  r.username = user_name(in);
  c.named = r.username;
  const Bytes auth = answer(c, in);
  r.auth_response.assign(auth.begin(), auth.end());
  r.auth_plugin_name = plugin(in);
  r.database = in.text(in.u8() % 32);
  r.attributes = attributes(in.u8());
  r.zstd_level = in.u8();
  Bytes payload;
  protocol::encode_handshake_response(r, payload);
  return payload;
}

void ssl_request(Conversation& c, Reader& in, std::uint8_t seq, bool hello_behind) {
  protocol::SslRequest r;
  r.capabilities = protocol::Capabilities{in.u32() | protocol::kClientSsl};
  r.max_packet_size = 1u << 24;
  r.character_set = 45;
  Bytes payload;
  protocol::encode_ssl_request(r, payload);
  // TLS starts only where the proxy offered it and takes this as the login's first packet:
  // anywhere else the proxy answers in clear text, which a TLS client would swallow.
  const bool upgrade = c.greeting_caps.has(protocol::kClientSsl) && c.sent.empty() && seq == c.next_seq &&
                       payload.size() <= c.opt.packet_cap;
  frame(c, payload, seq);
  if (!upgrade) {
    start_write(c);
    return;
  }
  stop_draining(c);  // the TLS client reads the socket from now on
  c.sent.insert(c.sent.end(), c.out.begin(), c.out.end());
  c.writing = true;
  if (hello_behind) {
    asio::co_spawn(c.io, ssl_request_then_tls(c), no_exception);
    return;
  }
  asio::co_spawn(c.io, write_out(c), no_exception);
  settle(c.io);
  asio::co_spawn(c.io, client_tls(c), no_exception);
}

void play_turn(Conversation& c, Reader& in) {
  const std::uint8_t op = in.u8();
  const int kind = (op & 0x07) % 6;
  const bool own_seq = (op & 0x08) != 0;
  const std::uint8_t seq = own_seq ? in.u8() : c.next_seq;
  switch (kind) {
    case 0: {
      const std::string raw = in.text(in.u16());
      c.well_framed = false;
      c.out.assign(raw.begin(), raw.end());
      start_write(c);
      break;
    }
    case 1: {
      const std::string payload = in.text(in.u16());
      frame(c, protocol::bytes_of(payload), seq);
      start_write(c);
      break;
    }
    case 2: {
      const Bytes payload = handshake_response(c, in);
      frame(c, payload, seq);
      start_write(c);
      break;
    }
    case 3:
      ssl_request(c, in, seq, (op & 0x10) != 0);
      break;
    case 4: {
      const Bytes payload = answer(c, in);
      frame(c, payload, seq);
      start_write(c);
      break;
    }
    default:
      close_client(c);
      break;
  }
}

// ---- the checks ----

void check_greeting(Conversation& c) {
  FUZZ_CHECK(!c.packets.empty());  // the proxy speaks first
  const Packet& g = c.packets.front();
  FUZZ_CHECK(g.seq == 0);
  auto greeting = protocol::decode_initial_handshake(g.payload);
  FUZZ_CHECK(greeting.has_value());
  c.scramble = greeting->auth_plugin_data;
  FUZZ_CHECK(c.scramble.size() == protocol::kScrambleSize);
  for (const char ch : c.scramble) FUZZ_CHECK(ch >= 0x21 && ch <= 0x7e);
  FUZZ_CHECK(greeting->auth_plugin_name == proxy::plugin_name(c.cfg.auth.default_plugin));
  FUZZ_CHECK(greeting->connection_id == c.settings.connection_id);
  c.greeting_caps = greeting->capabilities;
  c.greeting_extended_caps = greeting->mariadb_extended_capabilities;
  FUZZ_CHECK(c.greeting_caps.has(protocol::kClientSsl) == c.opt.tls);
  FUZZ_CHECK(c.greeting_caps.has(protocol::kClientCompress) == c.opt.compression);
  FUZZ_CHECK((c.greeting_extended_caps != 0) == c.opt.mariadb_caps);
}

// The conversation proved `a`'s password the way `method` (ClientLogin::auth_method) says.
bool proven(const Conversation& c, const Account& a, std::string_view method) {
  const bool native = method == "native";
  if (native != (a.plugin == kNative)) return false;
  if (method != "native" && method != "sha2_fast" && method != "sha2_full_tls" && method != "sha2_full_rsa") {
    return false;
  }
  if (method == "sha2_full_tls" && !c.tls_active) return false;
  if (method == "sha2_full_rsa" && c.tls_active) return false;
  if (a.password.empty()) return true;  // any answer a client may send for no password
  const std::string pw(a.password);
  if (native) return c.native_proofs.contains(pw);
  if (method == "sha2_fast") return c.opt.cache_current && c.sha2_proofs.contains(pw);
  if (method == "sha2_full_tls") return c.sent_over_tls.find(pw) != std::string::npos;
  return c.rsa_proofs.contains(pw);
}

bool proven_any(const Conversation& c, const Account& a) {
  return proven(c, a, "native") || proven(c, a, "sha2_fast") || proven(c, a, "sha2_full_tls") ||
         proven(c, a, "sha2_full_rsa");
}

std::uint16_t error_code_of(LoginRefusal refusal) {
  switch (refusal) {
    case LoginRefusal::kBadHandshake: return proxy::kErrHandshake.code;
    case LoginRefusal::kAccessDenied: return proxy::kErrAccessDenied.code;
    case LoginRefusal::kTlsRequired: return proxy::kErrSecureTransportRequired.code;
    case LoginRefusal::kThrottled: return proxy::kErrHostBlocked.code;
    default: return 0;  // not told
  }
}

void check_refusal(const Conversation& c) {
  // At most one ERR, the last word, exactly for the refusals the client is told of.
  std::size_t errs = 0;
  for (std::size_t i = 1; i < c.packets.size(); ++i) {
    if (c.packets[i].payload.empty() || c.packets[i].payload[0] != 0xff) continue;
    ++errs;
    FUZZ_CHECK(i + 1 == c.packets.size());
  }
  const std::uint16_t code = error_code_of(c.refusal);
  FUZZ_CHECK(errs == (code != 0 ? 1u : 0u));
  if (code != 0) {
    auto err = protocol::decode_err(c.packets.back().payload, protocol::Capabilities{protocol::kClientProtocol41});
    FUZZ_CHECK(err.has_value());
    FUZZ_CHECK(err->code == code);
    if (c.refusal == LoginRefusal::kThrottled) FUZZ_CHECK(err->message == kBlockedText);
  }
  // Any first packet of 32 bytes with CLIENT_SSL is an SSLRequest, whatever the harness meant by it.
  if (c.refusal == LoginRefusal::kTlsFailed) FUZZ_CHECK(c.opt.tls);

  // The throttle's re-check: once, before any user lookup; a blocked source gets no further.
  FUZZ_CHECK(c.blocked_asked <= 1);
  FUZZ_CHECK(c.resolver_asked <= 1);
  const bool looked_up = c.resolver_asked > 0 || c.login || c.refusal == LoginRefusal::kAccessDenied ||
                         c.refusal == LoginRefusal::kTlsRequired;
  if (looked_up) FUZZ_CHECK(c.blocked_asked == 1 && !c.opt.blocked);
  if (c.refusal == LoginRefusal::kThrottled) FUZZ_CHECK(c.opt.blocked && c.blocked_asked == 1);
  // The resolver is asked only about names the config does not list.
  if (c.resolver_asked > 0) FUZZ_CHECK(config::find_user(c.cfg, c.resolver_name) == nullptr);

  // What the throttle counts: each failure once, for the client's own mistakes only.
  FUZZ_CHECK(c.failures_noted <= 1);
  switch (c.refusal) {
    case LoginRefusal::kAccessDenied: {
      FUZZ_CHECK(c.failures_noted == 1);
      const bool known = c.resolver_asked == 0 ||
                         (c.opt.resolver_knows && std::ranges::any_of(kResolvable, [&](const Account& a) {
                            return a.name == c.resolver_name;
                          }));
      FUZZ_CHECK(c.failure == (known ? LoginFailure::kWrongPassword : LoginFailure::kUnknownUser));
      break;
    }
    case LoginRefusal::kBadHandshake:
      if (c.failures_noted == 1) FUZZ_CHECK(c.failure == LoginFailure::kBadHandshake);
      break;
    default:
      FUZZ_CHECK(c.failures_noted == 0);
      break;
  }

  // Missing TLS is refused only once the password checked out: strangers learn nothing.
  if (c.refusal == LoginRefusal::kTlsRequired) {
    FUZZ_CHECK(!c.tls_active);
    bool reason = c.cfg.tls.require;
    for (const Account& a : kConfigured) reason = reason || (a.require_tls && proven_any(c, a));
    FUZZ_CHECK(reason);
  }
}

void check_login(const Conversation& c) {
  const proxy::ClientLogin& login = *c.login;
  const config::UserConfig* user = login.user;
  FUZZ_CHECK(user != nullptr);
  const bool configured = user >= c.cfg.users.data() && user < c.cfg.users.data() + c.cfg.users.size();
  const bool resolved = user == &c.resolvable[0] || user == &c.resolvable[1];
  FUZZ_CHECK(configured || (resolved && c.opt.resolver_knows));
  const Account* account = account_named(user->name);
  FUZZ_CHECK(account != nullptr);
  FUZZ_CHECK(proven(c, *account, login.auth_method));
  FUZZ_CHECK(c.tls_active || !(c.cfg.tls.require || user->require_tls));
  if (std::string_view(login.auth_method) == "sha2_fast" && !account->password.empty()) {
    // The client was told its fast answer was right.
    FUZZ_CHECK(c.packets.back().payload == (Bytes{0x01, protocol::kCachingSha2FastAuthSuccess}));
  }
  // A hash-only user's SHA1(password), recovered from the answer, logs in to the backends.
  FUZZ_CHECK(login.native_stage1.has_value() == account->hash_only);
  if (login.native_stage1) {
    protocol::Sha1Digest stage1;
    SHA1(reinterpret_cast<const unsigned char*>(account->password.data()), account->password.size(), stage1.data());
    FUZZ_CHECK(*login.native_stage1 == stage1);
  }
  FUZZ_CHECK((login.caps.bits & ~c.greeting_caps.bits) == 0);
  FUZZ_CHECK((login.extended_caps & ~c.greeting_extended_caps) == 0);
  FUZZ_CHECK(login.scramble == c.scramble);
  if (c.well_framed) FUZZ_CHECK(login.next_seq == c.expect_proxy_seq);
}

void check_fast_auth_cache(const Conversation& c) {
  // It learns a password only from a full authentication that proved it.
  for (const Account& a : kConfigured) {
    if (a.plugin != kSha2 || a.password.empty()) continue;
    if (!c.fast_auth.contains(std::string(a.name), protocol::caching_sha2_stage2(a.password))) continue;
    FUZZ_CHECK(c.opt.cache_current || proven(c, a, "sha2_full_tls") || proven(c, a, "sha2_full_rsa"));
  }
}

// The client's first packet read as an SSLRequest although the client did not start TLS (a
// payload framed as anything else can have its shape): where TLS is offered, the proxy answers
// with its TLS handshake, whose records follow its greeting in place of packets.
bool proxy_began_tls_unasked(const Conversation& c) {
  if (c.peer_tls != nullptr || !c.greeting_caps.has(protocol::kClientSsl) || c.sent.size() < 4) return false;
  const protocol::FrameHeader h = protocol::decode_frame_header(c.sent.data());
  if (h.seq != 1 || h.length > c.opt.packet_cap || c.sent.size() - 4 < h.length) return false;
  return protocol::is_ssl_request(std::span<const std::uint8_t>(c.sent.data() + 4, h.length));
}

// LOGIN_CONVERSATION_TRACE=1: one line per input on stderr saying how the login ended, to see
// what a seed reaches.
void trace(const Conversation& c) {
  static const bool on = std::getenv("LOGIN_CONVERSATION_TRACE") != nullptr;
  if (!on) return;
  static constexpr std::array<const char*, 7> kRefusals{"none",          "client_gone",   "bad_handshake", "tls_failed",
                                                        "access_denied", "tls_required", "throttled"};
  std::fprintf(stderr, "login_conversation: %s user=%s method=%s tls=%d packets=%zu well_framed=%d\n",
               kRefusals.at(static_cast<std::size_t>(c.refusal)), c.login ? c.login->user->name.c_str() : "-",
               c.login ? c.login->auth_method : "-", c.tls_active ? 1 : 0, c.packets.size(), c.well_framed ? 1 : 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)fixtures();
  seed_random(data, size);
  Reader in(data, size);
  Conversation c(read_options(in));

  int fds[2];
  FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  // The proxy's code only reads, writes and closes its socket: a Unix one does as well as TCP.
  proxy::tcp::socket proxy_side(c.io);
  proxy_side.assign(proxy::tcp::v4(), fds[0]);
  c.stream.emplace(std::move(proxy_side), c.opt.packet_cap);
  c.peer.assign(Local(), fds[1]);
  asio::co_spawn(c.io, serve(c), [&c](std::exception_ptr e) {
    if (e == nullptr) return;
    c.proxy_threw = true;
    c.proxy_done = true;
    c.stream->close();
  });
  c.draining = true;
  asio::co_spawn(c.io, drain(c), no_exception);

  settle(c.io);
  take_packets(c);
  check_greeting(c);
  while (!c.proxy_done && !c.closed && !in.done()) {
    if (c.peer_tls && !c.tls_active) break;  // the TLS handshake did not complete
    // The proxy waits for the client, so it has read all the client wrote.
    FUZZ_CHECK(!c.writing);
    play_turn(c, in);
    settle(c.io);
    take_packets(c);
  }
  if (!c.closed) close_client(c);
  settle(c.io);
  take_packets(c);

  // No hang: with nothing more to come from the client, accept_client has returned.
  FUZZ_CHECK(c.proxy_done);
  FUZZ_CHECK(!c.proxy_threw);
  FUZZ_CHECK(!c.writing && !c.draining);
  FUZZ_CHECK(c.parsed == c.received.size() || proxy_began_tls_unasked(c));  // whole packets only
  FUZZ_CHECK(c.login.has_value() == (c.refusal == LoginRefusal::kNone));
  check_refusal(c);
  if (c.login) check_login(c);
  check_fast_auth_cache(c);
  trace(c);

  error_code ignored;
  c.peer.close(ignored);
  settle(c.io);
  FUZZ_CHECK(c.io.stopped());  // no coroutine left waiting
  return 0;
}
