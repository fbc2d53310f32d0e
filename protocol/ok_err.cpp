#include "protocol/ok_err.hpp"

#include "protocol/constants.hpp"
#include "protocol/wire_reader.hpp"
#include "protocol/wire_writer.hpp"

namespace mysqlproxy::protocol {
namespace {

constexpr std::size_t kSqlStateSize = 5;
constexpr char kSqlStateMarker = '#';
constexpr std::size_t kEofMaxSize41 = 9;  // a row starting with 0xfe needs at least 9 bytes

std::span<const std::uint8_t> span_of(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Reads a body that is a single lenenc string filling all of `data`.
Result<std::string_view> single_lenenc(std::string_view data) {
  WireReader r(span_of(data));
  const std::string_view s = r.lenenc_str();
  if (auto ec = r.check_finished()) return ec;
  return s;
}

}  // namespace

Result<OkPacket> decode_ok(std::span<const std::uint8_t> payload, Capabilities caps) {
  WireReader r(payload);
  OkPacket ok;
  ok.header = r.u8();
  if (!r.ok()) return r.error();
  if (ok.header != kOkHeader && ok.header != kEofHeader) return ProtocolErrc::kUnexpectedPacket;
  ok.affected_rows = r.lenenc_int();
  ok.last_insert_id = r.lenenc_int();
  if (caps.has(kClientProtocol41)) {
    ok.status = r.u16();
    ok.warnings = r.u16();
  } else if (caps.has(kClientTransactions)) {
    ok.status = r.u16();
  }
  if (caps.has(kClientSessionTrack)) {
    if (!r.empty()) ok.info = r.lenenc_str();
    if (ok.status & kServerSessionStateChanged) ok.session_state_changes = r.lenenc_str();
  } else {
    ok.info = r.rest();
  }
  if (auto ec = r.check_finished()) return ec;
  return ok;
}

void encode_ok(const OkPacket& ok, Capabilities caps, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(ok.header);
  w.lenenc_int(ok.affected_rows);
  w.lenenc_int(ok.last_insert_id);
  if (caps.has(kClientProtocol41)) {
    w.u16(ok.status);
    w.u16(ok.warnings);
  } else if (caps.has(kClientTransactions)) {
    w.u16(ok.status);
  }
  if (caps.has(kClientSessionTrack)) {
    const bool state_changed = (ok.status & kServerSessionStateChanged) != 0;
    if (!ok.info.empty() || state_changed) w.lenenc_str(ok.info);
    if (state_changed) w.lenenc_str(ok.session_state_changes);
  } else {
    w.bytes(ok.info);
  }
}

Result<ErrPacket> decode_err(std::span<const std::uint8_t> payload, Capabilities caps) {
  WireReader r(payload);
  const std::uint8_t header = r.u8();
  if (!r.ok()) return r.error();
  if (header != kErrHeader) return ProtocolErrc::kUnexpectedPacket;
  ErrPacket err;
  err.code = r.u16();
  if (caps.has(kClientProtocol41) && r.peek() == kSqlStateMarker) {
    r.skip(1);
    err.sql_state = r.bytes(kSqlStateSize);
  }
  err.message = r.rest();
  if (!r.ok()) return r.error();
  return err;
}

void encode_err(const ErrPacket& err, Capabilities caps, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(kErrHeader);
  w.u16(err.code);
  if (caps.has(kClientProtocol41) && !err.sql_state.empty()) {
    const std::string_view state = err.sql_state.substr(0, kSqlStateSize);
    w.u8(kSqlStateMarker);
    w.bytes(state);
    w.zeros(kSqlStateSize - state.size());
  }
  w.bytes(err.message);
}

std::vector<std::uint8_t> make_err_payload(std::uint16_t code, std::string_view sql_state, std::string_view message) {
  std::vector<std::uint8_t> out;
  out.reserve(1 + 2 + 1 + kSqlStateSize + message.size());
  encode_err({code, sql_state.empty() ? std::string_view("HY000") : sql_state, message},
             Capabilities{kClientProtocol41}, out);
  return out;
}

Result<EofPacket> decode_eof(std::span<const std::uint8_t> payload, Capabilities caps) {
  WireReader r(payload);
  const std::uint8_t header = r.u8();
  if (!r.ok()) return r.error();
  if (header != kEofHeader) return ProtocolErrc::kUnexpectedPacket;
  EofPacket eof;
  if (caps.has(kClientProtocol41)) {
    eof.warnings = r.u16();
    eof.status = r.u16();
  }
  if (auto ec = r.check_finished()) return ec;
  return eof;
}

void encode_eof(const EofPacket& eof, Capabilities caps, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(kEofHeader);
  if (caps.has(kClientProtocol41)) {
    w.u16(eof.warnings);
    w.u16(eof.status);
  }
}

bool is_eof_packet(std::span<const std::uint8_t> payload, std::size_t payload_size, Capabilities caps) noexcept {
  if (payload.empty() || payload[0] != kEofHeader) return false;
  return caps.has(kClientDeprecateEof) ? payload_size < kMaxFramePayload : payload_size < kEofMaxSize41;
}

Result<std::vector<SessionStateChange>> decode_session_state_changes(std::string_view changes) {
  WireReader r(span_of(changes));
  std::vector<SessionStateChange> out;
  while (!r.empty()) {
    SessionStateChange c;
    c.type = r.u8();
    c.data = r.lenenc_str();
    if (!r.ok()) return r.error();
    out.push_back(c);
  }
  return out;
}

void encode_session_state_changes(const std::vector<SessionStateChange>& changes, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  for (const SessionStateChange& c : changes) {
    w.u8(c.type);
    w.lenenc_str(c.data);
  }
}

Result<SystemVariableChange> decode_session_track_system_variable(std::string_view data) {
  WireReader r(span_of(data));
  SystemVariableChange v;
  v.name = r.lenenc_str();
  v.value = r.lenenc_str();
  if (auto ec = r.check_finished()) return ec;
  return v;
}

Result<std::string_view> decode_session_track_schema(std::string_view data) { return single_lenenc(data); }

Result<GtidsChange> decode_session_track_gtids(std::string_view data) {
  WireReader r(span_of(data));
  GtidsChange v;
  v.encoding_spec = r.u8();
  v.gtids = r.lenenc_str();
  if (auto ec = r.check_finished()) return ec;
  return v;
}

Result<std::string_view> decode_session_track_transaction_state(std::string_view data) {
  return single_lenenc(data);
}

Result<bool> decode_session_track_state_change(std::string_view data) {
  if (data.empty()) return ProtocolErrc::kTruncated;
  if (data.size() > 1) return ProtocolErrc::kExtraBytes;
  if (data[0] == '1') return true;
  if (data[0] == '0') return false;
  return ProtocolErrc::kMalformed;
}

}  // namespace mysqlproxy::protocol
