#pragma once
// The address a connected socket's peer has, as the throttle and the admin API's loopback rule
// compare it: IPv4 as IPv4-mapped IPv6.
#include <optional>

#include "config/network.hpp"
#include "proxy/net/asio.hpp"

namespace mysqlproxy::proxy {

// nullopt when the socket has no peer any more.
[[nodiscard]] std::optional<config::IpBytes> peer_address_of(const tcp::socket& socket);

}  // namespace mysqlproxy::proxy
