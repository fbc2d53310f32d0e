#include "proxy/backend/backend_command.hpp"

#include "protocol/command.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "protocol/constants.hpp"
#include "protocol/wire_reader.hpp"

namespace mysqlproxy::proxy {

awaitable<BackendCommandResult> run_backend_command(BackendConnection& backend, std::span<const std::uint8_t> payload) {
  BackendCommandResult result;
  auto& stream = backend.stream();
  protocol::ResponseTracker tracker;
  tracker.start(payload, backend.caps());
  if (auto ec = co_await stream.write_packet(payload, 0)) {
    result.ec = ec;
    co_return result;
  }
  while (!tracker.done()) {
    auto packet = co_await stream.read_packet();
    if (!packet) {
      result.ec = packet.error();
      co_return result;
    }
    const auto kind = tracker.on_packet(packet->payload, packet->payload.size());
    if (kind == protocol::PacketKind::kUnexpected || kind == protocol::PacketKind::kLocalInfileRequest) {
      result.ec = protocol::ProtocolErrc::kUnexpectedPacket;  // the proxy never asks for files
      co_return result;
    }
    if (kind == protocol::PacketKind::kErr) result.error_packet.assign(packet->payload.begin(), packet->payload.end());
    if (kind == protocol::PacketKind::kRow && !result.first_value && !packet->payload.empty() &&
        packet->payload[0] != 0xfb) {
      protocol::WireReader r(packet->payload);
      const auto value = r.lenenc_str();
      if (r.ok()) result.first_value = std::string(value);
    }
  }
  result.status = tracker.status();
  result.prepared = tracker.prepared();
  if (result.status) backend.set_status(*result.status);
  co_return result;
}

awaitable<error_code> close_displaced_statements(BackendConnection& backend) {
  std::vector<std::uint8_t> payload;
  for (const std::uint32_t id : backend.statements().take_displaced()) {
    payload.clear();
    protocol::encode_com_stmt_close(id, payload);
    if (auto ec = co_await backend.stream().write_packet(payload, 0)) co_return ec;
  }
  co_return error_code{};
}

}  // namespace mysqlproxy::proxy
