#include "proxy/session/relay.hpp"

#include <algorithm>
#include <cstring>

#include "protocol/command.hpp"

namespace mysqlproxy::proxy {
namespace {

constexpr std::size_t kInitialBuffer = 16 * 1024;
// Big enough for any packet the scanner inspects whole, plus room to stream behind it.
constexpr std::size_t kMaxBuffer = 4 * protocol::ResponseScanner::kInspectLimit;

RelayOutcome fail(RelayEnd end, error_code ec, const RelayOutcome& so_far, const protocol::ResponseScanner& scanner) {
  RelayOutcome out = so_far;
  out.end = end;
  out.ec = ec;
  out.at_packet_boundary = scanner.at_packet_boundary();
  out.next_client_seq = scanner.next_seq();
  return out;
}

// Passes the client's LOCAL INFILE data to the backend, up to and including its empty packet.
awaitable<error_code> relay_local_infile(PacketStream& client, BackendConnection& backend,
                                         protocol::ResponseScanner& scanner, WaitWatch& watch, bool& client_side) {
  client.decoder().expect_seq(scanner.next_seq());
  for (;;) {
    watch.begin(WaitingOn::kClient);
    auto packet = co_await client.read_packet();
    watch.end();
    if (!packet) {
      client_side = true;
      co_return packet.error();
    }
    watch.begin(WaitingOn::kBackend);
    const error_code ec = co_await backend.stream().write(packet->wire);
    watch.end();
    if (ec) {
      client_side = false;
      co_return ec;
    }
    if (packet->payload.empty()) {
      scanner.on_local_infile_sent(packet->next_seq);
      co_return error_code{};
    }
  }
}

}  // namespace

awaitable<RelayOutcome> relay_command(PacketStream& client, BackendConnection& backend,
                                      const protocol::Packet& command, protocol::ResponseScanner& scanner,
                                      WaitWatch& watch, bool hold_end, std::optional<std::uint32_t> prepare_id) {
  RelayOutcome outcome;
  scanner.start(command.payload, backend.caps(), command.next_seq);
  watch.begin(WaitingOn::kBackend);
  backend.stream().restart_sequence();  // a new command (compressed links number from 0)
  const error_code sent = co_await backend.stream().write(command.wire);
  watch.end();
  if (sent) co_return fail(RelayEnd::kBackendFailed, sent, outcome, scanner);
  if (scanner.done()) co_return outcome;

  auto& buf = backend.relay_buffer();
  if (buf.size() < kInitialBuffer) buf.resize(kInitialBuffer);
  std::size_t filled = 0;
  auto& from = backend.stream();
  for (;;) {
    const asio::mutable_buffer into(buf.data() + filled, buf.size() - filled);
    watch.begin(WaitingOn::kBackend);
    auto [rec, n] = co_await from.read_some(into);
    watch.end();
    if (rec) co_return fail(RelayEnd::kBackendFailed, rec, outcome, scanner);
    const bool filled_all = filled + n == buf.size();
    filled += n;

    auto scanned = scanner.scan({buf.data(), filled});
    if (!scanned) co_return fail(RelayEnd::kBackendFailed, scanned.error(), outcome, scanner);
    const std::size_t ready = *scanned;
    // The first packet of a prepare's answer is inspected whole, so it is here in full.
    constexpr std::size_t kIdAt = protocol::kFrameHeaderSize + 1;
    if (prepare_id && outcome.forwarded == 0 && ready >= kIdAt + 4 && buf[protocol::kFrameHeaderSize] == protocol::kOkHeader) {
      protocol::rewrite_statement_id(std::span(buf.data() + protocol::kFrameHeaderSize, 5), *prepare_id);
      prepare_id.reset();
    }
    if (hold_end && scanner.done()) {
      outcome.held = ready;
      break;
    }
    if (ready > 0) {
      watch.begin(WaitingOn::kClient);
      const error_code wec = co_await client.write({buf.data(), ready});
      watch.end();
      if (wec) co_return fail(RelayEnd::kClientFailed, wec, outcome, scanner);
      outcome.forwarded += ready;
      filled -= ready;
      if (filled > 0) std::memmove(buf.data(), buf.data() + ready, filled);
    }
    if (scanner.done()) break;
    if (scanner.awaiting_local_infile()) {
      bool client_side = false;
      if (auto ec = co_await relay_local_infile(client, backend, scanner, watch, client_side)) {
        co_return fail(client_side ? RelayEnd::kClientFailed : RelayEnd::kBackendFailed, ec, outcome, scanner);
      }
    }
    // A large answer streams: read it in bigger bites. A partial packet that fills the buffer
    // must fit whole before the scanner can inspect it.
    if ((filled_all || filled == buf.size()) && buf.size() < kMaxBuffer) buf.resize(std::min(buf.size() * 2, kMaxBuffer));
  }
  outcome.next_client_seq = scanner.next_seq();
  co_return outcome;
}

awaitable<error_code> send_held(PacketStream& client, BackendConnection& backend, std::size_t held, WaitWatch& watch) {
  if (held == 0) co_return error_code{};
  watch.begin(WaitingOn::kClient);
  const error_code ec = co_await client.write({backend.relay_buffer().data(), held});
  watch.end();
  co_return ec;
}

}  // namespace mysqlproxy::proxy
