#pragma once
// BackendConnection: the proxy as a MySQL client of one backend server. Opens the TCP
// connection, logs in (mysql_native_password, caching_sha2_password, auth switch), and then
// carries commands for a client session.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/auth.hpp"
#include "protocol/capabilities.hpp"
#include "protocol/connect_attributes.hpp"
#include "proxy/backend/statement_cache.hpp"
#include "proxy/net/packet_stream.hpp"

namespace mysqlproxy::proxy {

struct BackendTarget {
  std::string name;
  std::string host;
  std::uint16_t port = 3306;
  // TLS to this backend: the context (null = plain TCP), the name sent as SNI and, when
  // check_name, required in its certificate.
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::string tls_server_name;
  bool tls_check_name = false;
  // The compressed protocol (zlib) on this connection, if the backend offers it.
  bool compress = false;
  // caching_sha2_password's full authentication without TLS sends the password RSA-encrypted:
  // with this key when set (backends[].rsa_public_key_file; the server is never asked), else with
  // the key the server sends, only if get_server_public_key. With neither the login fails.
  protocol::RsaPublicKey rsa_public_key;
  bool get_server_public_key = false;
};

struct BackendCredentials {
  std::string user;
  std::string password;
  // Set instead of the password when the config holds only its hash: SHA1(password), recovered
  // from the client's own login, is all mysql_native_password needs.
  std::optional<protocol::Sha1Digest> native_stage1;
  std::string database;                  // empty: none
  protocol::Capabilities client_caps;    // what the client negotiated with us
  std::uint32_t client_extended_caps = 0;  // its MariaDB extended capabilities, likewise
  std::uint8_t collation = 45;
  protocol::ConnectAttributes attributes;
};

// Why opening a backend failed: the server's own ERR payload (sent on to the client as it is), or
// an I/O or protocol error.
struct BackendFailure {
  error_code ec;
  std::vector<std::uint8_t> server_error;  // an ERR for the client, in the server's words
  std::string detail;                      // what the proxy knows of it, for the log
};

// Session state a pooled connection carries, so a lease whose state already matches costs nothing.
struct CarriedState {
  std::string schema;                // current default database
  std::vector<std::uint64_t> applied;  // hashes of the replayed SET statements, in order
  bool multi_statements = false;     // COM_SET_OPTION state
  bool tainted = false;              // holds state the proxy can't describe: reset before reuse
  bool gtid_tracking = false;        // reports its writes' GTIDs in OK packets (read-your-writes)
};

class BackendConnection;
struct BackendOpenResult {
  std::unique_ptr<BackendConnection> connection;  // null on failure
  BackendFailure failure;
};

class BackendConnection {
 public:
  static awaitable<BackendOpenResult> open(const BackendTarget& target, const BackendCredentials& creds,
                                           std::chrono::milliseconds timeout, std::size_t max_packet_size);

  PacketStream& stream() noexcept { return stream_; }
  const BackendTarget& target() const noexcept { return target_; }
  // Capabilities in force on this connection: they shape every answer the backend sends.
  [[nodiscard]] protocol::Capabilities caps() const noexcept { return caps_; }
  [[nodiscard]] std::uint32_t connection_id() const noexcept { return connection_id_; }
  [[nodiscard]] const std::string& server_version() const noexcept { return server_version_; }
  [[nodiscard]] std::uint8_t server_collation() const noexcept { return server_collation_; }
  [[nodiscard]] protocol::Capabilities server_caps() const noexcept { return server_caps_; }
  // MariaDB extended capabilities: in force on this connection, and offered by the server.
  [[nodiscard]] std::uint32_t extended_caps() const noexcept { return extended_caps_; }
  [[nodiscard]] std::uint32_t server_extended_caps() const noexcept { return server_extended_caps_; }
  [[nodiscard]] std::uint16_t status() const noexcept { return status_; }
  void set_status(std::uint16_t s) noexcept { status_ = s; }

  CarriedState& carried() noexcept { return carried_; }
  StatementCache& statements() noexcept { return statements_; }
  // Set by the pool: which backend and pool this connection belongs to, and when it went idle.
  std::uint32_t backend_id = 0;
  std::size_t pool_slot = 0;
  std::chrono::steady_clock::time_point idle_since{};
  std::uint64_t privilege_changes = 0;  // the pool's count of them when this connection logged in

  // Buffer for bulk relaying of answers, owned here so it lives as long as the connection.
  std::vector<std::uint8_t>& relay_buffer() noexcept { return relay_buffer_; }

  // COM_RESET_CONNECTION: drops the session state the connection carries (variables, temporary
  // tables, prepared statements, locks, transaction). False if it failed; then close it.
  awaitable<bool> reset();
  // Sends COM_QUIT (best effort) and closes.
  awaitable<void> quit();
  void close() noexcept { stream_.close(); }

  BackendConnection(tcp::socket socket, BackendTarget target, std::size_t max_packet_size)
      : stream_(std::move(socket), max_packet_size), target_(std::move(target)) {}

 private:
  awaitable<error_code> login(const BackendCredentials& creds, BackendFailure& failure);

  PacketStream stream_;
  BackendTarget target_;
  protocol::Capabilities caps_;
  protocol::Capabilities server_caps_;
  std::uint32_t extended_caps_ = 0;
  std::uint32_t server_extended_caps_ = 0;
  std::uint32_t connection_id_ = 0;
  std::string server_version_;
  std::uint8_t server_collation_ = 0;
  std::uint16_t status_ = 0;
  CarriedState carried_;
  StatementCache statements_;
  std::vector<std::uint8_t> relay_buffer_;
};

}  // namespace mysqlproxy::proxy
