// ResponseTracker: scripted server answers for each command kind; each test checks where done()
// flips and the final status flags.
#include "protocol/response_tracker.hpp"

#include <gtest/gtest.h>

#include "tests/support/hex.hpp"
#include "tests/support/packets.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::Bytes;
using test::column_payload;
using test::eof_payload;
using test::err_payload;
using test::ok_payload;
using test::row_payload;

constexpr Capabilities kCaps41{kClientProtocol41 | kClientMultiResults | kClientPsMultiResults};
constexpr Capabilities kCapsDeprecateEof{kCaps41.bits | kClientDeprecateEof};

struct Step {
  Bytes payload;
  PacketKind kind;
  bool done_after;
  std::size_t size = 0;  // 0: the payload's own size
};

void run(ResponseTracker& t, const std::vector<Step>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& s = steps[i];
    const std::size_t size = s.size ? s.size : s.payload.size();
    EXPECT_EQ(t.on_packet(s.payload, size), s.kind) << "packet " << i;
    EXPECT_EQ(t.done(), s.done_after) << "packet " << i;
  }
}

TEST(ResponseTracker, OkAnswerEndsAtOnce) {
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  EXPECT_FALSE(t.done());
  run(t, {{ok_payload(0x0003), PacketKind::kOk, true}});
  EXPECT_EQ(t.status(), 0x0003);
  EXPECT_FALSE(t.ended_with_error());
}

TEST(ResponseTracker, RemembersTheLastInsertIdOfTheFinalOk) {
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  // affected rows 1, last insert id 300 (0xfc 2c 01), status AUTOCOMMIT, no warnings
  EXPECT_EQ(t.on_packet(Bytes{0x00, 0x01, 0xfc, 0x2c, 0x01, 0x02, 0x00, 0x00, 0x00}, 9), PacketKind::kOk);
  EXPECT_TRUE(t.done());
  EXPECT_EQ(t.last_insert_id(), 300u);
  EXPECT_EQ(t.warnings(), 0u);
  t.start(Command::kQuery, kCaps41);
  EXPECT_EQ(t.last_insert_id(), 0u) << "a new command starts afresh";
}

TEST(ResponseTracker, KeepsTheSessionStateOfACapturedOk) {
  // A real MariaDB OK carrying last_gtid and autocommit changes (see the capture's comment).
  const auto wire = test::testdata_hex("ok_last_gtid_autocommit.hex");
  const Bytes payload(wire.begin() + 4, wire.end());
  ResponseTracker t;
  t.start(Command::kQuery, Capabilities{kCaps41.bits | kClientSessionTrack});
  EXPECT_EQ(t.on_packet(payload, payload.size()), PacketKind::kOk);
  EXPECT_NE(t.session_state().find("last_gtid"), std::string::npos);
  t.start(Command::kQuery, kCaps41);
  EXPECT_TRUE(t.session_state().empty());
}

TEST(ResponseTracker, ReportsWarningsOfOkAndEof) {
  ResponseTracker ok;
  ok.start(Command::kQuery, kCaps41);
  EXPECT_EQ(ok.on_packet(Bytes{0x00, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00}, 7), PacketKind::kOk);
  EXPECT_EQ(ok.warnings(), 3u);
  ResponseTracker eof;
  eof.start(Command::kFieldList, kCaps41);
  EXPECT_EQ(eof.on_packet(Bytes{0xfe, 0x01, 0x00, 0x02, 0x00}, 5), PacketKind::kResultsetEnd);
  EXPECT_EQ(eof.warnings(), 1u);
}

TEST(ResponseTracker, ErrAnswerEndsAtOnceWithoutStatus) {
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  run(t, {{err_payload(), PacketKind::kErr, true}});
  EXPECT_TRUE(t.ended_with_error());
  EXPECT_FALSE(t.status().has_value());
}

TEST(ResponseTracker, TextResultsetWithEofMarkers) {
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  run(t, {{{0x02}, PacketKind::kResultsetHeader, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {column_payload("b"), PacketKind::kColumnDefinition, false},
          {eof_payload(0x0002), PacketKind::kMetadataEof, false},
          {row_payload({"1", "x"}), PacketKind::kRow, false},
          {row_payload({"2", "y"}), PacketKind::kRow, false},
          {eof_payload(0x0022), PacketKind::kResultsetEnd, true}});
  EXPECT_EQ(t.status(), 0x0022);
}

TEST(ResponseTracker, TextResultsetWithDeprecateEofEndsWithOk) {
  ResponseTracker t;
  t.start(Command::kQuery, kCapsDeprecateEof);
  run(t, {{{0x01}, PacketKind::kResultsetHeader, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {row_payload({"1"}), PacketKind::kRow, false},
          {ok_payload(0x0001, 0xfe), PacketKind::kResultsetEnd, true}});
  EXPECT_EQ(t.status(), 0x0001);
}

TEST(ResponseTracker, EmptyResultsetUnderDeprecateEof) {
  ResponseTracker t;
  t.start(Command::kQuery, kCapsDeprecateEof);
  run(t, {{{0x01}, PacketKind::kResultsetHeader, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {ok_payload(0x0002, 0xfe), PacketKind::kResultsetEnd, true}});
}

TEST(ResponseTracker, RowStartingWithFeIsARowNotTheEnd) {
  // A text row whose first value is 16 MiB or longer starts with the 0xfe length prefix.
  Bytes big_row{0xfe, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 'x'};
  for (const Capabilities caps : {kCaps41, kCapsDeprecateEof}) {
    ResponseTracker t;
    t.start(Command::kQuery, caps);
    std::vector<Step> steps{{{0x01}, PacketKind::kResultsetHeader, false},
                            {column_payload("a"), PacketKind::kColumnDefinition, false}};
    if (!caps.has(kClientDeprecateEof)) steps.push_back({eof_payload(0x0002), PacketKind::kMetadataEof, false});
    steps.push_back({big_row, PacketKind::kRow, false, 0xffffff});
    steps.push_back({caps.has(kClientDeprecateEof) ? ok_payload(0x0002, 0xfe) : eof_payload(0x0002),
                     PacketKind::kResultsetEnd, true});
    run(t, steps);
  }
}

TEST(ResponseTracker, MultiResultsContinueWhileMoreResultsExists) {
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  run(t, {{{0x01}, PacketKind::kResultsetHeader, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {eof_payload(0x000a), PacketKind::kMetadataEof, false},
          {row_payload({"1"}), PacketKind::kRow, false},
          {eof_payload(0x000a), PacketKind::kResultsetEnd, false},  // more results follow
          {ok_payload(0x000a), PacketKind::kOk, false},               // DO 1, more follow
          {{0x01}, PacketKind::kResultsetHeader, false},
          {column_payload("b"), PacketKind::kColumnDefinition, false},
          {eof_payload(0x000a), PacketKind::kMetadataEof, false},
          {eof_payload(0x0002), PacketKind::kResultsetEnd, true}});
  EXPECT_EQ(t.status(), 0x0002);
}

TEST(ResponseTracker, ErrorInTheMiddleOfMultiResultsEndsTheAnswer) {
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  run(t, {{ok_payload(0x000a), PacketKind::kOk, false}, {err_payload(), PacketKind::kErr, true}});
  EXPECT_TRUE(t.ended_with_error());
}

TEST(ResponseTracker, StoredProcedureTwoResultsetsAndFinalOk) {
  ResponseTracker t;
  t.start(Command::kQuery, kCapsDeprecateEof);
  run(t, {{{0x01}, PacketKind::kResultsetHeader, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {row_payload({"1"}), PacketKind::kRow, false},
          {ok_payload(0x000a, 0xfe), PacketKind::kResultsetEnd, false},
          {{0x02}, PacketKind::kResultsetHeader, false},
          {column_payload("b"), PacketKind::kColumnDefinition, false},
          {column_payload("c"), PacketKind::kColumnDefinition, false},
          {row_payload({"2", "3"}), PacketKind::kRow, false},
          {ok_payload(0x000a, 0xfe), PacketKind::kResultsetEnd, false},
          {ok_payload(0x0002), PacketKind::kOk, true}});
}

TEST(ResponseTracker, LocalInfileWaitsForTheClientThenTakesOk) {
  ResponseTracker t;
  t.start(Command::kQuery, kCaps41);
  Bytes request{0xfb, '/', 't', 'm', 'p', '/', 'f'};
  run(t, {{request, PacketKind::kLocalInfileRequest, false}});
  EXPECT_TRUE(t.awaiting_local_infile());
  EXPECT_EQ(t.on_packet(ok_payload(0x0002), 7), PacketKind::kUnexpected) << "the server must wait for the data";
  t.on_local_infile_sent();
  EXPECT_FALSE(t.awaiting_local_infile());
  run(t, {{ok_payload(0x0002), PacketKind::kOk, true}});
}

TEST(ResponseTracker, LocalInfileOnlyAnswersAQuery) {
  ResponseTracker t;
  t.start(Command::kStmtExecute, kCaps41);
  EXPECT_EQ(t.on_packet(Bytes{0xfb, 'f'}, 2), PacketKind::kUnexpected);
}

Bytes prepare_ok(std::uint32_t id, std::uint16_t columns, std::uint16_t params) {
  return {0x00, static_cast<std::uint8_t>(id), static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id >> 16),
          static_cast<std::uint8_t>(id >> 24), static_cast<std::uint8_t>(columns), static_cast<std::uint8_t>(columns >> 8),
          static_cast<std::uint8_t>(params), static_cast<std::uint8_t>(params >> 8), 0x00, 0x00, 0x00};
}

TEST(ResponseTracker, PrepareWithParamsAndColumns) {
  ResponseTracker t;
  t.start(Command::kStmtPrepare, kCaps41);
  run(t, {{prepare_ok(7, 1, 2), PacketKind::kPrepareOk, false},
          {column_payload("?"), PacketKind::kParameterDefinition, false},
          {column_payload("?"), PacketKind::kParameterDefinition, false},
          {eof_payload(0x0002), PacketKind::kMetadataEof, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {eof_payload(0x0002), PacketKind::kMetadataEof, true}});
  ASSERT_TRUE(t.prepared().has_value());
  EXPECT_EQ(t.prepared()->statement_id, 7u);
  EXPECT_EQ(t.prepared()->num_params, 2);
  EXPECT_EQ(t.prepared()->num_columns, 1);
}

TEST(ResponseTracker, PrepareUnderDeprecateEofHasNoMarkers) {
  ResponseTracker t;
  t.start(Command::kStmtPrepare, kCapsDeprecateEof);
  run(t, {{prepare_ok(1, 2, 1), PacketKind::kPrepareOk, false},
          {column_payload("?"), PacketKind::kParameterDefinition, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {column_payload("b"), PacketKind::kColumnDefinition, true}});
}

TEST(ResponseTracker, PrepareOfAStatementWithoutParamsOrColumns) {
  ResponseTracker t;
  t.start(Command::kStmtPrepare, kCaps41);
  run(t, {{prepare_ok(3, 0, 0), PacketKind::kPrepareOk, true}});
}

TEST(ResponseTracker, PrepareError) {
  ResponseTracker t;
  t.start(Command::kStmtPrepare, kCaps41);
  run(t, {{err_payload(), PacketKind::kErr, true}});
  EXPECT_FALSE(t.prepared().has_value());
}

TEST(ResponseTracker, ExecuteWithCursorEndsAfterMetadata) {
  ResponseTracker t;
  t.start(Command::kStmtExecute, kCaps41, /*cursor_requested=*/true);
  run(t, {{{0x01}, PacketKind::kResultsetHeader, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {eof_payload(kServerStatusAutocommit | kServerStatusCursorExists), PacketKind::kMetadataEof, true}});
}

TEST(ResponseTracker, ExecuteWithCursorUnderDeprecateEof) {
  ResponseTracker t;
  t.start(Command::kStmtExecute, kCapsDeprecateEof, /*cursor_requested=*/true);
  run(t, {{{0x01}, PacketKind::kResultsetHeader, false},
          {column_payload("a"), PacketKind::kColumnDefinition, false},
          {eof_payload(kServerStatusAutocommit | kServerStatusCursorExists), PacketKind::kResultsetEnd, true}});
}

TEST(ResponseTracker, FetchReturnsRowsThenEof) {
  ResponseTracker t;
  t.start(Command::kStmtFetch, kCaps41);
  run(t, {{Bytes{0x00, 0x00, 0x01}, PacketKind::kRow, false},
          {eof_payload(kServerStatusCursorExists | kServerStatusLastRowSent), PacketKind::kResultsetEnd, true}});
}

TEST(ResponseTracker, FieldListEndsWithEof) {
  ResponseTracker t;
  t.start(Command::kFieldList, kCaps41);
  run(t, {{column_payload("a"), PacketKind::kColumnDefinition, false},
          {column_payload("b"), PacketKind::kColumnDefinition, false},
          {eof_payload(0x0002), PacketKind::kResultsetEnd, true}});
}

TEST(ResponseTracker, StatisticsIsOnePlainString) {
  ResponseTracker t;
  t.start(Command::kStatistics, kCaps41);
  const std::string_view text = "Uptime: 5  Threads: 1";
  run(t, {{Bytes(text.begin(), text.end()), PacketKind::kStatistics, true}});
}

TEST(ResponseTracker, CommandsWithoutAnswerAreDoneAtOnce) {
  for (Command c : {Command::kQuit, Command::kStmtClose, Command::kStmtSendLongData}) {
    ResponseTracker t;
    t.start(c, kCaps41);
    EXPECT_TRUE(t.done()) << static_cast<int>(c);
    EXPECT_EQ(t.on_packet(ok_payload(2), 7), PacketKind::kUnexpected);
  }
}

TEST(ResponseTracker, SingleStatusCommandsTakeOkOrEof) {
  ResponseTracker ping;
  ping.start(Command::kPing, kCaps41);
  run(ping, {{ok_payload(0x0002), PacketKind::kOk, true}});
  ResponseTracker set_option;
  set_option.start(Command::kSetOption, kCaps41);
  run(set_option, {{eof_payload(0x0002), PacketKind::kOk, true}});
  EXPECT_EQ(set_option.status(), 0x0002);
}

TEST(ResponseTracker, NonsenseIsUnexpected) {
  ResponseTracker ping;
  ping.start(Command::kPing, kCaps41);
  EXPECT_EQ(ping.on_packet(Bytes{0x05}, 1), PacketKind::kUnexpected);
  ResponseTracker query;
  query.start(Command::kQuery, kCaps41);
  EXPECT_EQ(query.on_packet(Bytes{}, 0), PacketKind::kUnexpected);
  ResponseTracker truncated_ok;
  truncated_ok.start(Command::kQuery, kCaps41);
  EXPECT_EQ(truncated_ok.on_packet(Bytes{0x00, 0x00}, 2), PacketKind::kUnexpected);
}

}  // namespace
}  // namespace mysqlproxy::protocol
