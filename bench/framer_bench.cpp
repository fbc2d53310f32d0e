// The packet framer, both ways. PacketDecoder is what every client packet passes through on the way
// in (prepare/commit/next, as PacketStream::read_packet drives it); encode_frames is what every
// packet the proxy writes itself costs on the way out. The common case is a stream of small
// COM_QUERYs; the rare one is a large packet (a bulk INSERT, a BLOB), which the decoder must
// accumulate and, past 16 MiB, join from several frames.
// items/s counts packets; bytes/s counts wire bytes (decode) or payload bytes (encode). The decode
// benchmarks include the memcpy into the decoder's buffer that stands in for recv().
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/command.hpp"
#include "protocol/frame.hpp"
#include "protocol/packet_decoder.hpp"

namespace {

using namespace mysqlproxy::protocol;
using Bytes = std::vector<std::uint8_t>;

constexpr std::string_view kPointSelect = "SELECT c FROM sbtest1 WHERE id=4711";
constexpr std::size_t kReadChunk = 4096;       // what PacketStream asks prepare() for
constexpr std::size_t kLargeRead = 64 * 1024;  // what one read_some returns while a big packet streams in
constexpr std::size_t kSmallPackets = 1024;    // COM_QUERYs per iteration: ~40 KiB, ten 4 KiB reads

Bytes com_query_payload() {
  Bytes payload;
  encode_com_query(kPointSelect, payload);
  return payload;
}

// A payload that is not all one byte, so a wrong offset in joining frames would show.
Bytes patterned_payload(std::size_t size) {
  Bytes payload(size);
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<std::uint8_t>(i * 31 + (i >> 12));
  return payload;
}

struct Decoded {
  std::size_t packets = 0;
  std::size_t payload_bytes = 0;
  bool error = false;
};

// Plays PacketStream::read_packet over `wire`: next(); when it needs bytes, prepare(4 KiB) and
// "receive" at most `read_size` of them into the space. Every packet starts a new command, so
// each takes sequence id 0 (as ClientSession resets it).
Decoded decode_all(PacketDecoder& decoder, std::span<const std::uint8_t> wire, std::size_t read_size) {
  Decoded out;
  std::size_t offset = 0;
  for (;;) {
    decoder.expect_seq(0);
    auto next = decoder.next();
    if (!next) {
      out.error = true;
      return out;
    }
    if (*next) {
      const Packet& packet = **next;
      benchmark::DoNotOptimize(packet.payload.data());
      ++out.packets;
      out.payload_bytes += packet.payload.size();
      continue;
    }
    if (offset == wire.size()) return out;
    const auto space = decoder.prepare(kReadChunk);
    const std::size_t n = std::min({space.size(), read_size, wire.size() - offset});
    std::memcpy(space.data(), wire.data() + offset, n);
    decoder.commit(n);
    offset += n;
  }
}

void decode_bench(benchmark::State& state, const Bytes& wire, std::size_t read_size, std::size_t packets,
                  std::size_t payload_bytes) {
  PacketDecoder decoder;  // one per connection: its buffer is reused from one read to the next
  const Decoded check = decode_all(decoder, wire, read_size);
  if (check.error || check.packets != packets || check.payload_bytes != payload_bytes) {
    state.SkipWithError("setup: the decoder did not return the packets that were framed");
    return;
  }
  for (auto _ : state) {
    const Decoded d = decode_all(decoder, wire, read_size);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(packets));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}

// Pipelined point selects as they would sit in a client socket, read 4 KiB at a time.
void BM_DecodeComQueryStream(benchmark::State& state) {
  const Bytes payload = com_query_payload();
  Bytes wire;
  for (std::size_t i = 0; i < kSmallPackets; ++i) (void)encode_frames(payload, 0, wire);
  decode_bench(state, wire, kReadChunk, kSmallPackets, kSmallPackets * payload.size());
}
BENCHMARK(BM_DecodeComQueryStream);

// One packet of `range(0)` bytes (1 MiB: one frame; 20 MiB: a full 0xffffff frame and the rest,
// which the decoder joins into one payload), arriving in 64 KiB reads.
void BM_DecodeLargePacket(benchmark::State& state) {
  const Bytes payload = patterned_payload(static_cast<std::size_t>(state.range(0)));
  Bytes wire;
  (void)encode_frames(payload, 0, wire);
  const std::size_t frames = payload.size() / kMaxFramePayload + 1;
  if (wire.size() != payload.size() + frames * kFrameHeaderSize) {
    state.SkipWithError("setup: encode_frames produced an unexpected number of frames");
    return;
  }
  state.counters["frames"] = static_cast<double>(frames);
  decode_bench(state, wire, kLargeRead, 1, payload.size());
}
BENCHMARK(BM_DecodeLargePacket)->Arg(1 << 20)->Arg(20 << 20)->Unit(benchmark::kMicrosecond);

// encode_frames into a reused output buffer, as PacketStream::write_packet does with out_.
void encode_bench(benchmark::State& state, const Bytes& payload) {
  Bytes out;
  (void)encode_frames(payload, 0, out);
  PacketDecoder decoder;
  const Decoded check = decode_all(decoder, out, out.size());
  if (check.error || check.packets != 1 || check.payload_bytes != payload.size()) {
    state.SkipWithError("setup: encode_frames output does not decode back to the payload");
    return;
  }
  for (auto _ : state) {
    out.clear();
    const std::uint8_t next_seq = encode_frames(payload, 0, out);
    benchmark::DoNotOptimize(next_seq);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
}

void BM_EncodeFramesSmall(benchmark::State& state) { encode_bench(state, com_query_payload()); }
BENCHMARK(BM_EncodeFramesSmall);

// 32 MiB: two full frames and a 2-byte tail.
void BM_EncodeFrames32MiB(benchmark::State& state) { encode_bench(state, patterned_payload(32u << 20)); }
BENCHMARK(BM_EncodeFrames32MiB)->Unit(benchmark::kMicrosecond);

}  // namespace
