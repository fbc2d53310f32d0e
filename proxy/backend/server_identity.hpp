#pragma once
// What the proxy tells clients about "the server": version string, capabilities and default
// collation. Learned from the backends' greetings (clients adapt their SQL to the version), with
// the config able to override the version.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "protocol/capabilities.hpp"
#include "protocol/handshake.hpp"

namespace mysqlproxy::proxy {

// The MariaDB extended capabilities one backend offered in its last greeting (0 from MySQL).
struct BackendExtendedCaps {
  std::string backend;  // BackendTarget::name: the config name, or "<name>/<address>" when discovered
  std::uint32_t caps = 0;
  bool operator==(const BackendExtendedCaps&) const = default;
};

struct ServerIdentity {
  std::string version = "8.0.36-mysql-proxy";
  std::uint8_t collation = 45;  // utf8mb4_general_ci
  protocol::Capabilities backend_caps{0xffffffffu};
  // Every backend seen so far: a read may go to any of them, so what the proxy presents is what
  // they all offer (proxy/backend/extended_caps.hpp).
  std::vector<BackendExtendedCaps> extended_caps;
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

// MariaDB extended capabilities the proxy can honour. Only extended metadata: it adds a block to
// each column definition, which the relay passes on untouched. Not PROGRESS (progress packets in
// answers), COM_MULTI, STMT_BULK_OPERATIONS (COM_STMT_BULK_EXECUTE would need its statement id
// rewritten) or CACHE_METADATA (result sets without their column definitions).
inline constexpr std::uint32_t kProxyExtendedCaps = protocol::kMariaDbClientExtendedMetadata;

class ServerIdentityCell {
 public:
  ServerIdentityCell() : current_(std::make_shared<const ServerIdentity>()) {}
  [[nodiscard]] std::shared_ptr<const ServerIdentity> get() const { return current_.load(std::memory_order_acquire); }
  void set(ServerIdentity id) { current_.store(std::make_shared<const ServerIdentity>(std::move(id)), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const ServerIdentity>> current_;
};

}  // namespace mysqlproxy::proxy
