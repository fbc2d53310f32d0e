// Fuzz target: ResponseScanner and ResponseTracker, which follow a backend's answer as the relay
// streams it to the client. Arbitrary bytes play the backend's answer to a command.
//
// Input: [command (low 5 bits)][capabilities: 4 bytes LE][chunk seed][LOCAL INFILE packets][answer...]
// The answer arrives in chunks and is scanned as the relay does: forward what the scanner says is
// ready, keep the rest, scan again with more; after a LOCAL INFILE request the client is taken to
// have sent 1-4 packets.
// Invariants: never more ready bytes than given; what is kept back is less than one inspectable
// packet and starts at a packet boundary; once done, nothing is kept back; an answer that ended
// in an error is done. Without a LOCAL INFILE pause, the outcome (error, bytes forwarded, done,
// status, warnings, insert id, session state, prepared statement) does not depend on the
// chunking, and equals that of PacketDecoder + ResponseTracker fed whole packets; before an
// error, no more went out than the packets the tracker accepted.
#include <optional>
#include <string>

#include "protocol/packet_decoder.hpp"
#include "protocol/response_scanner.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;

namespace {

struct Outcome {
  boost::system::error_code error;
  std::size_t forwarded = 0;  // 0 after an error: the connection is dropped then
  bool done = false;
  bool awaiting_local_infile = false;
  std::optional<std::uint16_t> status;
  std::uint16_t warnings = 0;
  std::uint64_t last_insert_id = 0;
  std::string session_state;
  bool ended_with_error = false;
  std::optional<std::uint32_t> statement_id;
  std::uint16_t num_params = 0;
  std::uint16_t num_columns = 0;

  void take(const ResponseTracker& t) {
    status = t.status();
    warnings = t.warnings();
    last_insert_id = t.last_insert_id();
    session_state = t.session_state();
    ended_with_error = t.ended_with_error();
    if (t.prepared()) {
      statement_id = t.prepared()->statement_id;
      num_params = t.prepared()->num_params;
      num_columns = t.prepared()->num_columns;
    }
  }
  bool operator==(const Outcome&) const = default;
};

// The relay's loop: receive a chunk, scan, forward what is ready.
// `sent` counts what was forwarded, also before an error.
Outcome relay(Command command, Capabilities caps, std::span<const std::uint8_t> answer, std::uint8_t chunk_seed,
              std::uint8_t infile_packets, bool& paused, std::size_t& sent) {
  ResponseScanner s;
  s.start(command, caps);
  Outcome out;
  Bytes pending;
  std::size_t given = 0;
  sent = 0;
  for (std::size_t chunk : mysqlproxy::fuzz::chunk_sizes(chunk_seed, answer.size())) {
    pending.insert(pending.end(), answer.begin() + static_cast<std::ptrdiff_t>(given),
                   answer.begin() + static_cast<std::ptrdiff_t>(given + chunk));
    given += chunk;
    auto ready = s.scan(pending);
    if (!ready) {
      out.error = ready.error();
      break;
    }
    FUZZ_CHECK(*ready <= pending.size());
    sent += *ready;
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(*ready));
    // The relay's buffer holds one inspectable packet: the scanner must not need more to progress.
    FUZZ_CHECK(pending.size() < kFrameHeaderSize + ResponseScanner::kInspectLimit);
    FUZZ_CHECK(pending.empty() || s.at_packet_boundary());
    if (s.done()) FUZZ_CHECK(pending.empty());
    if (s.tracker().ended_with_error()) FUZZ_CHECK(s.tracker().done());
    if (s.awaiting_local_infile() && pending.empty()) {
      paused = true;
      s.on_local_infile_sent(static_cast<std::uint8_t>(s.next_seq() + infile_packets));
    }
  }
  if (!out.error) out.forwarded = sent;
  out.done = s.done();
  out.awaiting_local_infile = s.awaiting_local_infile();
  out.take(s.tracker());
  return out;
}

// The same answer through the framer, one whole packet at a time, to a tracker of its own.
// `accepted` counts the bytes of the packets the tracker took, also before an error.
Outcome by_packets(Command command, Capabilities caps, std::span<const std::uint8_t> answer, std::size_t& accepted) {
  PacketDecoder decoder(1u << 30);
  decoder.expect_seq(1);
  decoder.feed(answer);
  ResponseTracker t;
  t.start(command, caps);
  Outcome out;
  for (;;) {
    if (t.done() || t.awaiting_local_infile()) {
      if (!decoder.buffered().empty()) out.error = ProtocolErrc::kUnexpectedPacket;  // bytes after the end
      break;
    }
    auto next = decoder.next();
    if (!next) {
      out.error = next.error();
      break;
    }
    if (!*next) break;
    const auto payload = (*next)->payload;
    if (t.on_packet(payload, payload.size()) == PacketKind::kUnexpected) {
      out.error = ProtocolErrc::kUnexpectedPacket;
      break;
    }
    accepted += (*next)->wire.size();
    decoder.consume();
  }
  if (!out.error) out.forwarded = accepted;
  out.done = t.done();
  out.awaiting_local_infile = t.awaiting_local_infile();
  out.take(t);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const auto command = static_cast<Command>(in.u8() & 0x1f);
  const Capabilities caps{in.u32()};
  const std::uint8_t chunk_seed = in.u8();
  const std::uint8_t infile_packets = static_cast<std::uint8_t>(1 + in.u8() % 4);
  const auto answer = in.rest();

  bool paused = false;
  std::size_t sent = 0;
  const Outcome chunked = relay(command, caps, answer, chunk_seed, infile_packets, paused, sent);
  FUZZ_CHECK(sent <= answer.size());
  // Packets larger than the inspection window are seen by their first bytes only, and a LOCAL
  // INFILE pause changes what follows: compare only where neither applies.
  if (paused || answer.size() > ResponseScanner::kInspectLimit) return 0;

  bool unused = false;
  std::size_t sent_whole = 0;
  const Outcome whole = relay(command, caps, answer, 0, infile_packets, unused, sent_whole);
  FUZZ_CHECK(chunked == whole);
  std::size_t accepted = 0;
  const Outcome framed = by_packets(command, caps, answer, accepted);
  FUZZ_CHECK(framed == whole);
  // Before an error, only packets the answer may contain went out.
  FUZZ_CHECK(sent <= accepted);
  return 0;
}
