#include "proxy/health/backend_users.hpp"

#include <algorithm>

#include <boost/asio/ip/address.hpp>

#include "protocol/auth.hpp"

namespace mysqlproxy::proxy {
namespace {

bool is_loopback(std::string_view ip) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(ip), ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

// SQL LIKE with % and _ (no escapes: host names have none), case-insensitive.
bool like(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star_p = std::string_view::npos, star_t = 0;
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '_' || lower(pattern[p]) == lower(text[t]))) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star_p = p++;
      star_t = t;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

std::optional<std::uint32_t> ipv4(std::string_view text) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address_v4(std::string(text), ec);
  if (ec) return std::nullopt;
  return a.to_uint();
}

}  // namespace

bool host_matches(std::string_view pattern, std::string_view client_ip) {
  if (pattern == "%" || pattern.empty()) return true;
  if (pattern == "localhost" || pattern == "127.0.0.1" || pattern == "::1") return is_loopback(client_ip);
  // An IPv4 client of a dual-stack listener reads ::ffff:a.b.c.d.
  std::string_view ip = client_ip;
  if (ip.starts_with("::ffff:") && ip.find('.') != std::string_view::npos) ip.remove_prefix(7);
  if (const auto slash = pattern.find('/'); slash != std::string_view::npos) {
    const auto net = ipv4(pattern.substr(0, slash));
    const auto mask = ipv4(pattern.substr(slash + 1));
    const auto addr = ipv4(ip);
    return net && mask && addr && (*addr & *mask) == *net;
  }
  return like(pattern, ip);
}

int host_specificity(std::string_view pattern) {
  if (pattern == "%" || pattern.empty()) return 0;
  const auto wildcard = pattern.find_first_of("%_");
  if (wildcard == std::string_view::npos) return 1000 + static_cast<int>(pattern.size());
  return 1 + static_cast<int>(wildcard);  // the longer the literal prefix, the more specific
}

std::optional<BackendAccount> find_account(const BackendUsers& users, std::string_view user,
                                           std::string_view client_ip) {
  const BackendAccount* best = nullptr;
  for (const auto& a : users.accounts) {
    if (a.user != user || !host_matches(a.host, client_ip)) continue;
    if (best == nullptr || host_specificity(a.host) > host_specificity(best->host)) best = &a;
  }
  if (best == nullptr) return std::nullopt;
  // The server would use this account: if its plugin is one the proxy can't check, refuse
  // rather than fall back to a less specific account with other rights.
  const bool native = best->plugin == protocol::kMysqlNativePassword || best->plugin.empty();
  const bool no_password = best->auth_string.empty();
  if (!native || (!no_password && !protocol::parse_native_password_hash(best->auth_string))) return std::nullopt;
  return *best;
}

config::UserConfig user_config_of(const BackendAccount& account) {
  config::UserConfig user;
  user.name = account.user;
  user.password = account.auth_string;
  user.password_is_hash = !account.auth_string.empty();
  user.auth_plugin = config::AuthPlugin::kNativePassword;
  return user;
}

}  // namespace mysqlproxy::proxy
