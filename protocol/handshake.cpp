#include "protocol/handshake.hpp"

#include <algorithm>

namespace mysqlproxy::protocol {
namespace {

constexpr std::size_t kScramblePart1Size = 8;
constexpr std::size_t kMinScramblePart2Size = 13;  // 12 bytes + NUL, even without PLUGIN_AUTH
constexpr std::size_t kReservedBeforeExtendedCaps = 6;  // greeting: 10 reserved = 6 + 4
constexpr std::size_t kFillerBeforeExtendedCaps = 19;   // response: 23 filler = 19 + 4

// The extended caps are meaningful only from a MariaDB peer, which clears CLIENT_MYSQL.
bool carries_mariadb_caps(Capabilities caps) { return !caps.has(kClientLongPassword); }

}  // namespace

Result<InitialHandshakeV10> decode_initial_handshake(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  InitialHandshakeV10 v;
  v.protocol_version = r.u8();
  if (!r.ok()) return r.error();
  if (v.protocol_version != 10) return ProtocolErrc::kUnsupported;
  v.server_version = r.nul_str();
  v.connection_id = r.u32();
  v.auth_plugin_data = r.bytes(kScramblePart1Size);
  r.skip(1);  // filler
  std::uint32_t caps = r.u16();
  if (!r.ok()) return r.error();
  v.capabilities = Capabilities{caps};
  if (r.empty()) return v;  // servers before 4.1 may stop after the lower capability bits

  v.character_set = r.u8();
  v.status_flags = r.u16();
  caps |= std::uint32_t{r.u16()} << 16;
  v.capabilities = Capabilities{caps};
  const std::size_t data_len = r.u8();
  r.skip(kReservedBeforeExtendedCaps);
  const std::uint32_t ext = r.u32();
  if (carries_mariadb_caps(v.capabilities)) v.mariadb_extended_capabilities = ext;
  if (v.capabilities.has(kClientSecureConnection)) {
    const std::size_t wire_len = std::max(kMinScramblePart2Size, data_len > 8 ? data_len - 8 : 0);
    std::string_view part2 = r.bytes(wire_len);
    // The length byte counts the scramble plus its NUL; anything beyond is padding.
    if (data_len > 8) part2 = part2.substr(0, data_len - 8);
    if (!part2.empty() && part2.back() == '\0') part2.remove_suffix(1);
    v.auth_plugin_data += part2;
  }
  if (v.capabilities.has(kClientPluginAuth)) v.auth_plugin_name = r.nul_str_or_rest();
  if (auto ec = r.check_finished()) return ec;
  return v;
}

void encode_initial_handshake(const InitialHandshakeV10& v, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  const std::string_view scramble = v.auth_plugin_data;
  const std::string_view part1 = scramble.substr(0, kScramblePart1Size);
  const std::string_view part2 = scramble.substr(part1.size());
  w.u8(v.protocol_version);
  w.nul_str(v.server_version);
  w.u32(v.connection_id);
  w.bytes(part1);
  w.zeros(kScramblePart1Size - part1.size());
  w.u8(0);  // filler
  w.u16(static_cast<std::uint16_t>(v.capabilities.bits));
  w.u8(v.character_set);
  w.u16(v.status_flags);
  w.u16(static_cast<std::uint16_t>(v.capabilities.bits >> 16));
  w.u8(v.capabilities.has(kClientPluginAuth)
           ? static_cast<std::uint8_t>(std::min<std::size_t>(scramble.size() + 1, 0xff))
           : 0);
  w.zeros(kReservedBeforeExtendedCaps);
  w.u32(carries_mariadb_caps(v.capabilities) ? v.mariadb_extended_capabilities : 0);
  if (v.capabilities.has(kClientSecureConnection)) {
    w.nul_str(part2);
    if (part2.size() + 1 < kMinScramblePart2Size) w.zeros(kMinScramblePart2Size - part2.size() - 1);
  }
  if (v.capabilities.has(kClientPluginAuth)) w.nul_str(v.auth_plugin_name);
}

Result<HandshakeResponse41> decode_handshake_response(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  HandshakeResponse41 v;
  // A pre-4.1 client sends 2-byte capabilities; its PROTOCOL_41 bit is clear either way.
  if (payload.size() >= 2 && (payload[1] & (kClientProtocol41 >> 8)) == 0) return ProtocolErrc::kUnsupported;
  v.capabilities = Capabilities{r.u32()};
  v.max_packet_size = r.u32();
  v.character_set = r.u8();
  r.skip(kFillerBeforeExtendedCaps);
  const std::uint32_t ext = r.u32();
  if (carries_mariadb_caps(v.capabilities)) v.mariadb_extended_capabilities = ext;
  v.username = r.nul_str();
  const Capabilities caps = v.capabilities;
  if (caps.has(kClientPluginAuthLenencClientData)) {
    v.auth_response = r.lenenc_str();
  } else if (caps.has(kClientSecureConnection)) {
    v.auth_response = r.bytes(r.u8());
  } else {
    v.auth_response = r.nul_str();
  }
  // Tolerance as in the servers: a field the flags announce may be missing at the end.
  if (caps.has(kClientConnectWithDb) && !r.empty()) v.database = r.nul_str_or_rest();
  if (caps.has(kClientPluginAuth) && !r.empty()) v.auth_plugin_name = r.nul_str_or_rest();
  if (caps.has(kClientConnectAttrs) && !r.empty()) read_connect_attributes(r, v.attributes);
  if (caps.has(kClientZstdCompressionAlgorithm) && !r.empty()) v.zstd_level = r.u8();
  if (auto ec = r.check_finished()) return ec;
  return v;
}

void encode_handshake_response(const HandshakeResponse41& v, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  const Capabilities caps = v.capabilities;
  w.u32(caps.bits);
  w.u32(v.max_packet_size);
  w.u8(v.character_set);
  w.zeros(kFillerBeforeExtendedCaps);
  w.u32(carries_mariadb_caps(caps) ? v.mariadb_extended_capabilities : 0);
  w.nul_str(v.username);
  if (caps.has(kClientPluginAuthLenencClientData)) {
    w.lenenc_str(v.auth_response);
  } else if (caps.has(kClientSecureConnection)) {
    const std::string_view auth = std::string_view(v.auth_response).substr(0, 0xff);
    w.u8(static_cast<std::uint8_t>(auth.size()));
    w.bytes(auth);
  } else {
    w.nul_str(v.auth_response);
  }
  if (caps.has(kClientConnectWithDb)) w.nul_str(v.database);
  if (caps.has(kClientPluginAuth)) w.nul_str(v.auth_plugin_name);
  if (caps.has(kClientConnectAttrs)) write_connect_attributes(v.attributes, w);
  if (caps.has(kClientZstdCompressionAlgorithm)) w.u8(v.zstd_level);
}

Result<SslRequest> decode_ssl_request(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  SslRequest v;
  v.capabilities = Capabilities{r.u32()};
  v.max_packet_size = r.u32();
  v.character_set = r.u8();
  r.skip(kFillerBeforeExtendedCaps);
  const std::uint32_t ext = r.u32();
  if (auto ec = r.check_finished()) return ec;
  if (!v.capabilities.has(kClientProtocol41)) return ProtocolErrc::kUnsupported;
  if (!v.capabilities.has(kClientSsl)) return ProtocolErrc::kUnexpectedPacket;
  if (carries_mariadb_caps(v.capabilities)) v.mariadb_extended_capabilities = ext;
  return v;
}

void encode_ssl_request(const SslRequest& v, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u32(v.capabilities.bits);
  w.u32(v.max_packet_size);
  w.u8(v.character_set);
  w.zeros(kFillerBeforeExtendedCaps);
  w.u32(carries_mariadb_caps(v.capabilities) ? v.mariadb_extended_capabilities : 0);
}

bool is_ssl_request(std::span<const std::uint8_t> payload) noexcept {
  return payload.size() == kSslRequestSize && (payload[1] & (kClientSsl >> 8)) != 0;
}

}  // namespace mysqlproxy::protocol
