#include "proxy/session/client_handshake.hpp"

#include "protocol/handshake.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/backend/extended_caps.hpp"
#include "proxy/session/client_auth.hpp"
#include "proxy/session/session_error.hpp"

namespace mysqlproxy::proxy {
namespace {

using protocol::bytes_of;

std::vector<std::uint8_t> bytes(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

// Sends one login packet and reads the client's answer.
awaitable<protocol::Result<protocol::Packet>> ask(PacketStream& client, const std::vector<std::uint8_t>& payload,
                                                  std::uint8_t seq) {
  if (auto ec = co_await client.write_packet(payload, seq)) co_return ec;
  co_return co_await client.read_packet();
}

std::vector<std::uint8_t> auth_switch(std::string_view plugin, std::string_view scramble) {
  protocol::AuthSwitchRequest sw;
  sw.plugin_name = std::string(plugin);
  sw.plugin_data = std::string(scramble) + '\0';
  std::vector<std::uint8_t> payload;
  protocol::encode_auth_switch_request(sw, payload);
  return payload;
}

std::vector<std::uint8_t> more_data(std::string data) {
  std::vector<std::uint8_t> payload;
  protocol::encode_auth_more_data(protocol::AuthMoreData{std::move(data)}, payload);
  return payload;
}

// caching_sha2_password's full authentication: the clear password, sent as is over TLS or
// RSA-encrypted without it (after asking for the public key, unless the client has it already).
awaitable<AuthOutcome> sha2_full_auth(PacketStream& client, const AuthServices& services,
                                      const config::UserConfig* user, std::string_view scramble, std::uint8_t seq) {
  AuthOutcome out;
  out.method = client.tls() ? "sha2_full_tls" : "sha2_full_rsa";
  const auto perform_full = more_data(std::string(1, static_cast<char>(protocol::kCachingSha2PerformFullAuthentication)));
  auto packet = co_await ask(client, perform_full, seq);
  if (!packet) {
    out.io_error = true;
    co_return out;
  }
  out.next_seq = packet->next_seq;
  std::string password;
  if (client.tls()) {
    password.assign(packet->payload.begin(), packet->payload.end());
    if (!password.empty() && password.back() == '\0') password.pop_back();
  } else {
    std::vector<std::uint8_t> cipher = bytes(packet->payload);
    if (cipher.size() == 1 && cipher[0] == protocol::kCachingSha2RequestPublicKey) {
      if (!services.rsa) co_return out;
      const auto key = more_data(services.rsa->public_pem);
      auto encrypted = co_await ask(client, key, packet->next_seq);
      if (!encrypted) {
        out.io_error = true;
        co_return out;
      }
      out.next_seq = encrypted->next_seq;
      cipher = bytes(encrypted->payload);
    }
    if (!services.rsa) co_return out;
    auto decrypted = protocol::rsa_decrypt_password(cipher, bytes_of(scramble), services.rsa->private_key);
    if (!decrypted) co_return out;  // garbage or the wrong key: a failed login, not a crash
    password = std::move(*decrypted);
  }
  out.ok = verify_clear_password(user, password);
  if (out.ok && services.fast_auth != nullptr) {
    if (auto stage2 = sha2_stage2_of(*user)) services.fast_auth->add(user->name, *stage2);
  }
  co_return out;
}

void note_failure(const HandshakeSettings& settings, LoginFailure failure) {
  if (settings.on_failure) settings.on_failure(failure);
}

}  // namespace

awaitable<AuthOutcome> authenticate(PacketStream& client, const AuthServices& services, config::AuthPlugin fallback,
                                    const config::UserConfig* user, std::string_view scramble,
                                    std::string_view client_plugin, std::vector<std::uint8_t> answer, std::uint8_t seq) {
  AuthOutcome out;
  out.next_seq = seq;
  const config::AuthPlugin plugin = user ? user->auth_plugin : fallback;
  const std::string_view wanted = plugin_name(plugin);
  // A client that answered for another plugin is switched to the user's, as MySQL servers do.
  if (client_plugin != wanted) {
    const auto request = auth_switch(wanted, scramble);
    auto reply = co_await ask(client, request, seq);
    if (!reply) {
      out.io_error = true;
      co_return out;
    }
    answer = bytes(reply->payload);
    out.next_seq = seq = reply->next_seq;
  }
  if (plugin == config::AuthPlugin::kNativePassword) {
    const NativeVerdict verdict = verify_native(user, answer, bytes_of(scramble));
    out.ok = verdict.ok;
    out.native_stage1 = verdict.stage1;
    co_return out;
  }
  // caching_sha2_password, as MySQL servers check it: an empty answer is an empty password; a user
  // in the fast-auth cache whose answer matches is in; anyone else proves the password in full
  // (a wrong fast answer too: some clients get the scramble's framing wrong, and the full exchange
  // settles it).
  if (answer.empty()) {
    out.method = "sha2_fast";
    out.ok = verify_sha2_scramble(user, answer, bytes_of(scramble));
    co_return out;
  }
  const auto stage2 = user ? sha2_stage2_of(*user) : std::nullopt;
  const bool cached = stage2 && services.fast_auth != nullptr && services.fast_auth->contains(user->name, *stage2);
  if (cached && verify_sha2_scramble(user, answer, bytes_of(scramble))) {
    out.method = "sha2_fast";
    out.ok = true;
    const auto fast_ok = more_data(std::string(1, static_cast<char>(protocol::kCachingSha2FastAuthSuccess)));
    if (auto ec = co_await client.write_packet(fast_ok, seq)) {
      out.io_error = true;
      co_return out;
    }
    out.next_seq = static_cast<std::uint8_t>(seq + 1);
    co_return out;
  }
  co_return co_await sha2_full_auth(client, services, user, scramble, seq);
}

protocol::InitialHandshakeV10 make_greeting(const HandshakeSettings& settings, std::string scramble) {
  const ServerIdentity& identity = *settings.identity;
  protocol::InitialHandshakeV10 greeting;
  greeting.server_version = identity.version;
  greeting.connection_id = settings.connection_id;
  greeting.auth_plugin_data = std::move(scramble);
  greeting.capabilities =
      protocol::Capabilities{kProxyServerCaps}.intersect(identity.backend_caps.with(protocol::kClientLongPassword));
  if (settings.auth.tls) greeting.capabilities = greeting.capabilities.with(protocol::kClientSsl);
  // Compression is the proxy's own, whatever the backends offer: it ends here (PacketStream).
  if (settings.config->compression.clients) {
    greeting.capabilities = greeting.capabilities.with(protocol::kClientCompress);
    if (settings.config->compression.zstd) {
      greeting.capabilities = greeting.capabilities.with(protocol::kClientZstdCompressionAlgorithm);
    }
  }
  greeting.mariadb_extended_capabilities = presented_extended_caps(identity, *settings.config);
  if (greeting.mariadb_extended_capabilities != 0) {
    greeting.capabilities = greeting.capabilities.without(protocol::kClientLongPassword);
  }
  greeting.character_set = identity.collation;
  greeting.status_flags = protocol::kServerStatusAutocommit;
  greeting.auth_plugin_name = std::string(plugin_name(settings.config->auth.default_plugin));
  return greeting;
}

awaitable<std::optional<ClientLogin>> accept_client(PacketStream& client, const HandshakeSettings& settings,
                                                    const SessionLog& log, LoginRefusal& refusal) {
  const config::Config& cfg = *settings.config;
  const std::string scramble = make_scramble();
  const protocol::InitialHandshakeV10 greeting = make_greeting(settings, scramble);
  std::vector<std::uint8_t> payload;
  protocol::encode_initial_handshake(greeting, payload);
  refusal = LoginRefusal::kClientGone;
  const error_code write_error = co_await client.write_packet(payload, 0);
  if (write_error) co_return std::nullopt;

  auto packet = co_await client.read_packet();
  if (!packet) {
    if (packet.error().category() == protocol::protocol_category()) {
      // Broken framing, or a packet over the login cap: it cannot be a handshake response.
      log.info("bad handshake from {}: {}", settings.peer_host, packet.error().message());
      refusal = LoginRefusal::kBadHandshake;
      note_failure(settings, LoginFailure::kBadHandshake);
      const std::uint8_t err_seq = client.decoder().expected_seq();
      const auto refused = SessionError::of(kErrHandshake, std::nullopt);
      co_await send_session_error(client, refused, err_seq, log);
      co_return std::nullopt;
    }
    log.debug("client left during handshake: {}", packet.error().message());
    co_return std::nullopt;
  }
  if (protocol::is_ssl_request(packet->payload)) {
    if (!settings.auth.tls) {
      refusal = LoginRefusal::kBadHandshake;
      log.info("{} asked for TLS, which is not enabled", settings.peer_host);
      const auto refused = SessionError::of(kErrHandshake, std::nullopt);
      co_await send_session_error(client, refused, packet->next_seq, log);
      co_return std::nullopt;
    }
    const std::uint8_t next_seq = packet->next_seq;
    if (auto ec = co_await client.start_tls_as_server(settings.auth.tls)) {
      log.info("TLS handshake with {} failed: {}", settings.peer_host, ec.message());
      refusal = LoginRefusal::kTlsFailed;
      co_return std::nullopt;
    }
    client.decoder().expect_seq(next_seq);
    packet = co_await client.read_packet();
    if (!packet) {
      log.debug("client left after TLS started: {}", packet.error().message());
      co_return std::nullopt;
    }
  }
  auto response = protocol::decode_handshake_response(packet->payload);
  if (!response) {
    log.info("bad handshake response: {}", response.error().message());
    refusal = LoginRefusal::kBadHandshake;
    note_failure(settings, LoginFailure::kBadHandshake);
    const auto refused = SessionError::of(kErrHandshake, std::nullopt);
    co_await send_session_error(client, refused, packet->next_seq, log);
    co_return std::nullopt;
  }

  if (const auto blocked = settings.blocked ? settings.blocked() : std::nullopt) {
    log.info("{} was blocked after failed logins while this connection waited: refused", settings.peer_host);
    refusal = LoginRefusal::kThrottled;
    const auto refused = SessionError::of(kErrHostBlocked, *blocked, std::nullopt);
    co_await send_session_error(client, refused, packet->next_seq, log);
    co_return std::nullopt;
  }

  ClientLogin login;
  login.user = config::find_user(cfg, response->username);
  if (login.user == nullptr && settings.resolve_user) {
    std::string name = response->username;
    login.user = co_await settings.resolve_user(std::move(name));
  }
  login.database = response->database;
  login.caps = response->capabilities.intersect(greeting.capabilities);
  login.extended_caps = response->mariadb_extended_capabilities & greeting.mariadb_extended_capabilities;
  login.collation = response->character_set;
  login.zstd_level = response->zstd_level;
  login.attributes = std::move(response->attributes);
  login.scramble = scramble;
  std::vector<std::uint8_t> answer(response->auth_response.begin(), response->auth_response.end());
  const bool used_password = !answer.empty();
  // Without CLIENT_PLUGIN_AUTH the answer is a mysql_native_password one.
  const std::string client_plugin = response->capabilities.has(protocol::kClientPluginAuth)
                                        ? response->auth_plugin_name
                                        : std::string(protocol::kMysqlNativePassword);
  const std::uint8_t answer_seq = packet->next_seq;
  const auto outcome = co_await authenticate(client, settings.auth, cfg.auth.default_plugin, login.user, scramble,
                                             client_plugin, std::move(answer), answer_seq);
  if (outcome.io_error) co_return std::nullopt;
  if (!outcome.ok) {
    log.info("access denied for user '{}' from {}", response->username, settings.peer_host);
    refusal = LoginRefusal::kAccessDenied;
    note_failure(settings, login.user == nullptr ? LoginFailure::kUnknownUser : LoginFailure::kWrongPassword);
    const std::string message = access_denied_message(response->username, settings.peer_host, used_password);
    const auto refused = SessionError::of(kErrAccessDenied, message, std::nullopt);
    co_await send_session_error(client, refused, outcome.next_seq, log);
    co_return std::nullopt;
  }
  // Checked after the password, so a stranger learns nothing about which users need TLS.
  if (const auto insecure = insecure_transport_refusal(cfg, *login.user, client.tls())) {
    log.info("user '{}' from {} refused: TLS required", response->username, settings.peer_host);
    refusal = LoginRefusal::kTlsRequired;
    const auto refused = SessionError::of(kErrSecureTransportRequired, *insecure, std::nullopt);
    co_await send_session_error(client, refused, outcome.next_seq, log);
    co_return std::nullopt;
  }
  refusal = LoginRefusal::kNone;
  login.next_seq = outcome.next_seq;
  login.native_stage1 = outcome.native_stage1;
  login.auth_method = outcome.method;
  co_return login;
}

}  // namespace mysqlproxy::proxy
