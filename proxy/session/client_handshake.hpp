#pragma once
// The proxy as a MySQL server at login: greeting, TLS upgrade, the client's answer, auth switch,
// and the password check of mysql_native_password or caching_sha2_password.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "protocol/auth.hpp"
#include "protocol/capabilities.hpp"
#include "protocol/handshake.hpp"
#include "proxy/logging.hpp"
#include "proxy/net/packet_stream.hpp"
#include "proxy/backend/server_identity.hpp"
#include "proxy/session/fast_auth_cache.hpp"
#include "proxy/tls/rsa_key_pair.hpp"
#include "proxy/tls/tls_context.hpp"
#include "proxy/session/login_failure.hpp"

namespace mysqlproxy::proxy {

struct ClientLogin {
  const config::UserConfig* user = nullptr;  // points into the config the session holds
  std::string database;                      // empty: none asked for
  protocol::Capabilities caps;               // negotiated: client's ∩ ours
  std::uint32_t extended_caps = 0;           // MariaDB extended capabilities, negotiated likewise
  std::uint8_t zstd_level = 0;               // the level a zstd client asked for
  std::uint8_t collation = 0;
  protocol::ConnectAttributes attributes;
  std::uint8_t next_seq = 0;                 // sequence id of the OK/ERR that ends the login
  std::string scramble;                      // the greeting's: COM_CHANGE_USER answers are made with it
  // SHA1(password) when the config holds only the hash: the backend login is made from it.
  std::optional<protocol::Sha1Digest> native_stage1;
  const char* auth_method = "native";  // AuthOutcome::method
};

// What checking passwords needs beyond the config.
struct AuthServices {
  SslContextPtr tls;                        // null: TLS not offered
  std::shared_ptr<const RsaKeyPair> rsa;    // caching_sha2_password without TLS
  FastAuthCache* fast_auth = nullptr;
};

struct HandshakeSettings {
  std::uint32_t connection_id = 0;
  std::shared_ptr<const ServerIdentity> identity;
  const config::Config* config = nullptr;
  std::string peer_host;
  AuthServices auth;
  // Told why a login failed (wrong password, bad handshake...), before the client hears of it.
  std::function<void(LoginFailure)> on_failure;
  // A user the config does not list: an account of the backends (auth.backend_users), or null.
  // The entry stays valid for the session.
  std::function<awaitable<const config::UserConfig*>(std::string)> resolve_user;
  // The ERR 1129 text when the client's source is blocked after failed logins, else nullopt.
  // Asked again when the handshake response arrives: a connection opened before the block must
  // not go on guessing.
  std::function<std::optional<std::string>()> blocked;
};

// The greeting the proxy sends: the identity's version and collation, the capabilities it can
// honour among the primary's (CLIENT_SSL when TLS is offered), and the MariaDB extended
// capabilities every backend offers; with those, CLIENT_MYSQL is clear, as from a MariaDB server.
[[nodiscard]] protocol::InitialHandshakeV10 make_greeting(const HandshakeSettings& settings, std::string scramble);

// Why accept_client gave up, for mysql_proxy_client_connections_rejected_total (LoginFailure, for
// the throttle, counts only the client's own mistakes).
enum class LoginRefusal { kNone, kClientGone, kBadHandshake, kTlsFailed, kAccessDenied, kTlsRequired, kThrottled };

// Runs the login up to (not including) the final OK. On failure it has already sent the client
// an ERR where the protocol allows one, and returns nothing with `refusal` set.
awaitable<std::optional<ClientLogin>> accept_client(PacketStream& client, const HandshakeSettings& settings,
                                                    const SessionLog& log, LoginRefusal& refusal);

// One password check, from the client's first answer on: auth switch to the user's plugin if the
// client answered for another, then that plugin's exchange. Used by the login and COM_CHANGE_USER.
struct AuthOutcome {
  bool ok = false;
  bool io_error = false;
  // How the password was checked: "native", "sha2_fast", "sha2_full_tls" or "sha2_full_rsa".
  const char* method = "native";
  std::uint8_t next_seq = 0;  // for the OK or ERR that ends the exchange
  std::optional<protocol::Sha1Digest> native_stage1;
};
awaitable<AuthOutcome> authenticate(PacketStream& client, const AuthServices& services, config::AuthPlugin fallback,
                                    const config::UserConfig* user, std::string_view scramble,
                                    std::string_view client_plugin, std::vector<std::uint8_t> answer, std::uint8_t seq);

}  // namespace mysqlproxy::proxy
