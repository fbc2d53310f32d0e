// ResponseTracker against answers captured from MariaDB 10.11 (scripts/capture-answer.py): stored
// procedures with cursors, handlers, SIGNAL and RESIGNAL, compound statements, CALL with OUT
// parameters through a prepared statement, and executes that ask for a cursor. Each answer must
// be followed packet by packet to its very last byte: done() exactly after the final packet, and
// nothing ever unexpected.
#include <algorithm>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "protocol/command.hpp"
#include "protocol/response_scanner.hpp"
#include "protocol/response_tracker.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

constexpr Capabilities kCaps41{kClientProtocol41 | kClientMultiResults | kClientPsMultiResults |
                               kClientSessionTrack};
constexpr Capabilities kCapsDeprecateEof{kCaps41.bits | kClientDeprecateEof};

struct Replay {
  std::vector<PacketKind> kinds;
  std::size_t done_at = 0;  // 1-based index of the packet after which done() first held; 0 never
};

Replay replay(ResponseTracker& t, const std::vector<std::uint8_t>& wire) {
  Replay out;
  const auto packets = test::split_frames(wire);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    out.kinds.push_back(t.on_packet(packets[i], packets[i].size()));
    if (t.done() && out.done_at == 0) out.done_at = i + 1;
  }
  return out;
}

int count(const Replay& r, PacketKind kind) {
  return static_cast<int>(std::count(r.kinds.begin(), r.kinds.end(), kind));
}

void expect_followed_to_the_end(const Replay& r, std::size_t packets) {
  EXPECT_EQ(count(r, PacketKind::kUnexpected), 0);
  EXPECT_EQ(r.done_at, packets) << "done() must hold after the last packet and not before";
}

// One captured answer, and what following it must find.
struct Capture {
  const char* name;      // testdata/<name>.hex
  Command command;
  bool deprecate_eof;
  bool cursor_requested;
  int resultsets;        // result set headers in the answer
  int rows;              // -1: not counted
  PacketKind last;       // the final packet's kind
};

std::ostream& operator<<(std::ostream& os, const Capture& c) { return os << c.name; }

class StoredProgramAnswers : public testing::TestWithParam<Capture> {};

TEST_P(StoredProgramAnswers, FollowedToTheLastByte) {
  const Capture& c = GetParam();
  const auto wire = test::testdata_hex(std::string(c.name) + ".hex");
  ResponseTracker t;
  t.start(c.command, c.deprecate_eof ? kCapsDeprecateEof : kCaps41, c.cursor_requested);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), c.resultsets);
  if (c.rows >= 0) EXPECT_EQ(count(r, PacketKind::kRow), c.rows);
  EXPECT_EQ(r.kinds.back(), c.last);
  EXPECT_EQ(t.ended_with_error(), c.last == PacketKind::kErr);
}

// Each row is an answer shape a stored program (or a cursor request) gives.
INSTANTIATE_TEST_SUITE_P(
    Captured, StoredProgramAnswers,
    testing::Values(
        // The procedure of the fidelity issue: a cursor loop that SELECTs each value. MariaDB sets
        // SERVER_STATUS_CURSOR_EXISTS on every result it sends from inside the loop.
        Capture{"sp_cursor_call", Command::kQuery, false, false, 2, 2, PacketKind::kOk},
        Capture{"sp_cursor_call_deprecate_eof", Command::kQuery, true, false, 2, 2, PacketKind::kOk},
        // A result set, then SIGNAL: the ERR ends the answer (no final OK follows an error).
        Capture{"sp_signal_after_result", Command::kQuery, false, false, 1, -1, PacketKind::kErr},
        // An EXIT handler that SELECTs, then RESIGNALs: two results, then the ERR.
        Capture{"sp_resignal_after_results", Command::kQuery, false, false, 2, -1, PacketKind::kErr},
        // A CONTINUE handler swallows a warning: one result, then the final OK.
        Capture{"sp_handler_warning", Command::kQuery, false, false, 1, -1, PacketKind::kOk},
        // BEGIN NOT ATOMIC ... END sent as one COM_QUERY: two results and the final OK.
        Capture{"compound_statement_two_results", Command::kQuery, false, false, 2, -1, PacketKind::kOk},
        // A prepared CALL with an OUT parameter: the procedure's result, the OUT parameters' row
        // (SERVER_PS_OUT_PARAMS), then the final OK.
        Capture{"stmt_execute_call_out_params", Command::kStmtExecute, false, false, 2, 3, PacketKind::kOk},
        // An execute that asks for a cursor and gets one: the answer ends after the metadata.
        Capture{"stmt_execute_cursor", Command::kStmtExecute, false, true, 1, 0, PacketKind::kMetadataEof},
        // A prepared CALL asking for a cursor: the server opens none (a CALL has no result of its
        // own), and the procedure's own cursor flags its results, which are followed by more.
        Capture{"stmt_execute_cursor_call_sp_cursor", Command::kStmtExecute, false, true, 2, -1, PacketKind::kOk}));

// The same answer to an execute that asked for no cursor is not over: rows would follow.
TEST(StoredProgramCursors, CursorFlagWithoutACursorRequestIsNotTheEnd) {
  const auto wire = test::testdata_hex("stmt_execute_cursor.hex");
  ResponseTracker t;
  t.start(Command::kStmtExecute, kCaps41);
  (void)replay(t, wire);
  EXPECT_FALSE(t.done());
}

// The scanner takes the cursor request from the command packet itself.
TEST(StoredProgramCursors, ScannerReadsTheCursorRequestFromTheExecutePacket) {
  const auto wire = test::testdata_hex("stmt_execute_cursor.hex");
  const std::vector<std::uint8_t> with_cursor{0x17, 1, 0, 0, 0, kCursorTypeReadOnly, 1, 0, 0, 0};
  const std::vector<std::uint8_t> without_cursor{0x17, 1, 0, 0, 0, kCursorTypeNoCursor, 1, 0, 0, 0};
  ResponseScanner s;
  s.start(std::span<const std::uint8_t>(with_cursor), kCaps41);
  auto scanned = s.scan(wire);
  ASSERT_TRUE(scanned.has_value());
  EXPECT_EQ(*scanned, wire.size());
  EXPECT_TRUE(s.done());
  s.start(std::span<const std::uint8_t>(without_cursor), kCaps41);
  scanned = s.scan(wire);
  ASSERT_TRUE(scanned.has_value());
  EXPECT_FALSE(s.done());
}

TEST(StoredProgramCursors, RequestsCursorReadsTheExecuteFlags) {
  EXPECT_TRUE(requests_cursor(std::vector<std::uint8_t>{0x17, 1, 0, 0, 0, 0x01, 1, 0, 0, 0}));
  EXPECT_TRUE(requests_cursor(std::vector<std::uint8_t>{0x17, 1, 0, 0, 0, 0x04, 1, 0, 0, 0}));
  EXPECT_FALSE(requests_cursor(std::vector<std::uint8_t>{0x17, 1, 0, 0, 0, 0x00, 1, 0, 0, 0}));
  EXPECT_FALSE(requests_cursor(std::vector<std::uint8_t>{0x17, 1, 0, 0}));  // cut short
  EXPECT_FALSE(requests_cursor(std::vector<std::uint8_t>{0x03, 1, 0, 0, 0, 0x01}));  // a COM_QUERY
}

}  // namespace
}  // namespace mysqlproxy::protocol
