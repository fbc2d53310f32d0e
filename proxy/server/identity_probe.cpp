#include "proxy/server/identity_probe.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "protocol/handshake.hpp"
#include "proxy/net/asio.hpp"
#include "proxy/net/deadline.hpp"
#include "proxy/net/packet_stream.hpp"
#include "proxy/backend/extended_caps.hpp"

namespace mysqlproxy::proxy {
namespace {

awaitable<void> read_greeting(const config::BackendConfig& backend, std::chrono::milliseconds timeout,
                              std::optional<protocol::InitialHandshakeV10>& out) {
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
  out = std::move(*greeting);
  stream.close();
}

}  // namespace

void probe_identity(const config::Config& cfg, ServerIdentityCell& identity) {
  ServerIdentity id;
  if (!cfg.server_version.empty()) id.version = cfg.server_version;
  // Every backend, at once: the primary gives the version, and all of them the extended
  // capabilities the proxy may present.
  std::vector<std::optional<protocol::InitialHandshakeV10>> greetings(cfg.backends.size());
  asio::io_context io(1);
  for (std::size_t i = 0; i < cfg.backends.size(); ++i) {
    asio::co_spawn(io, read_greeting(cfg.backends[i], cfg.timeouts.connect, greetings[i]), asio::detached);
  }
  io.run();
  const config::BackendConfig* primary = config::primary_backend(cfg);
  for (std::size_t i = 0; i < cfg.backends.size(); ++i) {
    if (!greetings[i]) continue;
    const protocol::InitialHandshakeV10& g = *greetings[i];
    note_extended_caps(id.extended_caps, cfg.backends[i].name, g.mariadb_extended_capabilities);
    if (&cfg.backends[i] != primary) continue;
    id.collation = g.character_set;
    id.backend_caps = g.capabilities;
    if (cfg.server_version.empty()) id.version = g.server_version;
  }
  if (primary && std::none_of(id.extended_caps.begin(), id.extended_caps.end(),
                              [&](const BackendExtendedCaps& b) { return b.backend == primary->name; })) {
    spdlog::warn("primary '{}' not reachable at start-up; presenting version '{}' until it is", primary->name, id.version);
  }
  identity.set(std::move(id));
}

}  // namespace mysqlproxy::proxy
