#pragma once
// Whole answers a scripted backend sends to one command, as payloads (the backend numbers them
// from sequence id 1). They take the shapes the capabilities of ScriptedClient call for, which the
// proxy passes on to its backend connections: protocol 4.1 and CLIENT_DEPRECATE_EOF (a result set
// ends with an OK whose header is 0xfe), no session tracking.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/constants.hpp"
#include "protocol/ok_err.hpp"
#include "protocol/prepared.hpp"
#include "protocol/wire_writer.hpp"
#include "tests/support/packets.hpp"

namespace mysqlproxy::test {

using Answer = std::vector<Bytes>;

inline constexpr std::uint32_t kAnswerCaps =
    protocol::kClientProtocol41 | protocol::kClientTransactions | protocol::kClientDeprecateEof;

// OK to a statement that changed rows.
inline Answer ok_answer(std::uint16_t status = protocol::kServerStatusAutocommit, std::uint64_t affected_rows = 0,
                        std::uint64_t last_insert_id = 0) {
  protocol::OkPacket ok;
  ok.affected_rows = affected_rows;
  ok.last_insert_id = last_insert_id;
  ok.status = status;
  Bytes payload;
  protocol::encode_ok(ok, protocol::Capabilities{kAnswerCaps}, payload);
  return {payload};
}

// A text result set: column count, definitions, rows of short strings, the closing OK (0xfe).
inline Answer text_result(std::initializer_list<std::string_view> columns,
                          std::initializer_list<std::initializer_list<std::string_view>> rows,
                          std::uint16_t status = protocol::kServerStatusAutocommit) {
  Answer out{{static_cast<std::uint8_t>(columns.size())}};
  for (auto name : columns) out.push_back(column_payload(name));
  for (auto row : rows) out.push_back(row_payload(row));
  out.push_back(ok_payload(status, protocol::kEofHeader));
  return out;
}

// A result set of one column and `count` rows "row 0", "row 1", ...: a long answer.
inline Answer numbered_rows(std::size_t count) {
  Answer out{{1}, column_payload("n")};
  for (std::size_t i = 0; i < count; ++i) {
    const std::string value = "row " + std::to_string(i);
    out.push_back(row_payload({value}));
  }
  out.push_back(ok_payload(protocol::kServerStatusAutocommit, protocol::kEofHeader));
  return out;
}

// COM_STMT_PREPARE's answer: the prepare OK with `statement_id`, then a definition for each
// parameter and each column (named "?" and `columns`).
inline Answer prepare_ok_answer(std::uint32_t statement_id, std::uint16_t params,
                                std::initializer_list<std::string_view> columns) {
  protocol::StmtPrepareOk ok;
  ok.statement_id = statement_id;
  ok.num_params = params;
  ok.num_columns = static_cast<std::uint16_t>(columns.size());
  Bytes first;
  protocol::encode_stmt_prepare_ok(ok, protocol::Capabilities{kAnswerCaps}, first);
  Answer out{first};
  for (std::uint16_t i = 0; i < params; ++i) out.push_back(column_payload("?"));
  for (auto name : columns) out.push_back(column_payload(name));
  return out;
}

// A binary result set (COM_STMT_EXECUTE's answer) of one INT column (column_payload's type).
inline Answer binary_int_result(std::string_view column, std::initializer_list<std::int32_t> values) {
  Answer out{{1}, column_payload(column)};
  for (std::int32_t v : values) {
    Bytes row{0x00, 0x00};  // row header, NULL bitmap (one column, offset 2)
    protocol::WireWriter(row).u32(static_cast<std::uint32_t>(v));
    out.push_back(row);
  }
  out.push_back(ok_payload(protocol::kServerStatusAutocommit, protocol::kEofHeader));
  return out;
}

// The answer's first `n` packets: what a backend sent before it died.
inline Answer first_packets(const Answer& answer, std::size_t n) { return {answer.begin(), answer.begin() + n}; }

}  // namespace mysqlproxy::test
