#include "proxy/health/discovery.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <memory>

namespace mysqlproxy::proxy {

std::uint32_t EndpointIds::id_for(const EndpointKey& key) {
  auto [it, added] = ids_.try_emplace(key, next_);
  if (added) ++next_;
  return it->second;
}

bool is_ip_address(std::string_view text) {
  std::string s(text);
  std::array<unsigned char, sizeof(in6_addr)> buf{};
  return inet_pton(AF_INET, s.c_str(), buf.data()) == 1 ||
         inet_pton(AF_INET6, s.c_str(), buf.data()) == 1;
}

std::vector<std::string> choose_addresses(std::vector<std::string> resolved) {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  for (std::string& a : resolved) {
    (a.find(':') == std::string::npos ? v4 : v6).push_back(std::move(a));
  }
  std::vector<std::string> chosen = v4.empty() ? std::move(v6) : std::move(v4);
  std::ranges::sort(chosen);
  auto dup = std::ranges::unique(chosen);
  chosen.erase(dup.begin(), dup.end());
  return chosen;
}

std::string endpoint_name(std::string_view backend, std::string_view address, std::size_t sharing) {
  std::string name(backend);
  if (sharing == 1) return name;
  return name + "/" + std::string(address);
}

std::size_t name_sharing(bool vanished, std::size_t live, std::size_t vanished_count) {
  if (!vanished) return live;
  return live == 0 ? vanished_count : 0;
}

DiscoveryPlan plan_discovery(std::string_view backend, std::uint16_t port,
                             std::span<const EndpointKey> current,
                             std::span<const std::string> addresses) {
  DiscoveryPlan plan;
  if (addresses.empty()) return plan;
  std::vector<EndpointKey> wanted;
  for (const std::string& a : addresses) wanted.push_back({std::string(backend), a, port});

  std::vector<EndpointKey> unresolved;  // still keyed by host name; adopted rather than replaced
  for (const EndpointKey& c : current) {
    if (std::ranges::find(wanted, c) != wanted.end()) continue;
    if (c.port == port && !is_ip_address(c.address)) {
      unresolved.push_back(c);
    } else {
      plan.removed.push_back(c);
    }
  }
  for (const EndpointKey& w : wanted) {
    if (std::ranges::find(current, w) != current.end()) continue;
    if (!unresolved.empty()) {
      plan.rekeyed.push_back({std::move(unresolved.back()), w});
      unresolved.pop_back();
    } else {
      plan.added.push_back(w);
    }
  }
  for (EndpointKey& u : unresolved) plan.removed.push_back(std::move(u));
  return plan;
}

Resolution resolve_host(const std::string& host) {
  Resolution out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw); rc != 0) {
    out.error = gai_strerror(rc);
    return out;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(raw, &freeaddrinfo);
  std::vector<std::string> found;
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    const void* addr = nullptr;
    if (ai->ai_family == AF_INET) {
      addr = &reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr;
    } else if (ai->ai_family == AF_INET6) {
      addr = &reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr;
    } else {
      continue;
    }
    if (inet_ntop(ai->ai_family, addr, text.data(), text.size()) != nullptr) {
      found.emplace_back(text.data());
    }
  }
  out.addresses = choose_addresses(std::move(found));
  if (out.addresses.empty()) out.error = "no addresses";
  return out;
}

}  // namespace mysqlproxy::proxy
