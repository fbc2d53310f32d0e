#pragma once
// Connection phase: the server greeting (Protocol::HandshakeV10), the client's
// Protocol::HandshakeResponse41 and the Protocol::SSLRequest that precedes TLS.
// These values outlive the receive buffer, so they own their strings.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "protocol/capabilities.hpp"
#include "protocol/connect_attributes.hpp"
#include "protocol/errors.hpp"
#include "protocol/wire_reader.hpp"
#include "protocol/wire_writer.hpp"

namespace mysqlproxy::protocol {

// MariaDB extended capabilities: the upper 32 of MariaDB's 64 capability bits. They travel in the
// last 4 reserved bytes of the greeting / handshake response, and only when CLIENT_MYSQL
// (kClientLongPassword) is clear, which is how a MariaDB peer says "I am not MySQL".
inline constexpr std::uint32_t kMariaDbClientProgress = 1u << 0;
inline constexpr std::uint32_t kMariaDbClientComMulti = 1u << 1;
inline constexpr std::uint32_t kMariaDbClientStmtBulkOperations = 1u << 2;
inline constexpr std::uint32_t kMariaDbClientExtendedMetadata = 1u << 3;
inline constexpr std::uint32_t kMariaDbClientCacheMetadata = 1u << 4;

// The greeting and the handshake response are at least this long; an SSLRequest is exactly this.
inline constexpr std::size_t kSslRequestSize = 32;

struct InitialHandshakeV10 {
  std::uint8_t protocol_version = 10;
  std::string server_version;
  std::uint32_t connection_id = 0;
  std::string auth_plugin_data;  // the full scramble, usually 20 bytes: part1 (8) + part2
  Capabilities capabilities;
  std::uint8_t character_set = 0;
  std::uint16_t status_flags = 0;
  std::string auth_plugin_name;  // empty without CLIENT_PLUGIN_AUTH
  // The last 4 of the 10 reserved bytes; MariaDB puts extended caps there when CLIENT_MYSQL is
  // clear. Read and written only in that case.
  std::uint32_t mariadb_extended_capabilities = 0;
  bool operator==(const InitialHandshakeV10&) const = default;
};

// Accepts protocol version 10 only (9 is pre-4.1: kUnsupported). Tolerates a greeting that ends
// after the lower capability bits (very old servers) and a plugin name without its NUL.
[[nodiscard]] Result<InitialHandshakeV10> decode_initial_handshake(std::span<const std::uint8_t> payload);
// Writes part2 of the scramble with a trailing NUL (padded to 13 bytes), as servers do; the
// auth-plugin-data length byte is scramble size + 1 with CLIENT_PLUGIN_AUTH, else 0.
// Without CLIENT_PLUGIN_AUTH nothing on the wire gives the scramble's size (part 2 is read as 12
// bytes and a NUL), so a scramble reads back as written only if it has 20 bytes; with it, up to 254.
void encode_initial_handshake(const InitialHandshakeV10& v, std::vector<std::uint8_t>& out);

struct HandshakeResponse41 {
  Capabilities capabilities;
  std::uint32_t max_packet_size = 0;
  std::uint8_t character_set = 0;
  std::uint32_t mariadb_extended_capabilities = 0;  // only when CLIENT_MYSQL is clear
  std::string username;
  std::string auth_response;
  std::string database;          // only with CLIENT_CONNECT_WITH_DB
  std::string auth_plugin_name;  // only with CLIENT_PLUGIN_AUTH
  ConnectAttributes attributes;  // only with CLIENT_CONNECT_ATTRS, in wire order
  std::uint8_t zstd_level = 0;   // only with CLIENT_ZSTD_COMPRESSION_ALGORITHM: the packet's last byte
  bool operator==(const HandshakeResponse41&) const = default;
};

// Reads the capabilities from the packet itself. A client without CLIENT_PROTOCOL_41 is
// kUnsupported. Like real servers, a packet that ends before the database, the plugin name or the
// attributes its flags announce decodes with those fields empty; a NUL missing at the very end of
// the packet is tolerated too.
[[nodiscard]] Result<HandshakeResponse41> decode_handshake_response(std::span<const std::uint8_t> payload);
// Writes every field its capabilities announce. Without CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA the
// auth response must fit a 1-byte length (longer ones are cut at 255 bytes).
void encode_handshake_response(const HandshakeResponse41& v, std::vector<std::uint8_t>& out);

struct SslRequest {
  Capabilities capabilities;
  std::uint32_t max_packet_size = 0;
  std::uint8_t character_set = 0;
  std::uint32_t mariadb_extended_capabilities = 0;  // MariaDB clients send it here too
  bool operator==(const SslRequest&) const = default;
};

[[nodiscard]] Result<SslRequest> decode_ssl_request(std::span<const std::uint8_t> payload);
void encode_ssl_request(const SslRequest& v, std::vector<std::uint8_t>& out);

// The client's first packet is an SSLRequest when it is exactly 32 bytes with CLIENT_SSL set
// (a HandshakeResponse41 always carries at least a username NUL beyond that).
[[nodiscard]] bool is_ssl_request(std::span<const std::uint8_t> payload) noexcept;

}  // namespace mysqlproxy::protocol
