#include "proxy/backend/backend_connection.hpp"


#include "protocol/auth.hpp"
#include "protocol/command.hpp"
#include "protocol/handshake.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/backend/backend_auth.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/net/deadline.hpp"
#include "proxy/backend/server_identity.hpp"

namespace mysqlproxy::proxy {
namespace {

using protocol::Capabilities;

// Capabilities the proxy asks of a backend, whatever the client asked: the relay needs these.
constexpr std::uint32_t kRequiredBackendCaps = protocol::kClientProtocol41 | protocol::kClientSecureConnection |
                                               protocol::kClientPluginAuth | protocol::kClientLongPassword |
                                               protocol::kClientTransactions;

Capabilities backend_caps_for(const BackendCredentials& creds, Capabilities server) {
  // Everything that shapes the answers follows the client's choice, so bytes can be relayed as
  // they come; the rest is what the proxy itself needs.
  Capabilities caps{(creds.client_caps.bits & kProxyServerCaps) | kRequiredBackendCaps};
  caps = caps.without(protocol::kClientConnectWithDb | protocol::kClientConnectAttrs);
  if (!creds.database.empty()) caps = caps.with(protocol::kClientConnectWithDb);
  if (server.has(protocol::kClientConnectAttrs)) caps = caps.with(protocol::kClientConnectAttrs);
  if (server.has(protocol::kClientPluginAuthLenencClientData)) {
    caps = caps.with(protocol::kClientPluginAuthLenencClientData);
  }
  return caps.intersect(server.with(protocol::kClientLongPassword));
}

}  // namespace

awaitable<BackendOpenResult> BackendConnection::open(const BackendTarget& target, const BackendCredentials& creds,
                                                     std::chrono::milliseconds timeout, std::size_t max_packet_size) {
  auto ex = co_await asio::this_coro::executor;
  BackendOpenResult result;
  tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(target.host, std::to_string(target.port), kUseTuple);
  if (rec) {
    result.failure.ec = rec;
    co_return result;
  }
  auto conn = std::make_unique<BackendConnection>(tcp::socket(ex), target, max_packet_size);
  Deadline deadline(ex, conn->stream_.socket());
  deadline.arm(timeout);
  auto [cec, ep] = co_await asio::async_connect(conn->stream_.socket(), endpoints, kUseTuple);
  (void)ep;
  if (cec) {
    result.failure.ec = deadline.expired() ? asio::error::timed_out : cec;
    co_return result;
  }
  conn->stream_.socket().set_option(tcp::no_delay(true));
  if (auto ec = co_await conn->login(creds, result.failure)) {
    result.failure.ec = deadline.expired() ? asio::error::timed_out : ec;
    co_return result;
  }
  deadline.cancel();
  conn->carried_.schema = creds.database;
  conn->carried_.multi_statements = conn->caps_.has(protocol::kClientMultiStatements);
  result.connection = std::move(conn);
  co_return result;
}

awaitable<error_code> BackendConnection::login(const BackendCredentials& creds, BackendFailure& failure) {
  auto greeting_packet = co_await stream_.read_packet();
  if (!greeting_packet) co_return greeting_packet.error();
  if (!greeting_packet->payload.empty() && greeting_packet->payload[0] == protocol::kErrHeader) {
    // e.g. "Too many connections" or "Host is blocked", before any handshake
    failure.server_error.assign(greeting_packet->payload.begin(), greeting_packet->payload.end());
    co_return protocol::ProtocolErrc::kUnexpectedPacket;
  }
  auto greeting = protocol::decode_initial_handshake(greeting_packet->payload);
  if (!greeting) co_return greeting.error();

  server_caps_ = greeting->capabilities;
  connection_id_ = greeting->connection_id;
  server_version_ = greeting->server_version;
  server_collation_ = greeting->character_set;
  caps_ = backend_caps_for(creds, greeting->capabilities);
  server_extended_caps_ = greeting->mariadb_extended_capabilities;  // 0 unless CLIENT_MYSQL is clear
  extended_caps_ = creds.client_extended_caps & server_extended_caps_;
  // A MariaDB server reads the extended capabilities only from a client that clears CLIENT_MYSQL.
  if (extended_caps_ != 0) caps_ = caps_.without(protocol::kClientLongPassword);
  // Compression is the proxy's own choice per backend, never the client's: the relay works on
  // the inner bytes either way.
  if (target_.compress && server_caps_.has(protocol::kClientCompress)) caps_ = caps_.with(protocol::kClientCompress);

  std::uint8_t seq = greeting_packet->next_seq;
  if (target_.tls) {
    // The server says nothing more until TLS is up: bytes already here came from someone else
    // (plaintext injected on the path) and must never be read as if TLS had protected them.
    if (const std::size_t early = stream_.decoder().buffered().size(); early != 0) {
      failure.detail = "backend " + target_.name + " sent " + std::to_string(early) +
                       " bytes after its greeting, before TLS started: refused (injected on the path?)";
      failure.server_error = protocol::make_err_payload(kErrBackendTls.code, kErrBackendTls.sql_state,
                                                        foreign_data_source_message(target_.name));
      co_return protocol::ProtocolErrc::kUnexpectedPacket;
    }
    if (!server_caps_.has(protocol::kClientSsl)) {
      failure.detail = "backend " + target_.name + " does not offer TLS, which the proxy's configuration requires for it";
      failure.server_error = protocol::make_err_payload(kErrBackendTls.code, kErrBackendTls.sql_state,
                                                        foreign_data_source_message(target_.name));
      co_return protocol::ProtocolErrc::kUnsupported;
    }
    caps_ = caps_.with(protocol::kClientSsl);
    protocol::SslRequest request;
    request.capabilities = caps_;
    request.max_packet_size = 1u << 30;
    request.character_set = creds.collation;
    request.mariadb_extended_capabilities = extended_caps_;
    std::vector<std::uint8_t> ssl_request;
    protocol::encode_ssl_request(request, ssl_request);
    if (auto ec = co_await stream_.write_packet(ssl_request, seq)) co_return ec;
    ++seq;
    if (auto ec = co_await stream_.start_tls_as_client(target_.tls, target_.tls_server_name, target_.tls_check_name)) {
      failure.detail = "TLS to backend " + target_.name + " failed: " + ec.message();
      failure.server_error = protocol::make_err_payload(kErrBackendTls.code, kErrBackendTls.sql_state,
                                                        foreign_data_source_message(target_.name));
      co_return ec;
    }
    stream_.decoder().expect_seq(seq);
  }

  std::string plugin = greeting->auth_plugin_name.empty() ? std::string(kNativePassword) : greeting->auth_plugin_name;
  std::vector<std::uint8_t> scramble(greeting->auth_plugin_data.begin(), greeting->auth_plugin_data.end());
  auto first = initial_auth_response(plugin, creds.password, scramble, creds.native_stage1);
  if (!first) {
    // Unknown default plugin (or one a hashed password can't answer): offer native password and
    // let the server switch us.
    plugin = std::string(kNativePassword);
    first = initial_auth_response(plugin, creds.password, scramble, creds.native_stage1);
  }

  protocol::HandshakeResponse41 response;
  response.capabilities = caps_;
  response.max_packet_size = 1u << 30;
  response.character_set = creds.collation;
  response.mariadb_extended_capabilities = extended_caps_;
  response.username = creds.user;
  response.auth_response.assign(first->begin(), first->end());
  response.database = creds.database;
  response.auth_plugin_name = plugin;
  if (caps_.has(protocol::kClientConnectAttrs)) response.attributes = creds.attributes;
  std::vector<std::uint8_t> payload;
  protocol::encode_handshake_response(response, payload);
  if (auto ec = co_await stream_.write_packet(payload, seq)) co_return ec;

  // The login conversation: OK, ERR, an auth switch, or caching_sha2's extra round trips.
  bool asked_for_key = false;  // the only time a public key from the server is taken
  for (int round = 0; round < 8; ++round) {
    auto packet = co_await stream_.read_packet();
    if (!packet) co_return packet.error();
    const auto body = packet->payload;
    if (body.empty()) co_return protocol::ProtocolErrc::kUnexpectedPacket;
    std::vector<std::uint8_t> answer;
    switch (body[0]) {
      case protocol::kOkHeader: {
        auto ok = protocol::decode_ok(body, caps_);
        if (ok) status_ = ok->status;
        if (caps_.has(protocol::kClientCompress)) stream_.start_compression(protocol::CompressionAlgorithm::kZlib, 0);
        co_return error_code{};
      }
      case protocol::kErrHeader:
        failure.server_error.assign(body.begin(), body.end());
        co_return protocol::ProtocolErrc::kUnexpectedPacket;
      case protocol::kAuthSwitchHeader: {
        auto sw = protocol::decode_auth_switch_request(body);
        if (!sw) co_return sw.error();
        plugin = sw->plugin_name;
        scramble.assign(sw->plugin_data.begin(), sw->plugin_data.end());
        auto r = initial_auth_response(plugin, creds.password, scramble, creds.native_stage1);
        if (!r) {
          if (creds.native_stage1) {
            failure.detail = "backend " + target_.name + " asks for " + plugin + ", but the proxy knows user '" +
                             creds.user + "' only by a mysql_native_password hash";
            failure.server_error = protocol::make_err_payload(kErrUnsupportedAuth.code, kErrUnsupportedAuth.sql_state,
                                                              unsupported_auth_message(presents_mariadb(server_version_)));
          }
          co_return r.error();
        }
        answer = std::move(*r);
        break;
      }
      case protocol::kAuthMoreDataHeader: {
        auto more = protocol::decode_auth_more_data(body);
        if (!more) co_return more.error();
        const std::string_view data = more->data;
        if (plugin != kCachingSha2Password || data.empty()) co_return protocol::ProtocolErrc::kUnexpectedPacket;
        if (data.size() == 1 && static_cast<std::uint8_t>(data[0]) == protocol::kCachingSha2FastAuthSuccess) {
          continue;  // an OK follows
        }
        if (data.size() == 1 && static_cast<std::uint8_t>(data[0]) == protocol::kCachingSha2PerformFullAuthentication) {
          if (stream_.tls()) {
            answer.assign(creds.password.begin(), creds.password.end());  // TLS protects it
            answer.push_back(0);
          } else if (target_.rsa_public_key) {
            // No TLS: the RSA exchange, with the configured key; the server's is never asked for.
            auto encrypted =
                protocol::rsa_encrypt_password(creds.password, trim_scramble(scramble), target_.rsa_public_key);
            if (!encrypted) co_return encrypted.error();
            answer = std::move(*encrypted);
          } else if (target_.get_server_public_key) {
            answer = {protocol::kCachingSha2RequestPublicKey};  // the key the server sends: unpinned
            asked_for_key = true;
          } else {
            // As MySQL's own clients: no password leaves in a form anyone on the path could read.
            failure.detail = "backend " + target_.name + " asks for caching_sha2_password full authentication of '" +
                             creds.user + "' without TLS: Authentication requires secure connection (use TLS, "
                             "or set rsa_public_key_file or get_server_public_key for this backend)";
            failure.server_error = protocol::make_err_payload(kErrBackendTls.code, kErrBackendTls.sql_state,
                                                              foreign_data_source_message(target_.name));
            co_return protocol::ProtocolErrc::kUnsupported;
          }
        } else if (asked_for_key) {
          asked_for_key = false;
          auto key = protocol::RsaPublicKey::from_pem(data);
          if (!key) co_return key.error();
          auto encrypted = protocol::rsa_encrypt_password(creds.password, trim_scramble(scramble), *key);
          if (!encrypted) co_return encrypted.error();
          answer = std::move(*encrypted);
        } else {
          co_return protocol::ProtocolErrc::kUnexpectedPacket;  // a key nobody asked for
        }
        break;
      }
      default:
        co_return protocol::ProtocolErrc::kUnexpectedPacket;
    }
    if (auto ec = co_await stream_.write_packet(answer, packet->next_seq)) co_return ec;
  }
  co_return protocol::ProtocolErrc::kUnexpectedPacket;
}

awaitable<bool> BackendConnection::reset() {
  std::vector<std::uint8_t> payload;
  protocol::encode_simple_command(protocol::Command::kResetConnection, payload);
  const error_code write_error = co_await stream_.write_packet(payload, 0);
  if (write_error) co_return false;
  auto answer = co_await stream_.read_packet();
  if (!answer || answer->payload.empty() || answer->payload[0] != protocol::kOkHeader) co_return false;
  if (auto ok = protocol::decode_ok(answer->payload, caps_)) status_ = ok->status;
  // The server dropped the session's state; the database stays selected.
  carried_.applied.clear();
  carried_.tainted = false;
  carried_.gtid_tracking = false;
  carried_.multi_statements = caps_.has(protocol::kClientMultiStatements);
  statements_.clear();  // the server closed them
  co_return true;
}

awaitable<void> BackendConnection::quit() {
  if (!stream_.is_open()) co_return;
  std::vector<std::uint8_t> payload;
  protocol::encode_simple_command(protocol::Command::kQuit, payload);
  (void)co_await stream_.write_packet(payload, 0);
  stream_.close();
}

}  // namespace mysqlproxy::proxy
