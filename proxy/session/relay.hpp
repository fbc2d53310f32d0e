#pragma once
// relay_command: forwards one client command to a backend and streams the answer back in bulk,
// reading packet boundaries only (ResponseScanner), until the answer is complete.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "protocol/packet_decoder.hpp"
#include "protocol/response_scanner.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/net/packet_stream.hpp"
#include "proxy/session/wait_watch.hpp"

namespace mysqlproxy::proxy {

enum class RelayEnd : std::uint8_t {
  kDone,           // the whole answer reached the client
  kClientFailed,   // the client went away or sent garbage (LOCAL INFILE data)
  kBackendFailed,  // the backend connection broke or answered out of protocol
};

struct RelayOutcome {
  RelayEnd end = RelayEnd::kDone;
  error_code ec;
  std::size_t forwarded = 0;       // bytes of the answer already sent to the client
  bool at_packet_boundary = true;  // the client holds whole packets only: an ERR may follow
  std::uint8_t next_client_seq = 0;
  std::size_t held = 0;            // with hold_end: bytes of the answer's end not yet sent
};

// `command` is the client's packet as read (its wire bytes are forwarded unchanged); `scanner`
// is left holding the final state of the answer (status flags, prepared statement info).
// `hold_end`: the last stretch of the answer stays at the start of the backend's relay buffer
// (outcome.held bytes) for the caller to send with send_held(), so it can act before the client
// learns the command is done. `prepare_id`: the statement id written into a COM_STMT_PREPARE
// answer in place of the backend's, so the client sees the session's own id. `watch` is told what
// each wait is on, for the stall timeouts.
awaitable<RelayOutcome> relay_command(PacketStream& client, BackendConnection& backend,
                                      const protocol::Packet& command, protocol::ResponseScanner& scanner,
                                      WaitWatch& watch, bool hold_end = false,
                                      std::optional<std::uint32_t> prepare_id = {});
awaitable<error_code> send_held(PacketStream& client, BackendConnection& backend, std::size_t held, WaitWatch& watch);

}  // namespace mysqlproxy::proxy
