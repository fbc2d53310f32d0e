// ResponseTracker against answers captured from MariaDB 10.11 (scripts/capture-answer.py): stored
// procedures with cursors, handlers, SIGNAL and RESIGNAL, compound statements, CALL with OUT
// parameters through a prepared statement, and executes that ask for a cursor. Each answer must
// be followed packet by packet to its very last byte: done() exactly after the final packet, and
// nothing ever unexpected.
#include <algorithm>

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

// The procedure of the fidelity issue: a cursor loop that SELECTs each value. MariaDB sets
// SERVER_STATUS_CURSOR_EXISTS on every result it sends from inside the loop.
TEST(StoredProgramAnswers, CursorLoopInAProcedure) {
  const auto wire = test::testdata_hex("sp_cursor_call.hex");
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), 2);
  EXPECT_EQ(count(r, PacketKind::kRow), 2);
  EXPECT_EQ(r.kinds.back(), PacketKind::kOk);
  EXPECT_FALSE(t.ended_with_error());
  EXPECT_FALSE(*t.status() & kServerStatusCursorExists);
}

TEST(StoredProgramAnswers, CursorLoopInAProcedureUnderDeprecateEof) {
  const auto wire = test::testdata_hex("sp_cursor_call_deprecate_eof.hex");
  ResponseTracker t;
  t.start(Command::kQuery, kCapsDeprecateEof);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), 2);
  EXPECT_EQ(count(r, PacketKind::kRow), 2);
}

// A result set, then SIGNAL: the ERR ends the answer (no final OK follows an error).
TEST(StoredProgramAnswers, SignalAfterAResult) {
  const auto wire = test::testdata_hex("sp_signal_after_result.hex");
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), 1);
  EXPECT_EQ(r.kinds.back(), PacketKind::kErr);
  EXPECT_TRUE(t.ended_with_error());
}

// An EXIT handler that SELECTs, then RESIGNALs: two results, then the ERR.
TEST(StoredProgramAnswers, ResignalFromAHandlerAfterResults) {
  const auto wire = test::testdata_hex("sp_resignal_after_results.hex");
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), 2);
  EXPECT_EQ(r.kinds.back(), PacketKind::kErr);
}

// A CONTINUE handler swallows a warning: one result, then the final OK.
TEST(StoredProgramAnswers, ContinueHandlerForAWarning) {
  const auto wire = test::testdata_hex("sp_handler_warning.hex");
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), 1);
  EXPECT_EQ(r.kinds.back(), PacketKind::kOk);
}

// BEGIN NOT ATOMIC ... END sent as one COM_QUERY: two results and the final OK.
TEST(StoredProgramAnswers, CompoundStatementWithTwoResults) {
  const auto wire = test::testdata_hex("compound_statement_two_results.hex");
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), 2);
  EXPECT_EQ(r.kinds.back(), PacketKind::kOk);
}

// A prepared CALL with an OUT parameter: the procedure's result, the OUT parameters' row
// (SERVER_PS_OUT_PARAMS), then the final OK.
TEST(StoredProgramAnswers, PreparedCallWithOutParameters) {
  const auto wire = test::testdata_hex("stmt_execute_call_out_params.hex");
  ResponseTracker t;
  t.start(Command::kStmtExecute, kCaps41);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), 2);
  EXPECT_EQ(count(r, PacketKind::kRow), 3);
  EXPECT_EQ(r.kinds.back(), PacketKind::kOk);
}

// An execute that asks for a cursor and gets one: the answer ends after the metadata.
TEST(StoredProgramAnswers, ExecuteThatOpensACursorEndsAfterMetadata) {
  const auto wire = test::testdata_hex("stmt_execute_cursor.hex");
  ResponseTracker t;
  t.start(Command::kStmtExecute, kCaps41, /*cursor_requested=*/true);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(r.kinds.back(), PacketKind::kMetadataEof);
  EXPECT_TRUE(*t.status() & kServerStatusCursorExists);
}

// The same answer to an execute that asked for no cursor is not over: rows would follow.
TEST(StoredProgramAnswers, CursorFlagWithoutACursorRequestIsNotTheEnd) {
  const auto wire = test::testdata_hex("stmt_execute_cursor.hex");
  ResponseTracker t;
  t.start(Command::kStmtExecute, kCaps41);
  (void)replay(t, wire);
  EXPECT_FALSE(t.done());
}

// A prepared CALL asking for a cursor: the server opens none (a CALL has no result of its own),
// and the procedure's own cursor flags its results, which are followed by more.
TEST(StoredProgramAnswers, CursorRequestOnACallOfAProcedureWithACursor) {
  const auto wire = test::testdata_hex("stmt_execute_cursor_call_sp_cursor.hex");
  ResponseTracker t;
  t.start(Command::kStmtExecute, kCaps41, /*cursor_requested=*/true);
  const auto r = replay(t, wire);
  expect_followed_to_the_end(r, test::split_frames(wire).size());
  EXPECT_EQ(count(r, PacketKind::kResultsetHeader), 2);
  EXPECT_EQ(r.kinds.back(), PacketKind::kOk);
}

// The scanner takes the cursor request from the command packet itself.
TEST(StoredProgramAnswers, ScannerReadsTheCursorRequestFromTheExecutePacket) {
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

TEST(StoredProgramAnswers, RequestsCursorReadsTheExecuteFlags) {
  EXPECT_TRUE(requests_cursor(std::vector<std::uint8_t>{0x17, 1, 0, 0, 0, 0x01, 1, 0, 0, 0}));
  EXPECT_TRUE(requests_cursor(std::vector<std::uint8_t>{0x17, 1, 0, 0, 0, 0x04, 1, 0, 0, 0}));
  EXPECT_FALSE(requests_cursor(std::vector<std::uint8_t>{0x17, 1, 0, 0, 0, 0x00, 1, 0, 0, 0}));
  EXPECT_FALSE(requests_cursor(std::vector<std::uint8_t>{0x17, 1, 0, 0}));  // cut short
  EXPECT_FALSE(requests_cursor(std::vector<std::uint8_t>{0x03, 1, 0, 0, 0, 0x01}));  // a COM_QUERY
}

}  // namespace
}  // namespace mysqlproxy::protocol
