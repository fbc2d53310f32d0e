#include "config/network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace mysqlproxy::config {
namespace {

// Clears every bit after the first `prefix`.
void mask(IpBytes& bytes, unsigned prefix) noexcept {
  for (unsigned i = 0; i < bytes.size(); ++i) {
    const unsigned first_bit = i * 8;
    if (prefix >= first_bit + 8) continue;
    const unsigned keep = prefix > first_bit ? prefix - first_bit : 0;
    bytes[i] = static_cast<std::uint8_t>(bytes[i] & (keep == 0 ? 0 : 0xff << (8 - keep)));
  }
}

}  // namespace

IpBytes ipv4_mapped(const std::array<std::uint8_t, 4>& v4) noexcept {
  IpBytes out{};
  out[10] = 0xff;
  out[11] = 0xff;
  std::memcpy(out.data() + 12, v4.data(), 4);
  return out;
}

bool is_ipv4_mapped(const IpBytes& address) noexcept {
  for (int i = 0; i < 10; ++i) {
    if (address[i] != 0) return false;
  }
  return address[10] == 0xff && address[11] == 0xff;
}

std::optional<IpBytes> parse_ip_address(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;  // INET6_ADDRSTRLEN - 1
  // inet_pton reads up to a NUL: "10.0.0.1\0anything" would pass as 10.0.0.1.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string s(text);
  std::array<std::uint8_t, 4> v4{};
  if (::inet_pton(AF_INET, s.c_str(), v4.data()) == 1) return ipv4_mapped(v4);
  IpBytes v6{};
  if (::inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) return v6;
  return std::nullopt;
}

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
  const std::size_t slash = text.find('/');
  auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  // An IPv4 address written as such counts its prefix on 32 bits.
  const bool written_v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  const unsigned max_prefix = written_v4 ? 32 : 128;
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc{} || end != digits.data() + digits.size() || prefix > max_prefix) return std::nullopt;
  }
  IpNetwork network;
  network.prefix = static_cast<std::uint8_t>(written_v4 ? prefix + 96 : prefix);
  network.address = *address;
  mask(network.address, network.prefix);
  network.text = std::string(text);
  return network;
}

bool contains(const IpNetwork& network, const IpBytes& address) noexcept {
  IpBytes masked = address;
  mask(masked, network.prefix);
  return masked == network.address;
}

}  // namespace mysqlproxy::config
