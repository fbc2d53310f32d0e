// Fuzz target: a backend's answer to COM_STMT_PREPARE: COM_STMT_PREPARE_OK, then the parameter
// and column definitions (each group closed by an EOF without CLIENT_DEPRECATE_EOF).
//
// Input: [capabilities: 4 bytes LE][the answer as wire frames, starting at sequence id 1...]
// The packets go to decode_stmt_prepare_ok() / decode_column_definition() / decode_eof() and, in
// parallel, to the ResponseTracker that the relay uses.
// Invariants: COM_STMT_PREPARE_OK round-trips as a value and byte for byte when it has the 12-byte
// (or 13 with metadata_follows) form; when it decodes, the tracker calls it kPrepareOk with the
// same id and counts; when the tracker is done after a prepare OK, it saw exactly num_params
// parameter and num_columns column definitions; decoded definitions and EOFs round-trip.
#include "protocol/ok_err.hpp"
#include "protocol/packet_decoder.hpp"
#include "protocol/prepared.hpp"
#include "protocol/response_tracker.hpp"
#include "protocol/resultset.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;

namespace {

void prepare_ok_round_trip(const StmtPrepareOk& v, std::span<const std::uint8_t> payload, Capabilities caps) {
  Bytes once;
  encode_stmt_prepare_ok(v, caps, once);
  auto again = decode_stmt_prepare_ok(once, caps);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == v);
  // Only the reserved byte (index 9) is not carried by the value.
  FUZZ_CHECK(once.size() == payload.size());
  for (std::size_t i = 0; i < once.size(); ++i) FUZZ_CHECK(i == 9 || once[i] == payload[i]);
}

void definition_round_trip(std::span<const std::uint8_t> payload) {
  auto col = decode_column_definition(payload);
  if (!col) return;
  Bytes once;
  encode_column_definition(*col, once);
  auto again = decode_column_definition(once);
  FUZZ_CHECK(again.has_value() && *again == *col);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const Capabilities caps{in.u32()};
  const auto stream = in.rest();

  PacketDecoder decoder(1u << 20);
  decoder.expect_seq(1);
  decoder.feed(stream);
  ResponseTracker tracker;
  tracker.start(Command::kStmtPrepare, caps);

  std::optional<StmtPrepareOk> ok;
  std::size_t params = 0;
  std::size_t columns = 0;
  for (bool first = true; !tracker.done(); first = false) {
    auto next = decoder.next();
    if (!next || !*next) break;
    const auto payload = (*next)->payload;
    const PacketKind kind = tracker.on_packet(payload, payload.size());
    if (first) {
      if (auto v = decode_stmt_prepare_ok(payload, caps)) {
        FUZZ_CHECK(kind == PacketKind::kPrepareOk);
        FUZZ_CHECK(tracker.prepared().has_value());
        FUZZ_CHECK(tracker.prepared()->statement_id == v->statement_id);
        FUZZ_CHECK(tracker.prepared()->num_params == v->num_params);
        FUZZ_CHECK(tracker.prepared()->num_columns == v->num_columns);
        prepare_ok_round_trip(*v, payload, caps);
        ok = *v;
      } else if (kind == PacketKind::kErr) {
        FUZZ_CHECK(tracker.done() && tracker.ended_with_error());
      }
    }
    switch (kind) {
      case PacketKind::kParameterDefinition:
        ++params;
        definition_round_trip(payload);
        break;
      case PacketKind::kColumnDefinition:
        ++columns;
        definition_round_trip(payload);
        break;
      case PacketKind::kMetadataEof:
        if (auto eof = decode_eof(payload, caps)) {
          Bytes once;
          encode_eof(*eof, caps, once);
          FUZZ_CHECK(mysqlproxy::fuzz::same_bytes(once, payload));
        }
        break;
      default: break;
    }
    decoder.consume();
    if (kind == PacketKind::kUnexpected) break;
  }
  if (tracker.done() && !tracker.ended_with_error()) {
    FUZZ_CHECK(tracker.prepared().has_value());
    FUZZ_CHECK(params == tracker.prepared()->num_params);
    FUZZ_CHECK(columns == tracker.prepared()->num_columns);
    if (ok) FUZZ_CHECK(ok->num_params == params && ok->num_columns == columns);
  }
  return 0;
}
