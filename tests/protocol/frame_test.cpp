#include "protocol/frame.hpp"

#include <gtest/gtest.h>

#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::to_hex;

TEST(FrameHeader, DecodesAndEncodes) {
  const auto bytes = hex("fd ff 12 07");
  EXPECT_EQ(decode_frame_header(bytes.data()), (FrameHeader{0x12fffd, 7}));
  std::uint8_t out[4];
  encode_frame_header({0x12fffd, 7}, out);
  EXPECT_EQ(to_hex(std::span<const std::uint8_t>(out)), "fd ff 12 07");
}

TEST(FrameHeader, MaxLength) {
  const auto bytes = hex("ff ff ff ff");
  EXPECT_EQ(decode_frame_header(bytes.data()), (FrameHeader{0xffffff, 0xff}));
}

TEST(EncodeFrames, SmallPayload) {
  std::vector<std::uint8_t> out;
  EXPECT_EQ(encode_frames(hex("03 53 45 4c"), 0, out), 1);
  EXPECT_EQ(to_hex(out), "04 00 00 00 03 53 45 4c");
}

TEST(EncodeFrames, EmptyPayloadIsOneEmptyFrame) {
  std::vector<std::uint8_t> out;
  EXPECT_EQ(encode_frames({}, 3, out), 4);
  EXPECT_EQ(to_hex(out), "00 00 00 03");
}

TEST(EncodeFrames, AppendsAfterExistingBytes) {
  std::vector<std::uint8_t> out = hex("aa");
  (void)encode_frames(hex("01"), 1, out);
  EXPECT_EQ(to_hex(out), "aa 01 00 00 01 01");
}

TEST(EncodeFrames, SequenceIdWraps) {
  std::vector<std::uint8_t> out;
  EXPECT_EQ(encode_frames(hex("0e"), 0xff, out), 0);
  EXPECT_EQ(to_hex(out), "01 00 00 ff 0e");
}

// A payload of exactly 0xffffff bytes needs an empty final frame to say it has ended.
TEST(EncodeFrames, ExactlyMaxFrameNeedsAnEmptyFinalFrame) {
  const std::vector<std::uint8_t> payload(kMaxFramePayload, 0x5a);
  std::vector<std::uint8_t> out;
  EXPECT_EQ(encode_frames(payload, 0, out), 2);
  ASSERT_EQ(out.size(), kMaxFramePayload + 8);
  EXPECT_EQ(decode_frame_header(out.data()), (FrameHeader{0xffffff, 0}));
  EXPECT_EQ(decode_frame_header(out.data() + 4 + kMaxFramePayload), (FrameHeader{0, 1}));
}

TEST(EncodeFrames, OneMoreThanMaxFrame) {
  std::vector<std::uint8_t> payload(kMaxFramePayload + 1, 0x5a);
  payload.back() = 0x77;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(encode_frames(payload, 5, out), 7);
  ASSERT_EQ(out.size(), kMaxFramePayload + 1 + 8);
  EXPECT_EQ(decode_frame_header(out.data()), (FrameHeader{0xffffff, 5}));
  EXPECT_EQ(decode_frame_header(out.data() + 4 + kMaxFramePayload), (FrameHeader{1, 6}));
  EXPECT_EQ(out.back(), 0x77);
}

TEST(EncodeFrames, TwoFullFramesAndARest) {
  const std::vector<std::uint8_t> payload(2 * kMaxFramePayload + 10, 0x11);
  std::vector<std::uint8_t> out;
  EXPECT_EQ(encode_frames(payload, 0, out), 3);
  EXPECT_EQ(out.size(), payload.size() + 12);
  EXPECT_EQ(test::split_frames(out).at(0), payload);
}

// begin_frame/finish_frames must produce exactly what encode_frames does, for every size class.
TEST(BeginFinishFrames, MatchEncodeFrames) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{kMaxFramePayload - 1},
                           std::size_t{kMaxFramePayload}, std::size_t{kMaxFramePayload + 1}}) {
    std::vector<std::uint8_t> payload(size);
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
    std::vector<std::uint8_t> expected = hex("ee");
    const std::uint8_t expected_next = encode_frames(payload, 9, expected);

    std::vector<std::uint8_t> out = hex("ee");
    const std::size_t start = begin_frame(out);
    EXPECT_EQ(start, 1u);
    out.insert(out.end(), payload.begin(), payload.end());
    EXPECT_EQ(finish_frames(out, start, 9), expected_next) << size;
    EXPECT_TRUE(out == expected) << "size " << size;
  }
}

}  // namespace
}  // namespace mysqlproxy::protocol
