#include "protocol/prepared.hpp"

#include "protocol/constants.hpp"
#include "protocol/wire_reader.hpp"
#include "protocol/wire_writer.hpp"

namespace mysqlproxy::protocol {

Result<StmtPrepareOk> decode_stmt_prepare_ok(std::span<const std::uint8_t> payload, Capabilities caps) {
  WireReader r(payload);
  const std::uint8_t status = r.u8();
  if (!r.ok()) return r.error();
  if (status != kOkHeader) return ProtocolErrc::kUnexpectedPacket;  // an ERR is decoded by the caller
  StmtPrepareOk v;
  v.statement_id = r.u32();
  v.num_columns = r.u16();
  v.num_params = r.u16();
  r.skip(1);  // reserved
  v.warnings = r.u16();
  if (caps.has(kClientOptionalResultsetMetadata) && !r.empty()) v.metadata_follows = r.u8();
  if (auto ec = r.check_finished()) return ec;
  return v;
}

void encode_stmt_prepare_ok(const StmtPrepareOk& v, Capabilities caps, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(kOkHeader);
  w.u32(v.statement_id);
  w.u16(v.num_columns);
  w.u16(v.num_params);
  w.u8(0);
  w.u16(v.warnings);
  if (caps.has(kClientOptionalResultsetMetadata) && v.metadata_follows) w.u8(*v.metadata_follows);
}

}  // namespace mysqlproxy::protocol
