#include "proxy/session/client_handshake.hpp"

#include "protocol/auth.hpp"
#include "protocol/handshake.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/backend/backend_auth.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/session/client_auth.hpp"

namespace mysqlproxy::proxy {
namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Sends an auth switch to mysql_native_password with `scramble` and returns the client's answer.
awaitable<protocol::Result<protocol::Packet>> switch_to_native(PacketStream& client, std::string_view scramble,
                                                               std::uint8_t seq) {
  protocol::AuthSwitchRequest sw;
  sw.plugin_name = std::string(kNativePassword);
  sw.plugin_data = std::string(scramble) + '\0';
  std::vector<std::uint8_t> payload;
  protocol::encode_auth_switch_request(sw, payload);
  if (auto ec = co_await client.write_packet(payload, seq)) co_return ec;
  co_return co_await client.read_packet();
}

void note_failure(const HandshakeSettings& settings, LoginFailure failure) {
  if (settings.on_failure) settings.on_failure(failure);
}

}  // namespace

awaitable<error_code> send_error(PacketStream& client, std::uint16_t code, std::string_view sql_state,
                                 std::string_view message, std::uint8_t seq) {
  const auto payload = protocol::make_err_payload(code, sql_state, message);
  co_return co_await client.write_packet(payload, seq);
}

awaitable<std::optional<ClientLogin>> accept_client(PacketStream& client, const HandshakeSettings& settings,
                                                    const SessionLog& log) {
  const std::string scramble = make_scramble();
  protocol::InitialHandshakeV10 greeting;
  greeting.server_version = settings.identity->version;
  greeting.connection_id = settings.connection_id;
  greeting.auth_plugin_data = scramble;
  greeting.capabilities = protocol::Capabilities{kProxyServerCaps}.intersect(
      settings.identity->backend_caps.with(protocol::kClientLongPassword));
  greeting.character_set = settings.identity->collation;
  greeting.status_flags = protocol::kServerStatusAutocommit;
  greeting.auth_plugin_name = std::string(kNativePassword);
  std::vector<std::uint8_t> payload;
  protocol::encode_initial_handshake(greeting, payload);
  const error_code write_error = co_await client.write_packet(payload, 0);
  if (write_error) co_return std::nullopt;

  auto packet = co_await client.read_packet();
  if (!packet) {
    if (packet.error().category() == protocol::protocol_category()) note_failure(settings, LoginFailure::kBadHandshake);
    log.debug("client left during handshake: {}", packet.error().message());
    co_return std::nullopt;
  }
  if (protocol::is_ssl_request(packet->payload)) {
    co_await send_error(client, kErrHandshake.code, kErrHandshake.sql_state, "TLS is not enabled on this proxy",
                        packet->next_seq);
    co_return std::nullopt;
  }
  auto response = protocol::decode_handshake_response(packet->payload);
  if (!response) {
    log.info("bad handshake response: {}", response.error().message());
    note_failure(settings, LoginFailure::kBadHandshake);
    co_await send_error(client, kErrHandshake.code, kErrHandshake.sql_state, "Bad handshake", packet->next_seq);
    co_return std::nullopt;
  }

  ClientLogin login;
  login.user = config::find_user(*settings.config, response->username);
  login.database = response->database;
  login.caps = response->capabilities.intersect(greeting.capabilities);
  login.collation = response->character_set;
  login.attributes = std::move(response->attributes);
  std::string auth = std::move(response->auth_response);
  std::uint8_t seq = packet->next_seq;

  // A client that answered with another plugin (caching_sha2_password from MySQL 8 clients) is
  // asked to switch, exactly as a MySQL server configured for native passwords would do.
  const bool client_native = !response->capabilities.has(protocol::kClientPluginAuth) ||
                             response->auth_plugin_name == kNativePassword;
  if (!client_native) {
    auto answer = co_await switch_to_native(client, scramble, seq);
    if (!answer) co_return std::nullopt;
    auth.assign(answer->payload.begin(), answer->payload.end());
    seq = answer->next_seq;
  }
  if (!verify_client_password(login.user, bytes_of(auth), bytes_of(scramble))) {
    log.info("access denied for user '{}' from {}", response->username, settings.peer_host);
    note_failure(settings, login.user == nullptr ? LoginFailure::kUnknownUser : LoginFailure::kWrongPassword);
    co_await send_error(client, kErrAccessDenied.code, kErrAccessDenied.sql_state,
                        access_denied_message(response->username, settings.peer_host, !auth.empty()), seq);
    co_return std::nullopt;
  }
  login.next_seq = seq;
  login.scramble = scramble;
  co_return login;
}

awaitable<ReauthResult> reauthenticate(PacketStream& client, const config::UserConfig* user, std::string_view scramble,
                                       std::string_view plugin, std::span<const std::uint8_t> answer, std::uint8_t seq) {
  ReauthResult result;
  result.next_seq = seq;
  if ((plugin.empty() || plugin == kNativePassword) && verify_client_password(user, answer, bytes_of(scramble))) {
    result.ok = true;
    co_return result;
  }
  const std::string fresh = make_scramble();
  auto again = co_await switch_to_native(client, fresh, seq);
  if (!again) {
    result.io_error = true;
    co_return result;
  }
  result.next_seq = again->next_seq;
  result.ok = verify_client_password(user, again->payload, bytes_of(fresh));
  co_return result;
}

}  // namespace mysqlproxy::proxy
