#pragma once
// IP addresses and networks as the config names them ("10.1.2.3", "10.0.0.0/8", "2001:db8::/32"):
// parsed once, compared as bytes. IPv4 addresses are kept as IPv4-mapped IPv6 (::ffff:a.b.c.d),
// so one comparison covers a dual-stack listener's peers too.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mysqlproxy::config {

using IpBytes = std::array<std::uint8_t, 16>;  // IPv6 byte order; IPv4 as ::ffff:a.b.c.d

struct IpNetwork {
  IpBytes address{};          // host bits cleared
  std::uint8_t prefix = 128;  // bits that must match, counted on the 16-byte form
  std::string text;           // as written in the config
};

// "a.b.c.d", "a.b.c.d/n" (n 0..32), an IPv6 address, or one with "/n" (n 0..128). nullopt if it is
// none of these.
std::optional<IpNetwork> parse_ip_network(std::string_view text);
// An address in text form (no prefix), IPv4 or IPv6.
std::optional<IpBytes> parse_ip_address(std::string_view text);
// IPv4 bytes a.b.c.d as ::ffff:a.b.c.d.
IpBytes ipv4_mapped(const std::array<std::uint8_t, 4>& v4) noexcept;
[[nodiscard]] bool is_ipv4_mapped(const IpBytes& address) noexcept;
[[nodiscard]] bool contains(const IpNetwork& network, const IpBytes& address) noexcept;

}  // namespace mysqlproxy::config
