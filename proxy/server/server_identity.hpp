#pragma once
// What the proxy tells clients about "the server": version string, capabilities and default
// collation. Learned from the backends' greetings (clients adapt their SQL to the version), with
// the config able to override the version.
#include <atomic>
#include <memory>
#include <string>

#include "protocol/capabilities.hpp"

namespace mysqlproxy::proxy {

struct ServerIdentity {
  std::string version = "8.0.36-mysql-proxy";
  std::uint8_t collation = 45;  // utf8mb4_general_ci
  protocol::Capabilities backend_caps{0xffffffffu};
};

// Capabilities the proxy relays from the backends to clients. CLIENT_SSL and compression are not
// among them: they are the proxy's own, offered by the handshake from the config, and never asked
// of backends on a client's behalf. No query attributes or optional metadata: advertising them
// would be a promise the relay can't keep.
inline constexpr std::uint32_t kProxyServerCaps =
    protocol::kClientLongPassword | protocol::kClientFoundRows | protocol::kClientLongFlag |
    protocol::kClientConnectWithDb | protocol::kClientNoSchema | protocol::kClientOdbc |
    protocol::kClientLocalFiles | protocol::kClientIgnoreSpace | protocol::kClientProtocol41 |
    protocol::kClientInteractive | protocol::kClientTransactions | protocol::kClientSecureConnection |
    protocol::kClientMultiStatements | protocol::kClientMultiResults | protocol::kClientPsMultiResults |
    protocol::kClientPluginAuth | protocol::kClientConnectAttrs | protocol::kClientPluginAuthLenencClientData |
    protocol::kClientSessionTrack | protocol::kClientDeprecateEof | protocol::kClientIgnoreSigpipe;

class ServerIdentityCell {
 public:
  ServerIdentityCell() : current_(std::make_shared<const ServerIdentity>()) {}
  [[nodiscard]] std::shared_ptr<const ServerIdentity> get() const { return current_.load(std::memory_order_acquire); }
  void set(ServerIdentity id) { current_.store(std::make_shared<const ServerIdentity>(std::move(id)), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const ServerIdentity>> current_;
};

}  // namespace mysqlproxy::proxy
