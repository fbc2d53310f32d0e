#pragma once
// The generic response packets: OK, ERR, EOF, and the session-state changes an OK can carry.
// Hot path: string fields are views into the payload and live as long as it does.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/capabilities.hpp"
#include "protocol/errors.hpp"

namespace mysqlproxy::protocol {

struct OkPacket {
  std::uint8_t header = 0x00;  // 0x00, or 0xfe when it ends a resultset under CLIENT_DEPRECATE_EOF
  std::uint64_t affected_rows = 0;
  std::uint64_t last_insert_id = 0;
  std::uint16_t status = 0;
  std::uint16_t warnings = 0;
  std::string_view info;
  std::string_view session_state_changes;  // raw; see decode_session_state_changes()
  bool operator==(const OkPacket&) const = default;
};

// With CLIENT_PROTOCOL_41: status + warnings (only status with CLIENT_TRANSACTIONS alone).
// With CLIENT_SESSION_TRACK: info is a lenenc string, absent if the packet ends there, and the
// state changes follow when status has SERVER_SESSION_STATE_CHANGED; without it, info is the rest.
// A first byte other than 0x00/0xfe is kUnexpectedPacket.
[[nodiscard]] Result<OkPacket> decode_ok(std::span<const std::uint8_t> payload, Capabilities caps);
// Under CLIENT_SESSION_TRACK the info string is written only if it is non-empty or state changes
// follow, as servers do.
void encode_ok(const OkPacket& ok, Capabilities caps, std::vector<std::uint8_t>& out);

struct ErrPacket {
  std::uint16_t code = 0;
  std::string_view sql_state;  // 5 characters, or empty when the server sent no '#' marker
  std::string_view message;
  bool operator==(const ErrPacket&) const = default;
};

// With CLIENT_PROTOCOL_41 a '#' and a 5-character SQL state precede the message; its absence is
// tolerated (errors sent before the handshake completes have none). MariaDB progress reports
// (code 0xffff, only with its CLIENT_PROGRESS) decode as an ERR with that code.
[[nodiscard]] Result<ErrPacket> decode_err(std::span<const std::uint8_t> payload, Capabilities caps);
// Writes the '#' + state only with CLIENT_PROTOCOL_41 and a non-empty sql_state (padded or cut to 5).
void encode_err(const ErrPacket& err, Capabilities caps, std::vector<std::uint8_t>& out);
// An ERR payload in the 4.1 form, for errors the proxy itself sends; an empty state means "HY000".
[[nodiscard]] std::vector<std::uint8_t> make_err_payload(std::uint16_t code, std::string_view sql_state,
                                                         std::string_view message);

struct EofPacket {
  std::uint16_t warnings = 0;
  std::uint16_t status = 0;
  bool operator==(const EofPacket&) const = default;
};

// 0xfe, then warnings and status with CLIENT_PROTOCOL_41 (5 bytes), else nothing (1 byte).
[[nodiscard]] Result<EofPacket> decode_eof(std::span<const std::uint8_t> payload, Capabilities caps);
void encode_eof(const EofPacket& eof, Capabilities caps, std::vector<std::uint8_t>& out);

// Whether a packet starting with `payload` (possibly only its first bytes) and `payload_size`
// bytes long is an EOF / OK terminator rather than a text row whose first value has an 8-byte
// (0xfe) length prefix: 0xfe and, with CLIENT_DEPRECATE_EOF, shorter than 0xffffff, else shorter
// than 9 bytes.
[[nodiscard]] bool is_eof_packet(std::span<const std::uint8_t> payload, std::size_t payload_size,
                                 Capabilities caps) noexcept;

// ---- session state tracking (OK packets with SERVER_SESSION_STATE_CHANGED) ----

struct SessionStateChange {
  std::uint8_t type = 0;   // kSessionTrack*
  std::string_view data;   // the entry's body; decode with the function for its type
  bool operator==(const SessionStateChange&) const = default;
};

// The session_state_changes field of an OK: a sequence of (type, lenenc data) entries.
[[nodiscard]] Result<std::vector<SessionStateChange>> decode_session_state_changes(std::string_view changes);
void encode_session_state_changes(const std::vector<SessionStateChange>& changes, std::vector<std::uint8_t>& out);

struct SystemVariableChange {
  std::string_view name;
  std::string_view value;
  bool operator==(const SystemVariableChange&) const = default;
};

struct GtidsChange {
  std::uint8_t encoding_spec = 0;  // 0: the string below
  std::string_view gtids;
  bool operator==(const GtidsChange&) const = default;
};

// Entry bodies, by type. kSessionTrackSystemVariables: lenenc name + lenenc value.
[[nodiscard]] Result<SystemVariableChange> decode_session_track_system_variable(std::string_view data);
// kSessionTrackSchema: lenenc schema name.
[[nodiscard]] Result<std::string_view> decode_session_track_schema(std::string_view data);
// kSessionTrackGtids (MySQL): 1-byte encoding spec + lenenc GTID set.
[[nodiscard]] Result<GtidsChange> decode_session_track_gtids(std::string_view data);
// kSessionTrackTransactionState (8 characters such as "I___W___") and
// kSessionTrackTransactionCharacteristics (SQL text): a lenenc string.
[[nodiscard]] Result<std::string_view> decode_session_track_transaction_state(std::string_view data);
// kSessionTrackStateChange: the body is the bare character '1' (not lenenc), as servers send it.
[[nodiscard]] Result<bool> decode_session_track_state_change(std::string_view data);

}  // namespace mysqlproxy::protocol
