#pragma once
// LoginThrottle: failed logins counted per source address; a source with `max_failures` failures
// within `window` is blocked for `block`, and its connections are refused before the greeting
// (ERR 1129). Pure: the caller passes the time, so tests drive a clock of their own. Thread-safe
// (one short lock per call; a proxy with no recorded failures takes none).
//
// Sources: an IPv4 address, or an IPv6 /64 (one host usually owns a whole /64, so counting single
// IPv6 addresses would let it try from a fresh one each time).
//
// Memory is bounded: at most `capacity` sources are tracked. A full table first drops sources
// whose failures and block have expired, then the least recently failed source that is not
// blocked (the least recently failed one if every source is blocked). That costs no walk of the
// table, whose lock every failed login takes: sources are kept in two lists in the order they
// last failed, the ones blocked then and the others, so the candidates are at the lists' fronts,
// and blocks are indexed by their end. A failure adds O(1) work plus O(log n) per source dropped.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "config/network.hpp"

namespace mysqlproxy::proxy {

using SourceKey = config::IpBytes;

// The source an address counts as: IPv4 (and IPv4-mapped IPv6) as is, other IPv6 cut to /64.
SourceKey source_key(const config::IpBytes& address) noexcept;
// "10.0.0.7", "2001:db8:1:2::/64".
std::string source_text(const SourceKey& source);

struct ThrottlePolicy {
  std::uint32_t max_failures = 10;  // 0 = off: nothing is counted, nobody is blocked
  std::chrono::milliseconds window = std::chrono::seconds(60);
  std::chrono::milliseconds block = std::chrono::seconds(60);
};
ThrottlePolicy throttle_policy(const config::LimitsConfig& limits) noexcept;

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kDefaultCapacity = 16384;

  explicit LoginThrottle(std::size_t capacity = kDefaultCapacity);
  LoginThrottle(const LoginThrottle&) = delete;
  LoginThrottle& operator=(const LoginThrottle&) = delete;

  // How much longer `source` is blocked; nullopt when it may try to log in. A policy that is off
  // blocks nobody (a reload that turns the throttle off lifts every block).
  [[nodiscard]] std::optional<Clock::duration> blocked_for(const SourceKey& source, Clock::time_point now,
                                                          const ThrottlePolicy& policy) const;
  // A failed login from `source`. True when this failure blocks it (the policy's max_failures-th
  // within the window); failures of a source already blocked are not counted again.
  bool record_failure(const SourceKey& source, Clock::time_point now, const ThrottlePolicy& policy);
  // Lifts every block and forgets every failure (the operator's "flush hosts"); how many
  // sources were tracked.
  std::size_t clear();

  struct SourceState {
    SourceKey source{};
    std::uint32_t failures = 0;                  // within the window
    std::optional<Clock::duration> blocked_for;  // set while blocked
  };
  // Every tracked source that still matters at `now`, blocked ones first.
  [[nodiscard]] std::vector<SourceState> sources(Clock::time_point now, const ThrottlePolicy& policy) const;
  struct Counts {
    std::size_t tracked = 0;
    std::size_t blocked = 0;
  };
  [[nodiscard]] Counts counts(Clock::time_point now, const ThrottlePolicy& policy) const;
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  // Sources a full table looked at to make room, since construction: the eviction's whole cost,
  // for tests to bound.
  [[nodiscard]] std::uint64_t eviction_steps() const;

 private:
  struct Entry;
  using Table = std::list<Entry>;  // front: least recently failed
  using BlockEnds = std::multimap<Clock::time_point, Table::iterator>;
  struct Entry {
    SourceKey source{};
    std::vector<Clock::time_point> failures;  // oldest first, all within the window when last pruned
    Clock::time_point blocked_until{};
    bool in_blocked = false;       // in blocked_ (blocked when it last failed), else in open_
    BlockEnds::iterator block_end;  // its place in block_ends_, while in_blocked
  };
  struct KeyHash {
    std::size_t operator()(const SourceKey& k) const noexcept;
  };

  static void prune(Entry& e, Clock::time_point now, const ThrottlePolicy& policy);
  static std::uint32_t recent_failures(const Entry& e, Clock::time_point now, const ThrottlePolicy& policy);
  static bool expired(const Entry& e, Clock::time_point now, const ThrottlePolicy& policy);
  void make_room(Clock::time_point now, const ThrottlePolicy& policy);
  void forget(Table::iterator e);
  void block(Table::iterator e, Clock::time_point until);
  void publish_size() noexcept { size_.store(open_.size() + blocked_.size(), std::memory_order_release); }

  const std::size_t capacity_;
  mutable std::mutex mu_;
  // Every source is in one of the two lists, each in the order of the sources' last failure. A
  // source in blocked_ has no failures counted (a block starts a fresh count, failures while
  // blocked are not counted), so it expires when its block ends: block_ends_ finds those.
  Table open_;
  Table blocked_;
  BlockEnds block_ends_;
  std::unordered_map<SourceKey, Table::iterator, KeyHash> index_;
  std::atomic<std::size_t> size_{0};  // read without the lock: the common case, nothing tracked
  std::uint64_t eviction_steps_ = 0;
};

}  // namespace mysqlproxy::proxy
