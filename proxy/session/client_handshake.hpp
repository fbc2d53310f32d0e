#pragma once
// The proxy as a MySQL server at login: greeting, the client's answer, auth switch, password check.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "protocol/capabilities.hpp"
#include "proxy/logging.hpp"
#include "proxy/net/packet_stream.hpp"
#include "proxy/server/server_identity.hpp"
#include "proxy/session/login_failure.hpp"

namespace mysqlproxy::proxy {

struct ClientLogin {
  const config::UserConfig* user = nullptr;  // points into the config the session holds
  std::string database;                      // empty: none asked for
  protocol::Capabilities caps;               // negotiated: client's ∩ ours
  std::uint8_t collation = 0;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::uint8_t next_seq = 0;                 // sequence id of the OK/ERR that ends the login
  std::string scramble;                      // the greeting's: COM_CHANGE_USER answers are made with it
};

struct HandshakeSettings {
  std::uint32_t connection_id = 0;
  std::shared_ptr<const ServerIdentity> identity;
  const config::Config* config = nullptr;
  std::string peer_host;
  // Told why a login failed (wrong password, bad handshake...), before the client hears of it.
  std::function<void(LoginFailure)> on_failure;
};

// Runs the login up to (not including) the final OK. On failure it has already sent the client
// an ERR where the protocol allows one, and returns nothing.
awaitable<std::optional<ClientLogin>> accept_client(PacketStream& client, const HandshakeSettings& settings,
                                                    const SessionLog& log);

// COM_CHANGE_USER: checks the client's answer against the greeting's scramble, as servers do; if it
// was made with another plugin or does not match, asks once more through an auth switch to
// mysql_native_password with a fresh scramble.
struct ReauthResult {
  bool ok = false;
  bool io_error = false;
  std::uint8_t next_seq = 0;
};
awaitable<ReauthResult> reauthenticate(PacketStream& client, const config::UserConfig* user, std::string_view scramble,
                                       std::string_view plugin, std::span<const std::uint8_t> answer, std::uint8_t seq);

// Sends an ERR packet built from a code, state and message.
awaitable<error_code> send_error(PacketStream& client, std::uint16_t code, std::string_view sql_state,
                                 std::string_view message, std::uint8_t seq);

}  // namespace mysqlproxy::proxy
