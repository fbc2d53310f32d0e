#include "protocol/response_tracker.hpp"

#include "protocol/command.hpp"
#include "protocol/wire_reader.hpp"

namespace mysqlproxy::protocol {
namespace {

constexpr std::size_t kEofMaxSize = 9;  // an EOF is shorter than any row that starts with 0xfe

bool deprecate_eof(Capabilities caps) noexcept { return caps.has(kClientDeprecateEof); }

}  // namespace

void ResponseTracker::start(std::span<const std::uint8_t> payload, Capabilities caps) noexcept {
  start(command_of(payload), caps, requests_cursor(payload));
}

void ResponseTracker::start(Command command, Capabilities caps, bool cursor_requested) noexcept {
  command_ = command;
  cursor_requested_ = command == Command::kStmtExecute && cursor_requested;
  caps_ = caps;
  remaining_ = 0;
  status_.reset();
  last_insert_id_ = 0;
  warnings_ = 0;
  session_state_.clear();
  ended_with_error_ = false;
  prepared_.reset();
  switch (command) {
    case Command::kQuit:
    case Command::kStmtClose:
    case Command::kStmtSendLongData:
      state_ = State::kDone;  // no answer at all
      break;
    case Command::kQuery:
    case Command::kStmtExecute:
    case Command::kProcessInfo:
      state_ = State::kFirst;
      break;
    case Command::kStmtFetch:
      state_ = State::kRows;
      break;
    case Command::kStmtPrepare:
      state_ = State::kPrepareFirst;
      break;
    case Command::kFieldList:
      state_ = State::kFieldList;
      break;
    case Command::kStatistics:
      state_ = State::kStatistics;
      break;
    default:  // ping, init db, reset connection, set option, kill, refresh, debug, stmt reset ...
      state_ = State::kSingleStatus;
      break;
  }
}

bool ResponseTracker::is_terminator(std::span<const std::uint8_t> payload, std::size_t size) const noexcept {
  if (payload.empty() || payload[0] != kEofHeader) return false;
  return deprecate_eof(caps_) ? size < kMaxFramePayload : size < kEofMaxSize;
}

// Reads the status flags of an OK (0x00, or 0xfe under DEPRECATE_EOF) or an EOF packet.
bool ResponseTracker::read_status(std::span<const std::uint8_t> payload, std::size_t size) noexcept {
  if (payload.size() != size) return false;  // terminators are small: the caller passes them whole
  WireReader r(payload);
  const std::uint8_t header = r.u8();
  // An EOF is exactly 5 bytes (header, warnings, status); an OK that ends rows under
  // DEPRECATE_EOF also starts with 0xfe but carries two length-encoded integers first.
  const bool is_ok = header == kOkHeader || (header == kEofHeader && size != 5);
  std::uint64_t insert_id = 0;
  if (is_ok) {
    (void)r.lenenc_int();  // affected rows
    insert_id = r.lenenc_int();
  } else {
    warnings_ = r.u16();
  }
  const std::uint16_t status = r.u16();
  if (is_ok) warnings_ = r.u16();
  if (!r.ok()) return false;
  status_ = status;
  if (is_ok) {
    last_insert_id_ = insert_id;
    if ((status & kServerSessionStateChanged) && caps_.has(kClientSessionTrack)) {
      (void)r.lenenc_str();   // info
      const auto changes = r.lenenc_str();
      if (r.ok()) session_state_.assign(changes.begin(), changes.end());
    }
  }
  return true;
}

PacketKind ResponseTracker::on_packet(std::span<const std::uint8_t> payload, std::size_t size) noexcept {
  if (payload.empty() && size > 0) return PacketKind::kUnexpected;
  switch (state_) {
    case State::kDone:
    case State::kLocalInfile:
      return PacketKind::kUnexpected;
    case State::kFirst:
      return on_first(payload, size);
    case State::kColumns:
      if (--remaining_ == 0) state_ = deprecate_eof(caps_) ? State::kRows : State::kColumnsEof;
      return PacketKind::kColumnDefinition;
    case State::kColumnsEof:
      if (size == 0 || payload[0] == kErrHeader) return end_result(payload, size, PacketKind::kErr);
      if (!is_terminator(payload, size) || !read_status(payload, size)) return PacketKind::kUnexpected;
      state_ = opened_cursor() ? State::kDone : State::kRows;
      return PacketKind::kMetadataEof;
    case State::kRows:
      if (size > 0 && payload[0] == kErrHeader) return end_result(payload, size, PacketKind::kErr);
      if (is_terminator(payload, size)) return end_result(payload, size, PacketKind::kResultsetEnd);
      return PacketKind::kRow;
    case State::kPrepareFirst:
      return on_prepare_first(payload, size);
    case State::kParams:
      if (--remaining_ == 0) {
        if (!deprecate_eof(caps_)) {
          state_ = State::kParamsEof;
        } else {
          (void)after_prepare_params();
        }
      }
      return PacketKind::kParameterDefinition;
    case State::kParamsEof:
      if (!is_terminator(payload, size)) return PacketKind::kUnexpected;
      (void)after_prepare_params();
      return PacketKind::kMetadataEof;
    case State::kPrepareColumns:
      if (--remaining_ == 0) {
        state_ = deprecate_eof(caps_) ? State::kDone : State::kPrepareColumnsEof;
      }
      return PacketKind::kColumnDefinition;
    case State::kPrepareColumnsEof:
      if (!is_terminator(payload, size)) return PacketKind::kUnexpected;
      state_ = State::kDone;
      return PacketKind::kMetadataEof;
    case State::kFieldList:
      if (size > 0 && payload[0] == kErrHeader) return end_result(payload, size, PacketKind::kErr);
      if (is_terminator(payload, size)) {
        (void)read_status(payload, size);
        state_ = State::kDone;
        return PacketKind::kResultsetEnd;
      }
      return PacketKind::kColumnDefinition;
    case State::kSingleStatus:
      if (size == 0) return PacketKind::kUnexpected;
      if (payload[0] == kErrHeader) return end_result(payload, size, PacketKind::kErr);
      if (payload[0] != kOkHeader && payload[0] != kEofHeader) return PacketKind::kUnexpected;
      if (!read_status(payload, size)) return PacketKind::kUnexpected;
      state_ = State::kDone;
      return PacketKind::kOk;
    case State::kStatistics:
      state_ = State::kDone;
      return size > 0 && payload[0] == kErrHeader ? end_result(payload, size, PacketKind::kErr)
                                                  : PacketKind::kStatistics;
  }
  return PacketKind::kUnexpected;
}

// The execute asked for a cursor and got one: rows come later through COM_STMT_FETCH. The flag
// alone proves nothing: a stored program with an open cursor of its own sets it on the results it
// sends (CALL p() with DECLARE c CURSOR), and those are followed by more results.
bool ResponseTracker::opened_cursor() const noexcept {
  return cursor_requested_ && (*status_ & kServerStatusCursorExists) && !(*status_ & kServerMoreResultsExists);
}

PacketKind ResponseTracker::on_first(std::span<const std::uint8_t> payload, std::size_t size) noexcept {
  if (size == 0) return PacketKind::kUnexpected;
  switch (payload[0]) {
    case kOkHeader:
      return end_result(payload, size, PacketKind::kOk);
    case kErrHeader:
      return end_result(payload, size, PacketKind::kErr);
    case kLocalInfileHeader:
      if (command_ != Command::kQuery) return PacketKind::kUnexpected;
      state_ = State::kLocalInfile;
      return PacketKind::kLocalInfileRequest;
    default: {
      WireReader r(payload);
      const std::uint64_t columns = r.lenenc_int();
      if (!r.ok() || columns == 0) return PacketKind::kUnexpected;
      remaining_ = columns;
      state_ = State::kColumns;
      return PacketKind::kResultsetHeader;
    }
  }
}

// An OK, ERR or end-of-rows packet: the result is over; another follows if the server says so.
PacketKind ResponseTracker::end_result(std::span<const std::uint8_t> payload, std::size_t size,
                                       PacketKind kind) noexcept {
  if (kind == PacketKind::kErr) {
    ended_with_error_ = true;
    state_ = State::kDone;  // an ERR always ends the whole answer
    return kind;
  }
  if (!read_status(payload, size)) return PacketKind::kUnexpected;
  ended_with_error_ = false;
  state_ = (*status_ & kServerMoreResultsExists) ? State::kFirst : State::kDone;
  return kind;
}

PacketKind ResponseTracker::on_prepare_first(std::span<const std::uint8_t> payload, std::size_t size) noexcept {
  if (size > 0 && payload[0] == kErrHeader) return end_result(payload, size, PacketKind::kErr);
  WireReader r(payload);
  const std::uint8_t header = r.u8();
  PreparedInfo info;
  info.statement_id = r.u32();
  info.num_columns = r.u16();
  info.num_params = r.u16();
  if (header != kOkHeader || !r.ok() || payload.size() != size) return PacketKind::kUnexpected;
  prepared_ = info;
  remaining_ = info.num_params;
  if (remaining_ > 0) {
    state_ = State::kParams;
  } else {
    (void)after_prepare_params();
  }
  return PacketKind::kPrepareOk;
}

PacketKind ResponseTracker::after_prepare_params() noexcept {
  remaining_ = prepared_->num_columns;
  state_ = remaining_ > 0 ? State::kPrepareColumns : State::kDone;
  return PacketKind::kMetadataEof;
}

void ResponseTracker::on_local_infile_sent() noexcept {
  if (state_ == State::kLocalInfile) state_ = State::kFirst;  // the server answers OK or ERR next
}

}  // namespace mysqlproxy::protocol
