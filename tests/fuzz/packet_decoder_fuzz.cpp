// Fuzz target: protocol::PacketDecoder, the incremental framer, fed a byte stream in arbitrary
// chunks through prepare()/commit() and feed(), as PacketStream reads a socket.
//
// Input: [chunk seed][options][stream...]
//   options bits 0-1: max packet size 0 / 100 / 4096 / 64 KiB; bit 2: expect each packet's own
//   first sequence id (as a new command does) instead of continuing the sequence; bit 3: feed()
//   instead of prepare()/commit().
// Invariants: whatever the chunking, the packets and the final error are those of a reference
// framer run over the whole stream; each packet's wire bytes are the stream's next bytes, its
// payload the wire minus the header, re-framing the payload gives the wire back; no payload
// exceeds the maximum; buffered() is the stream's undecoded tail.
#include <algorithm>
#include <cstring>
#include <optional>

#include "protocol/frame.hpp"
#include "protocol/packet_decoder.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;

namespace {

struct Framed {
  std::uint8_t seq;
  std::uint8_t next_seq;
  Bytes payload;
  std::size_t wire_size;
  bool operator==(const Framed&) const = default;
};

struct Outcome {
  std::vector<Framed> packets;
  boost::system::error_code error;
};

constexpr std::size_t kMaxSizes[] = {0, 100, 4096, 1u << 16};

// An independent reading of the framing rules, over the whole stream at once.
Outcome reference(std::span<const std::uint8_t> s, std::size_t max_size, bool resync) {
  Outcome out;
  std::size_t pos = 0;
  std::uint8_t expected = 0;
  for (;;) {
    if (resync && s.size() - pos >= kFrameHeaderSize) expected = s[pos + 3];
    std::size_t p = pos;
    std::uint8_t seq = expected;
    Bytes payload;
    bool complete = false;
    for (;;) {
      if (s.size() - p < kFrameHeaderSize) break;
      const std::size_t len = s[p] | (s[p + 1] << 8) | (s[p + 2] << 16);
      if (s[p + 3] != seq) {
        out.error = ProtocolErrc::kBadSequence;
        return out;
      }
      if (payload.size() + len > max_size) {
        out.error = ProtocolErrc::kPacketTooLarge;
        return out;
      }
      if (s.size() - p - kFrameHeaderSize < len) break;
      payload.insert(payload.end(), s.begin() + static_cast<std::ptrdiff_t>(p + kFrameHeaderSize),
                     s.begin() + static_cast<std::ptrdiff_t>(p + kFrameHeaderSize + len));
      p += kFrameHeaderSize + len;
      ++seq;
      if (len < kMaxFramePayload) {
        complete = true;
        break;
      }
    }
    if (!complete) return out;
    out.packets.push_back({expected, seq, std::move(payload), p - pos});
    pos = p;
    expected = seq;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t chunk_seed = in.u8();
  const std::uint8_t options = in.u8();
  const std::span<const std::uint8_t> stream = in.rest();
  const std::size_t max_size = kMaxSizes[options & 3];
  const bool resync = (options & 4) != 0;
  const bool use_feed = (options & 8) != 0;

  PacketDecoder decoder(max_size);
  Outcome got;
  std::size_t fed = 0;      // stream bytes given to the decoder
  std::size_t decoded = 0;  // stream bytes returned as packets
  const auto pull = [&]() -> bool {
    for (;;) {
      if (resync) {
        const auto b = decoder.buffered();
        if (b.size() >= kFrameHeaderSize) decoder.expect_seq(b[3]);
      }
      auto next = decoder.next();
      if (!next) {
        got.error = next.error();
        return false;
      }
      if (!*next) return true;
      const Packet& p = **next;
      FUZZ_CHECK(p.payload.size() <= max_size);
      FUZZ_CHECK(p.wire.size() == p.payload.size() + kFrameHeaderSize);  // one frame: inputs are < 16 MiB
      FUZZ_CHECK(decoded + p.wire.size() <= fed);
      FUZZ_CHECK(std::equal(p.wire.begin(), p.wire.end(), stream.begin() + static_cast<std::ptrdiff_t>(decoded)));
      FUZZ_CHECK(std::equal(p.payload.begin(), p.payload.end(), p.wire.begin() + kFrameHeaderSize));
      Bytes reframed;
      const std::uint8_t after = encode_frames(p.payload, p.seq, reframed);
      FUZZ_CHECK(after == p.next_seq);
      FUZZ_CHECK(mysqlproxy::fuzz::same_bytes(reframed, p.wire));
      // The in-place framing the proxy uses for its own packets agrees.
      Bytes in_place;
      const std::size_t start = begin_frame(in_place);
      in_place.insert(in_place.end(), p.payload.begin(), p.payload.end());
      FUZZ_CHECK(finish_frames(in_place, start, p.seq) == p.next_seq);
      FUZZ_CHECK(in_place == reframed);
      got.packets.push_back({p.seq, p.next_seq, Bytes(p.payload.begin(), p.payload.end()), p.wire.size()});
      decoded += p.wire.size();
      FUZZ_CHECK(decoder.expected_seq() == p.next_seq);
      decoder.consume();
    }
  };

  std::size_t round = 0;
  for (std::size_t chunk : mysqlproxy::fuzz::chunk_sizes(chunk_seed, stream.size())) {
    const auto bytes = stream.subspan(fed, chunk);
    if (use_feed) {
      decoder.feed(bytes);
      fed += chunk;
    } else {
      // As PacketStream: ask for some room, take what the "socket" has that fits, decode.
      static constexpr std::size_t kMinBytes[] = {1, 7, 4096};
      std::size_t off = 0;
      while (off < bytes.size()) {
        const auto space = decoder.prepare(kMinBytes[round++ % 3]);
        FUZZ_CHECK(!space.empty());
        const std::size_t n = std::min(space.size(), bytes.size() - off);
        std::memcpy(space.data(), bytes.data() + off, n);
        decoder.commit(n);
        off += n;
        fed += n;
        if (off < bytes.size() && !pull()) break;
      }
      if (off < bytes.size()) break;
    }
    if (!pull()) break;
  }
  if (!got.error) {
    // Everything not returned as a packet is still buffered.
    const auto rest = decoder.buffered();
    FUZZ_CHECK(fed == stream.size());
    FUZZ_CHECK(rest.size() == stream.size() - decoded);
    FUZZ_CHECK(std::equal(rest.begin(), rest.end(), stream.begin() + static_cast<std::ptrdiff_t>(decoded)));
  }

  const Outcome want = reference(stream, max_size, resync);
  FUZZ_CHECK(got.error == want.error);
  FUZZ_CHECK(got.packets == want.packets);
  return 0;
}
