// ResponseScanner: real captured answers fed whole, byte by byte and split at every offset must be
// forwarded completely, ending exactly at the last byte; large packets stream through.
#include "protocol/response_scanner.hpp"

#include <gtest/gtest.h>

#include "tests/support/hex.hpp"
#include "tests/support/packets.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::Bytes;

constexpr Capabilities kCaps41{kClientProtocol41 | kClientMultiResults};
constexpr Capabilities kCapsDeprecateEof{kCaps41.bits | kClientDeprecateEof};

struct Outcome {
  std::size_t forwarded = 0;
  std::size_t done_at = 0;  // bytes received when done() first held; 0 if never
  boost::system::error_code error;
};

// Plays the relay: receive chunks, scan, forward what is ready, keep the rest.
Outcome feed_in_chunks(ResponseScanner& s, const Bytes& wire, const std::vector<std::size_t>& cuts) {
  Outcome out;
  Bytes pending;
  std::size_t received = 0;
  std::size_t start = 0;
  auto step = [&](std::size_t end) {
    pending.insert(pending.end(), wire.begin() + static_cast<std::ptrdiff_t>(start), wire.begin() + static_cast<std::ptrdiff_t>(end));
    received = end;
    start = end;
    auto r = s.scan(pending);
    if (!r) {
      out.error = r.error();
      return false;
    }
    out.forwarded += *r;
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(*r));
    if (s.done() && out.done_at == 0) out.done_at = received;
    return true;
  };
  for (std::size_t cut : cuts) {
    if (!step(cut)) return out;
  }
  step(wire.size());
  return out;
}

struct Capture {
  const char* file;
  Command command;
  Capabilities caps;
};

class ScanCapture : public ::testing::TestWithParam<Capture> {};

TEST_P(ScanCapture, WholeAnswerForwardedAndDoneAtTheLastByte) {
  const auto wire = test::testdata_hex(GetParam().file);
  ResponseScanner s;
  s.start(GetParam().command, GetParam().caps);
  const auto o = feed_in_chunks(s, wire, {});
  ASSERT_FALSE(o.error) << o.error.message();
  EXPECT_EQ(o.forwarded, wire.size());
  EXPECT_EQ(o.done_at, wire.size());
}

TEST_P(ScanCapture, SameResultByteByByte) {
  const auto wire = test::testdata_hex(GetParam().file);
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < wire.size(); ++i) cuts.push_back(i);
  ResponseScanner s;
  s.start(GetParam().command, GetParam().caps);
  const auto o = feed_in_chunks(s, wire, cuts);
  ASSERT_FALSE(o.error) << o.error.message();
  EXPECT_EQ(o.forwarded, wire.size());
  EXPECT_EQ(o.done_at, wire.size());
}

TEST_P(ScanCapture, SameResultSplitAtEveryOffset) {
  const auto wire = test::testdata_hex(GetParam().file);
  for (std::size_t cut = 1; cut < wire.size(); ++cut) {
    ResponseScanner s;
    s.start(GetParam().command, GetParam().caps);
    const auto o = feed_in_chunks(s, wire, {cut});
    ASSERT_FALSE(o.error) << "cut " << cut << ": " << o.error.message();
    EXPECT_EQ(o.forwarded, wire.size()) << "cut " << cut;
    EXPECT_EQ(o.done_at, wire.size()) << "cut " << cut;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Captures, ScanCapture,
    ::testing::Values(Capture{"resultset_text.hex", Command::kQuery, kCaps41},
                      Capture{"resultset_text_deprecate_eof.hex", Command::kQuery, kCapsDeprecateEof},
                      Capture{"stmt_prepare_reply.hex", Command::kStmtPrepare, kCaps41},
                      Capture{"stmt_prepare_reply_deprecate_eof.hex", Command::kStmtPrepare, kCapsDeprecateEof},
                      Capture{"field_list_reply.hex", Command::kFieldList, kCaps41},
                      Capture{"statistics_reply.hex", Command::kStatistics, kCaps41}),
    [](const auto& info) {
      std::string name = info.param.file;
      return name.substr(0, name.find('.'));
    });

TEST(ResponseScanner, StreamsAPacketLargerThanTheInspectionWindow) {
  // A 100 KiB row: the scanner must forward it as it arrives, not wait for all of it.
  Bytes row(100 * 1024, 'x');
  row[0] = 0xfc;  // lenenc 2-byte length prefix, value irrelevant to the scanner
  Bytes wire = test::frame(1, {0x01});
  for (auto& b : {test::frame(2, test::column_payload("a")), test::frame(3, test::eof_payload(2)), test::frame(4, row),
                  test::frame(5, test::eof_payload(2))}) {
    wire.insert(wire.end(), b.begin(), b.end());
  }
  ResponseScanner s;
  s.start(Command::kQuery, kCaps41);
  const std::size_t header_end = wire.size() - (row.size() + 4) - 9;
  Bytes first(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(header_end + 4 + ResponseScanner::kInspectLimit));
  auto r = s.scan(first);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, first.size()) << "the row's first 64 KiB go out before the rest arrives";
  EXPECT_FALSE(s.done());
  EXPECT_FALSE(s.at_packet_boundary());
  Bytes rest(wire.begin() + static_cast<std::ptrdiff_t>(first.size()), wire.end());
  r = s.scan(rest);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, rest.size());
  EXPECT_TRUE(s.done());
}

TEST(ResponseScanner, JoinsFramesOfAPacketOver16MiB) {
  // A row of 0xffffff + 3 bytes travels as a full frame and a 3-byte continuation frame; the
  // continuation must not be mistaken for a new packet even though it starts with 0xfe.
  Bytes wire = test::frame(1, {0x01});
  for (auto& b : {test::frame(2, test::column_payload("a")), test::frame(3, test::eof_payload(2))}) {
    wire.insert(wire.end(), b.begin(), b.end());
  }
  const std::size_t row_start = wire.size();
  wire.insert(wire.end(), {0xff, 0xff, 0xff, 4});
  wire.push_back(0xfe);
  wire.insert(wire.end(), 0xffffff - 1, 'y');
  wire.insert(wire.end(), {0x03, 0x00, 0x00, 5, 0xfe, 0x00, 0x00});  // continuation, looks like an EOF
  const auto end = test::frame(6, test::eof_payload(0x0002));
  wire.insert(wire.end(), end.begin(), end.end());

  ResponseScanner s;
  s.start(Command::kQuery, kCaps41);
  const auto o = feed_in_chunks(s, wire, {row_start + 10, row_start + 0xffffff + 4, row_start + 0xffffff + 6});
  ASSERT_FALSE(o.error) << o.error.message();
  EXPECT_EQ(o.forwarded, wire.size());
  EXPECT_EQ(o.done_at, wire.size());
  EXPECT_EQ(s.tracker().status(), 0x0002);
}

TEST(ResponseScanner, RejectsABadSequenceId) {
  ResponseScanner s;
  s.start(Command::kPing, kCaps41);
  auto r = s.scan(test::frame(2, test::ok_payload(2)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ProtocolErrc::kBadSequence);
}

TEST(ResponseScanner, RejectsBytesAfterTheEnd) {
  Bytes wire = test::frame(1, test::ok_payload(2));
  wire.push_back(0x00);
  ResponseScanner s;
  s.start(Command::kPing, kCaps41);
  auto r = s.scan(wire);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(ResponseScanner, ReportsTheNextSequenceIdForAnInjectedError) {
  ResponseScanner s;
  s.start(Command::kQuery, kCaps41);
  Bytes wire = test::frame(1, {0x01});
  for (auto& b : {test::frame(2, test::column_payload("a")), test::frame(3, test::eof_payload(2)),
                  test::frame(4, test::row_payload({"1"}))}) {
    wire.insert(wire.end(), b.begin(), b.end());
  }
  auto r = s.scan(wire);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, wire.size());
  EXPECT_TRUE(s.at_packet_boundary());
  EXPECT_EQ(s.next_seq(), 5);
  EXPECT_FALSE(s.done());
}

TEST(ResponseScanner, LocalInfileRoundTrip) {
  ResponseScanner s;
  s.start(Command::kQuery, kCaps41);
  auto r = s.scan(test::frame(1, {0xfb, 'f'}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(s.awaiting_local_infile());
  s.on_local_infile_sent(4);  // the client sent seq 2 (data) and 3 (empty)
  r = s.scan(test::frame(4, test::ok_payload(2)));
  ASSERT_TRUE(r);
  EXPECT_TRUE(s.done());
}

}  // namespace
}  // namespace mysqlproxy::protocol
