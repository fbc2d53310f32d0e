#pragma once
// Builders for server packets in tests: frames, OK/EOF/ERR payloads, column definitions, rows.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlproxy::test {

using Bytes = std::vector<std::uint8_t>;

// One frame: 3-byte length, sequence id, payload (no splitting: payloads stay under 16 MiB).
inline Bytes frame(std::uint8_t seq, const Bytes& payload) {
  Bytes out{static_cast<std::uint8_t>(payload.size()), static_cast<std::uint8_t>(payload.size() >> 8),
            static_cast<std::uint8_t>(payload.size() >> 16), seq};
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// OK: header, affected rows 0, last insert id 0, status, warnings 0.
inline Bytes ok_payload(std::uint16_t status, std::uint8_t header = 0x00) {
  return {header, 0x00, 0x00, static_cast<std::uint8_t>(status), static_cast<std::uint8_t>(status >> 8), 0x00, 0x00};
}

// EOF: 0xfe, warnings 0, status.
inline Bytes eof_payload(std::uint16_t status) {
  return {0xfe, 0x00, 0x00, static_cast<std::uint8_t>(status), static_cast<std::uint8_t>(status >> 8)};
}

// ERR 1146 42S02.
inline Bytes err_payload() {
  Bytes out{0xff, 0x7a, 0x04, '#', '4', '2', 'S', '0', '2'};
  for (char c : std::string_view("no such table")) out.push_back(static_cast<std::uint8_t>(c));
  return out;
}

// A minimal ColumnDefinition41 for a column named `name`.
inline Bytes column_payload(std::string_view name) {
  Bytes out;
  auto lenenc = [&](std::string_view s) {
    out.push_back(static_cast<std::uint8_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  };
  lenenc("def");
  lenenc("db");
  lenenc("t");
  lenenc("t");
  lenenc(name);
  lenenc(name);
  const Bytes fixed{0x0c, 0x21, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00};
  out.insert(out.end(), fixed.begin(), fixed.end());
  return out;
}

// A text row of short strings.
inline Bytes row_payload(std::initializer_list<std::string_view> values) {
  Bytes out;
  for (auto v : values) {
    out.push_back(static_cast<std::uint8_t>(v.size()));
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

// A SESSION_TRACK_GTIDS entry (3) as MySQL sends it with session_track_gtids = OWN_GTID: entry
// length, encoding spec 0, the GTID as a length-encoded string (short GTIDs only).
inline std::string own_gtid_session_state(std::string_view gtid) {
  std::string bytes;
  bytes += '\x03';
  bytes += static_cast<char>(gtid.size() + 2);
  bytes += '\x00';
  bytes += static_cast<char>(gtid.size());
  bytes += gtid;
  return bytes;
}

}  // namespace mysqlproxy::test
