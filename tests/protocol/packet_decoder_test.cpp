#include "protocol/packet_decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::to_hex;

// A decoded packet; payloads of 16 MiB are kept as size + hash so the boundary tests stay fast.
struct Decoded {
  std::uint8_t seq;
  std::uint8_t next_seq;
  std::vector<std::uint8_t> payload;
  std::size_t size = 0;
  std::uint64_t hash = 0;
  bool operator==(const Decoded&) const = default;
};

Decoded make_decoded(std::uint8_t seq, std::uint8_t next_seq, std::span<const std::uint8_t> payload) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (std::uint8_t b : payload) h = (h ^ b) * 1099511628211ull;
  Decoded d{seq, next_seq, {}, payload.size(), h};
  if (payload.size() < 4096) d.payload.assign(payload.begin(), payload.end());
  return d;
}

// Feeds `wire` in the given chunks and collects every packet; fails the test on a decode error or
// on bytes left over.
std::vector<Decoded> decode_in_chunks(std::span<const std::uint8_t> wire, const std::vector<std::size_t>& chunk_ends,
                                      std::uint8_t first_seq = 0, bool use_prepare = false) {
  PacketDecoder decoder;
  decoder.expect_seq(first_seq);
  std::vector<Decoded> out;
  std::size_t begin = 0;
  for (std::size_t end : chunk_ends) {
    const auto chunk = wire.subspan(begin, end - begin);
    if (use_prepare) {
      auto space = decoder.prepare(chunk.size());
      EXPECT_GE(space.size(), chunk.size());
      if (!chunk.empty()) std::memcpy(space.data(), chunk.data(), chunk.size());
      decoder.commit(chunk.size());
    } else {
      decoder.feed(chunk);
    }
    begin = end;
    for (;;) {
      auto next = decoder.next();
      if (!next) {
        ADD_FAILURE() << next.error().message();
        return out;
      }
      if (!*next) break;
      const Packet& p = **next;
      out.push_back(make_decoded(p.seq, p.next_seq, p.payload));
    }
  }
  EXPECT_TRUE(decoder.buffered().empty()) << decoder.buffered().size() << " bytes left";
  return out;
}

std::vector<Decoded> reference(std::span<const std::uint8_t> wire, std::uint8_t first_seq) {
  std::vector<Decoded> out;
  std::uint8_t seq = first_seq;
  // split_frames joins frames; count frames per packet to compute next_seq.
  std::size_t pos = 0;
  for (const auto& payload : test::split_frames(wire)) {
    std::size_t frames = 0;
    for (std::size_t len = kMaxFramePayload; len == kMaxFramePayload; ++frames) {
      len = wire[pos] | wire[pos + 1] << 8 | wire[pos + 2] << 16;
      pos += 4 + len;
    }
    out.push_back(make_decoded(seq, static_cast<std::uint8_t>(seq + frames), payload));
    seq = static_cast<std::uint8_t>(seq + frames);
  }
  return out;
}

struct WireRow {
  std::string name;
  std::vector<std::uint8_t> wire;
  std::uint8_t first_seq;
};

std::vector<std::uint8_t> frames(std::initializer_list<std::vector<std::uint8_t>> payloads, std::uint8_t seq) {
  std::vector<std::uint8_t> out;
  for (const auto& p : payloads) seq = encode_frames(p, seq, out);
  return out;
}

class SplitInvariance : public ::testing::TestWithParam<WireRow> {};

TEST_P(SplitInvariance, WholeByteByByteAndEverySplitAgree) {
  const auto& wire = GetParam().wire;
  const auto expected = reference(wire, GetParam().first_seq);
  ASSERT_FALSE(expected.empty());

  EXPECT_EQ(decode_in_chunks(wire, {wire.size()}, GetParam().first_seq), expected);

  std::vector<std::size_t> bytewise(wire.size());
  for (std::size_t i = 0; i < wire.size(); ++i) bytewise[i] = i + 1;
  EXPECT_EQ(decode_in_chunks(wire, bytewise, GetParam().first_seq), expected);
  EXPECT_EQ(decode_in_chunks(wire, bytewise, GetParam().first_seq, /*use_prepare=*/true), expected);

  for (std::size_t split = 0; split <= wire.size(); ++split) {
    EXPECT_EQ(decode_in_chunks(wire, {split, wire.size()}, GetParam().first_seq), expected) << "split at " << split;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Streams, SplitInvariance,
    ::testing::Values(
        WireRow{"server_greeting", test::testdata_hex("server_greeting.hex"), 0},
        WireRow{"text_resultset", test::testdata_hex("resultset_text.hex"), 1},
        WireRow{"prepare_reply", test::testdata_hex("stmt_prepare_reply.hex"), 1},
        WireRow{"zero_length_packets", frames({{}, hex("0e"), {}}, 0), 0},
        WireRow{"sequence_wraps", frames({hex("01"), hex("02 03"), hex("04")}, 0xfe), 0xfe},
        WireRow{"lenenc_sized", frames({std::vector<std::uint8_t>(300, 0x41), hex("fe 00 00 02 00")}, 3), 3}),
    [](const auto& info) { return info.param.name; });

TEST(PacketDecoder, NeedsMoreBytesIsNotAnError) {
  PacketDecoder decoder;
  decoder.feed(hex("05 00 00"));
  auto r = decoder.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  decoder.feed(hex("00 03 53"));
  r = decoder.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_EQ(decoder.buffered().size(), 6u);
}

TEST(PacketDecoder, ZeroLengthPacket) {
  PacketDecoder decoder;
  decoder.feed(hex("00 00 00 00"));
  auto r = decoder.next();
  ASSERT_TRUE(r);
  ASSERT_TRUE(*r);
  EXPECT_TRUE((*r)->payload.empty());
  EXPECT_EQ((*r)->seq, 0);
  EXPECT_EQ((*r)->next_seq, 1);
  EXPECT_EQ(decoder.expected_seq(), 1);
}

TEST(PacketDecoder, BadSequenceId) {
  PacketDecoder decoder;
  decoder.expect_seq(0);
  decoder.feed(hex("01 00 00 01 0e"));
  auto r = decoder.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ProtocolErrc::kBadSequence);
}

TEST(PacketDecoder, BadSequenceIdAfterAReply) {
  PacketDecoder decoder;
  decoder.feed(hex("01 00 00 00 0e  01 00 00 00 0e"));  // the second should be seq 1
  auto r = decoder.next();
  ASSERT_TRUE(r && *r);
  r = decoder.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ProtocolErrc::kBadSequence);
}

TEST(PacketDecoder, ExpectSeqResetsForANewCommand) {
  PacketDecoder decoder;
  decoder.feed(hex("01 00 00 00 0e"));
  ASSERT_TRUE(decoder.next().value());
  decoder.expect_seq(0);
  decoder.feed(hex("01 00 00 00 01"));
  auto r = decoder.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->payload[0], 0x01);
}

TEST(PacketDecoder, PacketTooLargeIsReportedFromTheHeaderAlone) {
  PacketDecoder decoder(10);
  decoder.feed(hex("0b 00 00 00"));
  auto r = decoder.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ProtocolErrc::kPacketTooLarge);
}

TEST(PacketDecoder, PacketOfExactlyTheMaximumIsAccepted) {
  PacketDecoder decoder(10);
  std::vector<std::uint8_t> wire;
  (void)encode_frames(std::vector<std::uint8_t>(10, 1), 0, wire);
  decoder.feed(wire);
  auto r = decoder.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->payload.size(), 10u);
}

TEST(PacketDecoder, MultiFramePacketOverTheMaximum) {
  PacketDecoder decoder(kMaxFramePayload + 5);
  std::vector<std::uint8_t> wire;
  (void)encode_frames(std::vector<std::uint8_t>(kMaxFramePayload + 6, 1), 0, wire);
  decoder.feed(wire);
  auto r = decoder.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ProtocolErrc::kPacketTooLarge);
  decoder.set_max_packet_size(kMaxFramePayload + 6);
  r = decoder.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->payload.size(), kMaxFramePayload + 6);
}

// Wire offsets worth splitting a multi-frame packet at: inside and around each frame header.
std::vector<std::size_t> interesting_splits(std::size_t wire_size) {
  std::vector<std::size_t> out;
  for (std::size_t base : {std::size_t{0}, std::size_t{4} + kMaxFramePayload}) {
    for (std::size_t d : {0, 1, 3, 4, 5}) {
      out.push_back(base + d);
      if (base >= d) out.push_back(base - d);
    }
  }
  out.push_back(wire_size - 1);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

class ContinuationBoundary : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ContinuationBoundary, JoinsFramesAtAnySplit) {
  const std::size_t size = GetParam();
  std::vector<std::uint8_t> payload(size);
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<std::uint8_t>(i % 251);
  std::vector<std::uint8_t> wire;
  const std::uint8_t next = encode_frames(payload, 0, wire);
  (void)encode_frames(hex("0e"), next, wire);  // a packet after it must still decode
  EXPECT_EQ(next, 2);  // a full frame, then a shorter (possibly empty) one

  const std::vector<Decoded> expected{make_decoded(0, 2, payload), make_decoded(2, 3, hex("0e"))};
  EXPECT_TRUE(decode_in_chunks(wire, {wire.size()}) == expected);
  for (std::size_t split : interesting_splits(wire.size())) {
    EXPECT_TRUE(decode_in_chunks(wire, {split, wire.size()}) == expected) << "split at " << split;
  }
  // In 1 MiB reads, as a socket would deliver it, through prepare()/commit().
  std::vector<std::size_t> reads;
  for (std::size_t end = 1 << 20; end < wire.size(); end += 1 << 20) reads.push_back(end);
  reads.push_back(wire.size());
  EXPECT_TRUE(decode_in_chunks(wire, reads, 0, /*use_prepare=*/true) == expected);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ContinuationBoundary,
                         ::testing::Values(std::size_t{kMaxFramePayload}, std::size_t{kMaxFramePayload + 1}),
                         [](const auto& info) { return info.param == kMaxFramePayload ? "exactly_ffffff" : "ffffff_plus_1"; });

// A header announcing 16 MiB makes no room for them before they arrive: the buffer grows with
// what was received (a peer that announces and stalls must not cost the announced size).
TEST(PacketDecoder, RoomGrowsWithTheBytesThatArriveNotWithTheAnnouncedSize) {
  PacketDecoder decoder;
  decoder.feed(hex("ff ff ff 00 03 53 45 4c"));
  auto r = decoder.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_LE(decoder.prepare(4096).size(), 64u * 1024);
  // Whole 16 MiB frames still arrive and decode, through room that grows as they come.
  std::vector<std::uint8_t> payload(kMaxFramePayload + 10, 0x5a);
  std::vector<std::uint8_t> wire;
  (void)encode_frames(payload, 0, wire);
  PacketDecoder streaming;
  std::size_t at = 0;
  std::size_t largest_room = 0;
  std::optional<std::size_t> decoded;
  while (!decoded) {
    auto space = streaming.prepare(4096);
    largest_room = std::max(largest_room, space.size());
    const std::size_t n = std::min(space.size(), wire.size() - at);
    ASSERT_GT(n, 0u) << "the whole packet was fed without being decoded";
    std::copy_n(wire.begin() + static_cast<std::ptrdiff_t>(at), n, space.begin());
    streaming.commit(n);
    at += n;
    auto next = streaming.next();
    ASSERT_TRUE(next);
    if (*next) decoded = (*next)->payload.size();
  }
  EXPECT_EQ(*decoded, payload.size());
  EXPECT_LE(largest_room, kMaxFramePayload) << "room is at most what arrived so far";
}

TEST(PacketDecoder, ContinuationFrameWithBadSequence) {
  std::vector<std::uint8_t> wire;
  (void)encode_frames(std::vector<std::uint8_t>(kMaxFramePayload, 0), 0, wire);
  wire[4 + kMaxFramePayload + 3] = 7;  // the empty final frame should be seq 1
  PacketDecoder decoder;
  decoder.feed(wire);
  auto r = decoder.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), ProtocolErrc::kBadSequence);
}

TEST(PacketDecoder, BufferedAndClear) {
  PacketDecoder decoder;
  decoder.feed(hex("01 00 00 00 0e  05 00 00 01 03 53"));
  auto r = decoder.next();
  ASSERT_TRUE(r && *r);
  // The returned packet is no longer "buffered"; the partial one is.
  EXPECT_EQ(to_hex(decoder.buffered()), "05 00 00 01 03 53");
  decoder.consume();
  EXPECT_EQ(to_hex(decoder.buffered()), "05 00 00 01 03 53");
  r = decoder.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  decoder.clear();
  EXPECT_TRUE(decoder.buffered().empty());
  r = decoder.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  // The decoder is usable after clear().
  decoder.expect_seq(0);
  decoder.feed(hex("01 00 00 00 0e"));
  r = decoder.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(to_hex((*r)->payload), "0e");
}

TEST(PacketDecoder, FeedingNothingIsHarmless) {
  PacketDecoder decoder;
  decoder.feed({});
  auto r = decoder.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_TRUE(decoder.buffered().empty());
}

TEST(PacketDecoder, PayloadStaysValidUntilConsumed) {
  PacketDecoder decoder;
  decoder.feed(hex("02 00 00 00 aa bb"));
  auto r = decoder.next();
  ASSERT_TRUE(r && *r);
  const auto payload = (*r)->payload;
  EXPECT_EQ(to_hex(payload), "aa bb");
  // next() without new data releases the packet and reports "need more".
  auto again = decoder.next();
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  EXPECT_TRUE(decoder.buffered().empty());
}

}  // namespace
}  // namespace mysqlproxy::protocol
