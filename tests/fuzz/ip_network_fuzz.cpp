// Fuzz target: IP addresses and networks as the config names them (config/network:
// limits.login_throttle_exempt), and contains(), which the login throttle asks of every peer.
//
// Input: [16 bytes: an address to test, IPv6 byte order][text...].
// Invariants: what parses is made of hex digits, '.', ':' and '/' only, keeps its text, has a
// prefix of at most 128 (96 and more for an address written as IPv4, which is kept as
// ::ffff:a.b.c.d) and no host bits set; it contains its own address, and contains() agrees with
// a bit-by-bit comparison of the first `prefix` bits; printed back (inet_ntop and the prefix) it
// parses to the same network. An address that parses alone is a /128 (or /32) network of itself.
#include <arpa/inet.h>

#include <string>

#include "config/network.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::config;

namespace {

bool bit(const IpBytes& a, unsigned i) { return ((a[i / 8] >> (7 - i % 8)) & 1) != 0; }

bool same_prefix(const IpBytes& a, const IpBytes& b, unsigned prefix) {
  for (unsigned i = 0; i < prefix; ++i) {
    if (bit(a, i) != bit(b, i)) return false;
  }
  return true;
}

bool allowed_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':' ||
         c == '/';
}

std::string printed(const IpNetwork& n) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_ipv4_mapped(n.address) && n.prefix >= 96) {
    ::inet_ntop(AF_INET, n.address.data() + 12, buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(n.prefix - 96);
  }
  ::inet_ntop(AF_INET6, n.address.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(n.prefix);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  IpBytes probe{};
  for (auto& b : probe) b = in.u8();
  const std::string_view text = mysqlproxy::fuzz::view_of(in.rest());

  const auto network = parse_ip_network(text);
  const auto address = parse_ip_address(text);
  if (address) {
    FUZZ_CHECK(network.has_value());
    FUZZ_CHECK(network->address == *address);
    FUZZ_CHECK(network->prefix == 128);
  }
  if (!network) return 0;

  for (char c : text) FUZZ_CHECK(allowed_char(c));
  FUZZ_CHECK(network->text == text);
  FUZZ_CHECK(network->prefix <= 128);
  const std::string_view written = text.substr(0, text.find('/'));
  FUZZ_CHECK(parse_ip_address(written).has_value());
  if (written.find(':') == std::string_view::npos) {
    FUZZ_CHECK(network->prefix >= 96);
    FUZZ_CHECK(is_ipv4_mapped(network->address));
  }
  for (unsigned i = network->prefix; i < 128; ++i) FUZZ_CHECK(!bit(network->address, i));

  FUZZ_CHECK(contains(*network, network->address));
  FUZZ_CHECK(contains(*network, probe) == same_prefix(probe, network->address, network->prefix));
  IpBytes inside = probe;  // the probe's host bits under the network's own prefix: always inside
  for (unsigned i = 0; i < network->prefix; ++i) {
    const auto mask = static_cast<std::uint8_t>(1u << (7 - i % 8));
    inside[i / 8] = static_cast<std::uint8_t>(bit(network->address, i) ? inside[i / 8] | mask : inside[i / 8] & ~mask);
  }
  FUZZ_CHECK(contains(*network, inside));

  const std::string canonical = printed(*network);
  const auto again = parse_ip_network(canonical);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->address == network->address);
  FUZZ_CHECK(again->prefix == network->prefix);
  return 0;
}
