// Fuzz target: client commands (the command phase), as a client may send them.
//
// Input: [client capabilities: 4 bytes LE][parameter count of the prepared statement][payload...]
// The payload's first byte is the command; every decoder that applies to it runs.
// Invariants: text commands (COM_QUERY, COM_INIT_DB, COM_STMT_PREPARE, COM_FIELD_LIST,
// COM_STMT_FETCH, COM_SET_OPTION) re-encode to the same bytes; COM_CHANGE_USER round-trips as a
// value; the COM_STMT_EXECUTE layout stays inside the packet, and rewriting the statement id (with
// or without injected parameter types) gives a packet whose id, layout, types and values are the
// expected ones.
#include <algorithm>

#include "protocol/command.hpp"
#include "protocol/stmt_execute.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;
using mysqlproxy::fuzz::same_bytes;
using mysqlproxy::fuzz::span_of;

namespace {

template <class Decode, class Encode>
void text_round_trip(std::span<const std::uint8_t> payload, Decode decode, Encode encode) {
  auto v = decode(payload);
  if (!v) return;
  Bytes out;
  encode(*v, out);
  FUZZ_CHECK(same_bytes(out, payload));
}

void stmt_execute(std::span<const std::uint8_t> payload, std::uint16_t num_params) {
  auto header = decode_com_stmt_execute_header(payload);
  auto id = decode_statement_id(payload);
  if (!header) return;  // the proxy reads the layout of COM_STMT_EXECUTE packets only
  FUZZ_CHECK(id.has_value() && *id == header->statement_id);
  auto layout = parse_execute_layout(payload, num_params);
  if (!layout) return;
  FUZZ_CHECK(layout->flags == header->flags);
  if (num_params == 0) {
    FUZZ_CHECK(layout->bound_flag_offset == 0 && !layout->params_bound && layout->types.empty());
  } else {
    FUZZ_CHECK(layout->bound_flag_offset == 10 + (num_params + 7u) / 8u);
    FUZZ_CHECK(layout->bound_flag_offset < payload.size());
    FUZZ_CHECK(layout->params_bound == (payload[layout->bound_flag_offset] == 1));
  }
  if (layout->params_bound) {
    FUZZ_CHECK(layout->types.size() == 2u * num_params);
    FUZZ_CHECK(layout->types.data() == payload.data() + layout->bound_flag_offset + 1);
  } else {
    FUZZ_CHECK(layout->types.empty());
  }

  // Types the backend statement has not seen: one pattern per parameter.
  Bytes types;
  for (std::uint16_t i = 0; i < num_params; ++i) {
    types.push_back(static_cast<std::uint8_t>(0x01 + i % 0x10));
    types.push_back(static_cast<std::uint8_t>(i & 1 ? 0x80 : 0x00));
  }
  const std::uint32_t backend_id = ~header->statement_id;
  const Bytes out = rewrite_execute(payload, *layout, backend_id, types);
  auto out_id = decode_statement_id(out);
  FUZZ_CHECK(out_id.has_value() && *out_id == backend_id);
  auto out_layout = parse_execute_layout(out, num_params);
  FUZZ_CHECK(out_layout.has_value());
  FUZZ_CHECK(out_layout->flags == layout->flags);
  FUZZ_CHECK(out_layout->bound_flag_offset == layout->bound_flag_offset);
  const bool injected = num_params > 0 && !layout->params_bound && !types.empty();
  if (injected) {
    FUZZ_CHECK(out_layout->params_bound);
    FUZZ_CHECK(same_bytes(out_layout->types, types));
    FUZZ_CHECK(out.size() == payload.size() + types.size());
    // Everything after the flag (the values) follows the types unchanged.
    const std::size_t after = layout->bound_flag_offset + 1;
    FUZZ_CHECK(std::equal(payload.begin() + static_cast<std::ptrdiff_t>(after), payload.end(),
                          out.begin() + static_cast<std::ptrdiff_t>(after + types.size())));
  } else {
    FUZZ_CHECK(out.size() == payload.size());
    FUZZ_CHECK(std::equal(payload.begin() + 5, payload.end(), out.begin() + 5));
    FUZZ_CHECK(out_layout->params_bound == layout->params_bound);
    FUZZ_CHECK(same_bytes(out_layout->types, layout->types));
  }
}

void change_user(std::span<const std::uint8_t> payload, Capabilities caps) {
  auto v = decode_com_change_user(payload, caps);
  if (!v) return;
  Bytes once;
  encode_com_change_user(*v, caps, once);
  auto again = decode_com_change_user(once, caps);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *v);
  Bytes twice;
  encode_com_change_user(*again, caps, twice);
  FUZZ_CHECK(twice == once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const Capabilities caps{in.u32()};
  const std::uint16_t num_params = in.u8();
  Bytes payload_copy;  // rewrite_statement_id works in place
  const auto payload = in.rest();
  payload_copy.assign(payload.begin(), payload.end());

  const Command command = command_of(payload);
  FUZZ_CHECK(payload.empty() ? command == Command::kSleep : static_cast<std::uint8_t>(command) == payload[0]);

  text_round_trip(payload, decode_com_query, [](std::string_view s, Bytes& o) { encode_com_query(s, o); });
  text_round_trip(payload, decode_com_init_db, [](std::string_view s, Bytes& o) { encode_com_init_db(s, o); });
  text_round_trip(payload, decode_com_stmt_prepare,
                  [](std::string_view s, Bytes& o) { encode_com_stmt_prepare(s, o); });
  text_round_trip(payload, decode_com_field_list,
                  [](const ComFieldList& v, Bytes& o) { encode_com_field_list(v, o); });
  text_round_trip(payload, decode_com_stmt_fetch,
                  [](const ComStmtFetch& v, Bytes& o) { encode_com_stmt_fetch(v, o); });
  text_round_trip(payload, decode_com_set_option,
                  [](std::uint16_t v, Bytes& o) { encode_com_set_option(v, o); });
  change_user(payload, caps);

  if (auto id = decode_statement_id(payload)) {
    FUZZ_CHECK(payload.size() >= 5);
    rewrite_statement_id(payload_copy, *id + 1);
    auto moved = decode_statement_id(payload_copy);
    FUZZ_CHECK(moved.has_value() && *moved == *id + 1);
    FUZZ_CHECK(std::equal(payload.begin() + 5, payload.end(), payload_copy.begin() + 5));
    if (payload.size() == 5 && command == Command::kStmtClose) {
      Bytes out;
      encode_com_stmt_close(*id, out);
      FUZZ_CHECK(same_bytes(out, payload));
    }
    if (payload.size() == 5 && command == Command::kStmtReset) {
      Bytes out;
      encode_com_stmt_reset(*id, out);
      FUZZ_CHECK(same_bytes(out, payload));
    }
  }
  stmt_execute(payload, num_params);
  return 0;
}
