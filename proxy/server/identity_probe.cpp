#include "proxy/server/identity_probe.hpp"

#include <spdlog/spdlog.h>

#include "protocol/handshake.hpp"
#include "proxy/net/asio.hpp"
#include "proxy/net/deadline.hpp"
#include "proxy/net/packet_stream.hpp"

namespace mysqlproxy::proxy {
namespace {

awaitable<void> read_greeting(const config::BackendConfig& backend, std::chrono::milliseconds timeout,
                              ServerIdentity& out, bool& found) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(backend.host, std::to_string(backend.port), kUseTuple);
  if (rec) co_return;
  PacketStream stream(tcp::socket(ex), 1 << 20);
  Deadline deadline(ex, stream.socket());
  deadline.arm(timeout);
  auto [cec, ep] = co_await asio::async_connect(stream.socket(), endpoints, kUseTuple);
  (void)ep;
  if (cec) co_return;
  auto packet = co_await stream.read_packet();
  if (!packet) co_return;
  auto greeting = protocol::decode_initial_handshake(packet->payload);
  if (!greeting) co_return;
  out.version = greeting->server_version;
  out.collation = greeting->character_set;
  out.backend_caps = greeting->capabilities;
  found = true;
  stream.close();
}

}  // namespace

void probe_identity(const config::Config& cfg, ServerIdentityCell& identity) {
  ServerIdentity id;
  if (!cfg.server_version.empty()) id.version = cfg.server_version;
  const config::BackendConfig* primary = config::primary_backend(cfg);
  bool found = false;
  if (primary) {
    asio::io_context io(1);
    ServerIdentity probed;
    asio::co_spawn(io, read_greeting(*primary, cfg.timeouts.connect, probed, found), asio::detached);
    io.run();
    if (found) {
      id.collation = probed.collation;
      id.backend_caps = probed.backend_caps;
      if (cfg.server_version.empty()) id.version = probed.version;
    } else {
      spdlog::warn("primary '{}' not reachable at start-up; presenting version '{}' until it is", primary->name, id.version);
    }
  }
  identity.set(std::move(id));
}

}  // namespace mysqlproxy::proxy
