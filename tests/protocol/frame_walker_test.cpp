#include "protocol/frame_walker.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/support/hex.hpp"
#include "tests/support/packets.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::Bytes;
using test::frame;
using test::testdata_hex;
using test::to_hex;

TEST(FrameWalker, SeesEverySequenceIdWhateverTheSplit) {
  const Bytes wire = testdata_hex("resultset_text.hex");  // 9 frames, ids 1-9
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    FrameWalker walker;
    std::vector<int> seqs;
    for (std::size_t at = 0; at < wire.size(); at += piece) {
      const auto part = std::span<const std::uint8_t>(wire).subspan(at, std::min(piece, wire.size() - at));
      walker.walk(part, [&](std::uint8_t seq) { seqs.push_back(seq); });
    }
    EXPECT_EQ(seqs, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9})) << "piece " << piece;
    EXPECT_TRUE(walker.at_frame_boundary());
  }
}

TEST(FrameWalker, RestampsIdsInPlace) {
  // As a compressed MariaDB sends them after LOCAL INFILE data: the inner ids repeat the client's.
  Bytes wire = frame(3, {0xff, 0xff, 0xff, 0x01});
  const Bytes ok = frame(4, {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00});
  wire.insert(wire.end(), ok.begin(), ok.end());
  FrameWalker walker;
  std::uint8_t next = 4;
  walker.walk(std::span<std::uint8_t>(wire).first(5), [&](std::uint8_t& seq) { seq = next++; });
  EXPECT_FALSE(walker.at_frame_boundary());
  walker.walk(std::span<std::uint8_t>(wire).subspan(5), [&](std::uint8_t& seq) { seq = next++; });
  EXPECT_EQ(to_hex(wire), to_hex(test::hex("04 00 00 04 ff ff ff 01  07 00 00 05 00 00 00 02 00 00 00")));
}

TEST(FrameWalker, EmptyAndFullFrames) {
  // A 0xffffff frame is followed by its continuation; an empty frame is a header alone.
  FrameWalker walker;
  std::vector<int> seqs;
  const Bytes header = test::hex("ff ff ff 00");
  walker.walk(std::span<const std::uint8_t>(header), [&](std::uint8_t seq) { seqs.push_back(seq); });
  const Bytes body(0xffffff, 'x');
  walker.walk(std::span<const std::uint8_t>(body), [&](std::uint8_t seq) { seqs.push_back(seq); });
  const Bytes tail = test::hex("00 00 00 01");
  walker.walk(std::span<const std::uint8_t>(tail), [&](std::uint8_t seq) { seqs.push_back(seq); });
  EXPECT_EQ(seqs, (std::vector<int>{0, 1}));
  EXPECT_TRUE(walker.at_frame_boundary());
}

}  // namespace
}  // namespace mysqlproxy::protocol
