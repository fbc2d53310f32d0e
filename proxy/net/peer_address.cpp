#include "proxy/net/peer_address.hpp"

namespace mysqlproxy::proxy {

std::optional<config::IpBytes> peer_address_of(const tcp::socket& socket) {
  error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return std::nullopt;
  const auto address = endpoint.address();
  if (address.is_v4()) return config::ipv4_mapped(address.to_v4().to_bytes());
  return address.to_v6().to_bytes();
}

}  // namespace mysqlproxy::proxy
