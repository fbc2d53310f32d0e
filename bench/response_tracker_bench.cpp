// ResponseScanner (and the ResponseTracker inside it): the relay runs every byte of every server
// answer through scan() to learn how much may be forwarded and when the answer ends. This is the
// proxy's per-row cost on large results and a fixed per-statement cost on small ones.
// Answers are real wire bytes built with the protocol's own encoders, for a sysbench-like sbtest1
// table and capabilities a modern client negotiates (CLIENT_DEPRECATE_EOF, CLIENT_SESSION_TRACK).
// bytes/s counts wire bytes scanned; rows/s counts result rows; items/s counts whole answers.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/capabilities.hpp"
#include "protocol/constants.hpp"
#include "protocol/frame.hpp"
#include "protocol/ok_err.hpp"
#include "protocol/response_scanner.hpp"
#include "protocol/response_tracker.hpp"
#include "protocol/resultset.hpp"

namespace {

using namespace mysqlproxy::protocol;
using Bytes = std::vector<std::uint8_t>;

// The bits that shape an answer, as libmysqlclient 8 (sysbench) negotiates them.
constexpr Capabilities kCaps{kClientProtocol41 | kClientTransactions | kClientSecureConnection |
                             kClientMultiStatements | kClientMultiResults | kClientPsMultiResults |
                             kClientPluginAuth | kClientSessionTrack | kClientDeprecateEof};

constexpr std::size_t kRelayRead = 64 * 1024;                                // bytes one backend read returns
constexpr std::size_t kRelayBuffer = 4 * ResponseScanner::kInspectLimit;     // relay.cpp's kMaxBuffer
constexpr std::size_t kLargeRows = 100'000;

// One server answer on the wire, and what it was built to say.
struct Answer {
  Bytes wire;
  std::size_t columns = 0;
  std::size_t rows = 0;
  std::uint16_t status = 0;
  std::uint8_t next_seq = 1;  // the sequence id after the last packet
};

class AnswerBuilder {
 public:
  explicit AnswerBuilder(Answer& a) : a_(a) { a_.next_seq = 1; }  // the command took sequence id 0
  template <class Encode>
  void packet(Encode&& encode) {
    payload_.clear();
    encode(payload_);
    a_.next_seq = encode_frames(payload_, a_.next_seq, a_.wire);
  }

 private:
  Answer& a_;
  Bytes payload_;
};

ColumnDefinition41 sbtest_column(std::string_view name, std::uint8_t type, std::uint16_t charset,
                                 std::uint32_t length, std::uint16_t flags) {
  ColumnDefinition41 c;
  c.catalog = "def";
  c.schema = "sbtest";
  c.table = "sbtest1";
  c.org_table = "sbtest1";
  c.name = name;
  c.org_name = name;
  c.character_set = charset;
  c.column_length = length;
  c.type = type;
  c.flags = flags;
  return c;
}

const ColumnDefinition41 kColId = sbtest_column("id", kTypeLong, kBinaryCollation, 11,
                                                kNotNullFlag | kPriKeyFlag | kAutoIncrementFlag | kNumFlag);
const ColumnDefinition41 kColK = sbtest_column("k", kTypeLong, kBinaryCollation, 11,
                                               kNotNullFlag | kMultipleKeyFlag | kNumFlag);
const ColumnDefinition41 kColC = sbtest_column("c", kTypeString, 255, 480, kNotNullFlag);
const ColumnDefinition41 kColPad = sbtest_column("pad", kTypeString, 255, 240, kNotNullFlag);

// sysbench's c and pad: groups of 11 digits joined by '-' (119 and 59 characters).
std::string digit_groups(std::uint64_t& seed, int groups) {
  std::string s;
  for (int g = 0; g < groups; ++g) {
    if (g > 0) s += '-';
    for (int i = 0; i < 11; ++i) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      s += static_cast<char>('0' + (seed >> 33) % 10);
    }
  }
  return s;
}

// A text resultset: column count, definitions, rows, and the 0xfe OK that ends it.
Answer text_resultset(const std::vector<ColumnDefinition41>& columns,
                      const std::vector<std::vector<std::optional<std::string>>>& rows, std::uint16_t status) {
  Answer a;
  a.columns = columns.size();
  a.rows = rows.size();
  a.status = status;
  AnswerBuilder b(a);
  b.packet([&](Bytes& p) { encode_column_count(columns.size(), p); });
  for (const auto& c : columns) b.packet([&](Bytes& p) { encode_column_definition(c, p); });
  for (const auto& r : rows) b.packet([&](Bytes& p) { encode_text_row(r, p); });
  OkPacket end;
  end.header = kEofHeader;
  end.status = status;
  b.packet([&](Bytes& p) { encode_ok(end, kCaps, p); });
  return a;
}

// SELECT c FROM sbtest1 WHERE id=4711
const Answer& point_select() {
  static const Answer a = [] {
    std::uint64_t seed = 4711;
    return text_resultset({kColC}, {{digit_groups(seed, 10)}}, kServerStatusAutocommit);
  }();
  return a;
}

// SELECT * FROM sbtest1 LIMIT 100000: four columns, ~195 bytes a row, ~19 MB.
const Answer& large_resultset() {
  static const Answer a = [] {
    std::uint64_t seed = 1;
    std::vector<std::vector<std::optional<std::string>>> rows;
    rows.reserve(kLargeRows);
    for (std::size_t i = 0; i < kLargeRows; ++i) {
      const std::uint64_t k = (seed >> 40) % 1'000'000;
      rows.push_back({std::to_string(i + 1), std::to_string(k), digit_groups(seed, 10), digit_groups(seed, 5)});
    }
    return text_resultset({kColId, kColK, kColC, kColPad}, rows, kServerStatusAutocommit | kServerQueryNoIndexUsed);
  }();
  return a;
}

// UPDATE sbtest1 SET k=k+1 WHERE id=4711, optionally with the GTID a server tracking
// session_track_gtids=OWN_GTID adds (the proxy turns that on for read-your-writes).
Answer update_ok(bool with_gtid) {
  Answer a;
  a.status = kServerStatusAutocommit;
  OkPacket ok;
  ok.affected_rows = 1;
  ok.info = "Rows matched: 1  Changed: 1  Warnings: 0";
  Bytes changes;
  if (with_gtid) {
    a.status |= kServerSessionStateChanged;
    const std::string_view gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:4711";
    std::string body(1, '\0');  // encoding specification 0
    body += static_cast<char>(gtid.size());
    body += gtid;
    encode_session_state_changes({SessionStateChange{kSessionTrackGtids, body}}, changes);
    ok.session_state_changes = {reinterpret_cast<const char*>(changes.data()), changes.size()};
  }
  ok.status = a.status;
  AnswerBuilder b(a);
  b.packet([&](Bytes& p) { encode_ok(ok, kCaps, p); });
  return a;
}

// ---- checks run at setup: a benchmark that measures a broken answer is skipped ----

// Feeds the answer to a bare ResponseTracker packet by packet and checks what it counted.
bool tracker_agrees(const Answer& a) {
  ResponseTracker t;
  t.start(Command::kQuery, kCaps);
  std::size_t columns = 0;
  std::size_t rows = 0;
  for (std::size_t pos = 0; pos < a.wire.size();) {
    if (t.done()) return false;  // bytes after the end
    const FrameHeader h = decode_frame_header(a.wire.data() + pos);
    const PacketKind kind = t.on_packet({a.wire.data() + pos + kFrameHeaderSize, h.length}, h.length);
    if (kind == PacketKind::kUnexpected) return false;
    columns += kind == PacketKind::kColumnDefinition;
    rows += kind == PacketKind::kRow;
    pos += kFrameHeaderSize + h.length;
  }
  return t.done() && !t.ended_with_error() && columns == a.columns && rows == a.rows && t.status() == a.status;
}

bool scanner_finished(const ResponseScanner& s, const Answer& a, std::size_t forwarded) {
  return forwarded == a.wire.size() && s.done() && s.next_seq() == a.next_seq &&
         s.tracker().status() == a.status && !s.tracker().ended_with_error();
}

void set_rates(benchmark::State& state, const Answer& a) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(a.wire.size()));
  if (a.rows == 0) return;  // an OK: items/s says it all
  state.counters["rows"] = benchmark::Counter(static_cast<double>(state.iterations() * a.rows),
                                              benchmark::Counter::kIsRate);
}

// ---- (a), (c): a small answer, all of it in one read, scanned whole ----

void scan_whole(benchmark::State& state, const Answer& a) {
  ResponseScanner s;
  s.start(Command::kQuery, kCaps);
  auto first = s.scan(a.wire);
  if (!tracker_agrees(a) || !first || !scanner_finished(s, a, *first)) {
    state.SkipWithError("setup: the scanner did not follow the answer to its end");
    return;
  }
  for (auto _ : state) {
    s.start(Command::kQuery, kCaps);
    auto ready = s.scan(a.wire);
    benchmark::DoNotOptimize(ready);
  }
  if (!s.done()) state.SkipWithError("the last scan did not finish the answer");
  set_rates(state, a);
}

void BM_ScanPointSelect(benchmark::State& state) { scan_whole(state, point_select()); }
BENCHMARK(BM_ScanPointSelect);

void BM_ScanUpdateOk(benchmark::State& state) {
  const Answer a = update_ok(false);
  scan_whole(state, a);
}
BENCHMARK(BM_ScanUpdateOk);

void BM_ScanUpdateOkWithGtid(benchmark::State& state) {
  const Answer a = update_ok(true);
  ResponseScanner s;
  s.start(Command::kQuery, kCaps);
  if (!s.scan(a.wire) || s.tracker().session_state().empty()) {
    state.SkipWithError("setup: the tracker did not pick up the GTID");
    return;
  }
  scan_whole(state, a);
}
BENCHMARK(BM_ScanUpdateOkWithGtid);

// ---- (b): a large resultset streaming through the relay's buffer ----

// relay_command's loop without the sockets: each backend read appends up to 64 KiB behind the
// bytes carried over, scan() says how many may go to the client, and the rest (a partial packet)
// moves to the front of the buffer. The memcpy stands in for recv(); the client write is dropped.
std::size_t relay(ResponseScanner& s, const Answer& a, Bytes& buf) {
  s.start(Command::kQuery, kCaps);
  std::size_t received = 0;
  std::size_t filled = 0;
  std::size_t forwarded = 0;
  for (;;) {
    const std::size_t n = std::min({kRelayRead, buf.size() - filled, a.wire.size() - received});
    if (n == 0) return forwarded;  // the answer ran out (or the buffer filled) before it ended
    std::memcpy(buf.data() + filled, a.wire.data() + received, n);
    received += n;
    filled += n;
    auto scanned = s.scan({buf.data(), filled});
    if (!scanned) return forwarded;
    const std::size_t ready = *scanned;
    if (ready > 0) {
      forwarded += ready;
      filled -= ready;
      if (filled > 0) std::memmove(buf.data(), buf.data() + ready, filled);
    }
    if (s.done()) return forwarded;
  }
}

void BM_RelayLargeResultset64KiB(benchmark::State& state) {
  const Answer& a = large_resultset();
  Bytes buf(kRelayBuffer);
  ResponseScanner s;
  if (!tracker_agrees(a) || !scanner_finished(s, a, relay(s, a, buf))) {
    state.SkipWithError("setup: the relayed answer was not forwarded whole");
    return;
  }
  std::size_t forwarded = 0;
  for (auto _ : state) {
    forwarded = relay(s, a, buf);
    benchmark::DoNotOptimize(forwarded);
  }
  if (!scanner_finished(s, a, forwarded)) state.SkipWithError("the last relay did not forward the whole answer");
  set_rates(state, a);
  state.counters["MB"] = static_cast<double>(a.wire.size()) / 1e6;
}
BENCHMARK(BM_RelayLargeResultset64KiB)->Unit(benchmark::kMicrosecond);

// The same 64 KiB arrivals, but scanning views into the answer: the scanner's own cost, without
// the copy into and within the relay buffer.
std::size_t scan_in_chunks(ResponseScanner& s, const Answer& a) {
  s.start(Command::kQuery, kCaps);
  const std::span<const std::uint8_t> wire(a.wire);
  std::size_t received = 0;
  std::size_t forwarded = 0;
  while (!s.done() && received < wire.size()) {
    received = std::min(received + kRelayRead, wire.size());
    auto scanned = s.scan(wire.subspan(forwarded, received - forwarded));
    if (!scanned) return forwarded;
    forwarded += *scanned;
  }
  return forwarded;
}

void BM_ScanLargeResultset64KiB(benchmark::State& state) {
  const Answer& a = large_resultset();
  ResponseScanner s;
  if (!tracker_agrees(a) || !scanner_finished(s, a, scan_in_chunks(s, a))) {
    state.SkipWithError("setup: the scanned answer was not forwarded whole");
    return;
  }
  std::size_t forwarded = 0;
  for (auto _ : state) {
    forwarded = scan_in_chunks(s, a);
    benchmark::DoNotOptimize(forwarded);
  }
  if (!scanner_finished(s, a, forwarded)) state.SkipWithError("the last scan did not forward the whole answer");
  set_rates(state, a);
}
BENCHMARK(BM_ScanLargeResultset64KiB)->Unit(benchmark::kMicrosecond);

// The tracker's state machine alone over the same packets, already split: what is left of the
// per-row cost once frame walking is taken out.
void BM_TrackerLargeResultsetPerPacket(benchmark::State& state) {
  const Answer& a = large_resultset();
  if (!tracker_agrees(a)) {
    state.SkipWithError("setup: the tracker did not count the rows and columns that were built");
    return;
  }
  std::vector<std::span<const std::uint8_t>> packets;
  for (std::size_t pos = 0; pos < a.wire.size();) {
    const FrameHeader h = decode_frame_header(a.wire.data() + pos);
    packets.emplace_back(a.wire.data() + pos + kFrameHeaderSize, h.length);
    pos += kFrameHeaderSize + h.length;
  }
  ResponseTracker t;
  for (auto _ : state) {
    t.start(Command::kQuery, kCaps);
    for (auto p : packets) {
      auto kind = t.on_packet(p, p.size());
      benchmark::DoNotOptimize(kind);
    }
  }
  if (!t.done() || t.status() != a.status) state.SkipWithError("the tracker did not reach the end");
  set_rates(state, a);
}
BENCHMARK(BM_TrackerLargeResultsetPerPacket)->Unit(benchmark::kMicrosecond);

}  // namespace
