#pragma once
// Discovery: a backend whose host name resolves to several addresses (a Kubernetes headless
// Service) is checked and published as one endpoint per address, named "<name>/<address>"; a host
// with one address keeps its plain name. Names are resolved again every discovery_interval.
//
// The planning is pure (plan_discovery, endpoint_name, choose_addresses, EndpointIds); only
// resolve_host() does I/O (getaddrinfo).
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlproxy::proxy {

// One checked server: a configured backend at one address.
struct EndpointKey {
  std::string backend;  // the config name
  std::string address;  // an IP address, or the configured host before it was first resolved
  std::uint16_t port = 3306;

  auto operator<=>(const EndpointKey&) const = default;
};

// Stable ids for the life of the process: the same key always gets the same id, so pools keyed
// by id survive a backend leaving and coming back. Not thread-safe.
class EndpointIds {
 public:
  std::uint32_t id_for(const EndpointKey& key);
  // Gives `key` the id `id` already has (an endpoint re-keyed from its host name to its address).
  void alias(const EndpointKey& key, std::uint32_t id) { ids_.insert_or_assign(key, id); }

 private:
  std::map<EndpointKey, std::uint32_t> ids_;
  std::uint32_t next_ = 0;
};

// What getaddrinfo returned, reduced to what is checked: the IPv4 addresses if there are any
// (a dual-stack name would otherwise count every server twice), else the IPv6 ones; without
// duplicates, sorted so the order is stable from one resolution to the next.
std::vector<std::string> choose_addresses(std::vector<std::string> resolved);

// The published name: the plain config name when the endpoint has that name to itself
// (`sharing` == 1), else "<name>/<address>".
std::string endpoint_name(std::string_view backend, std::string_view address, std::size_t sharing);

// How many endpoints share a backend's plain name, seen from one of them: a live endpoint shares
// it with the backend's live ones; a vanished (DRAINING) one only competes when nothing of its
// backend is live any more (a backend removed from the config keeps its name while it drains).
std::size_t name_sharing(bool vanished, std::size_t live, std::size_t vanished_count);

struct DiscoveryPlan {
  struct Rekey {
    EndpointKey from;  // an endpoint still named by its unresolved host
    EndpointKey to;    // ... now known by its address: same endpoint, same id and state
  };
  std::vector<Rekey> rekeyed;
  std::vector<EndpointKey> added;    // new addresses: start DOWN, join after passing checks
  std::vector<EndpointKey> removed;  // vanished: DRAINING for one interval, then dropped
};

// One backend's live endpoints (`current`) against the addresses its host resolves to now.
// An empty `addresses` (resolution failed or found nothing) changes nothing: a DNS hiccup must
// not empty the pool.
DiscoveryPlan plan_discovery(std::string_view backend, std::uint16_t port,
                             std::span<const EndpointKey> current,
                             std::span<const std::string> addresses);

// True if `text` is an IPv4 or IPv6 address literal.
bool is_ip_address(std::string_view text);

struct Resolution {
  std::vector<std::string> addresses;  // as choose_addresses() leaves them
  std::string error;                   // set when resolution failed
};

// getaddrinfo (blocking; runs on the monitor's discovery thread).
Resolution resolve_host(const std::string& host);

}  // namespace mysqlproxy::proxy
