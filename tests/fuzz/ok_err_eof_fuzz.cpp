// Fuzz target: the generic server replies OK, ERR and EOF, and the session-state changes an OK
// carries (what a backend sends after every statement).
//
// Input: [capabilities: 4 bytes LE][payload...]; every decoder runs on the payload.
// Invariants: decode . encode . decode = decode for OK, ERR and EOF, and for the list of
// session-state changes; every decoded string lies inside the payload; is_eof_packet() only for a
// 0xfe packet; each change's body decodes (or fails) without crashing; make_err_payload() gives
// an ERR that decodes to what it was given.
#include <string>

#include "protocol/ok_err.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;
using mysqlproxy::fuzz::inside;

namespace {

void state_changes(std::string_view changes) {
  auto list = decode_session_state_changes(changes);
  if (!list) return;
  Bytes once;
  encode_session_state_changes(*list, once);
  auto again = decode_session_state_changes(mysqlproxy::fuzz::view_of(once));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *list);
  for (const SessionStateChange& c : *list) {
    FUZZ_CHECK(c.data.data() >= changes.data() && c.data.data() + c.data.size() <= changes.data() + changes.size());
    switch (c.type) {
      case kSessionTrackSystemVariables: (void)decode_session_track_system_variable(c.data); break;
      case kSessionTrackSchema: (void)decode_session_track_schema(c.data); break;
      case kSessionTrackStateChange: (void)decode_session_track_state_change(c.data); break;
      case kSessionTrackGtids: (void)decode_session_track_gtids(c.data); break;
      default: (void)decode_session_track_transaction_state(c.data); break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const Capabilities caps{in.u32()};
  const auto payload = in.rest();

  if (auto ok = decode_ok(payload, caps)) {
    FUZZ_CHECK(ok->header == kOkHeader || ok->header == kEofHeader);
    FUZZ_CHECK(inside(ok->info, payload) && inside(ok->session_state_changes, payload));
    Bytes once;
    encode_ok(*ok, caps, once);
    auto again = decode_ok(once, caps);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *ok);
    Bytes twice;
    encode_ok(*again, caps, twice);
    FUZZ_CHECK(twice == once);
    state_changes(ok->session_state_changes);
  }

  if (auto err = decode_err(payload, caps)) {
    FUZZ_CHECK(inside(err->sql_state, payload) && inside(err->message, payload));
    FUZZ_CHECK(err->sql_state.empty() || err->sql_state.size() == 5);
    Bytes once;
    encode_err(*err, caps, once);
    auto again = decode_err(once, caps);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *err);

    // The proxy's own errors: whatever code, state and message, they decode to what was given.
    const std::string state(err->sql_state.empty() ? std::string_view("HY000") : err->sql_state);
    const Bytes own = make_err_payload(err->code, err->sql_state, err->message);
    auto mine = decode_err(own, Capabilities{kClientProtocol41});
    FUZZ_CHECK(mine.has_value());
    FUZZ_CHECK(mine->code == err->code && mine->sql_state == state && mine->message == err->message);
  }

  if (auto eof = decode_eof(payload, caps)) {
    Bytes once;
    encode_eof(*eof, caps, once);
    FUZZ_CHECK(mysqlproxy::fuzz::same_bytes(once, payload));  // fixed layout: byte for byte
  }

  if (is_eof_packet(payload, payload.size(), caps)) FUZZ_CHECK(payload[0] == kEofHeader);

  // The state-change list on its own, as if it were an OK's whole field.
  state_changes(mysqlproxy::fuzz::view_of(payload));
  return 0;
}
