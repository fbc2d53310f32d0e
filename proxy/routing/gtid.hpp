#pragma once
// GTID positions, to tell whether a replica has applied a given write. Pure.
//  MariaDB: "domain-server-seq" per domain, comma-separated ("0-1-42,1-2-7"); a replica whose
//           position has seq >= n in a write's domain has applied it.
//  MySQL:   GTID sets "uuid:1-5:7,uuid2:1-3"; a replica has applied uuid:n when n is in its set.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mysqlproxy::proxy {

class GtidPosition {
 public:
  // Parses either flavour; returns nothing for text that is neither.
  [[nodiscard]] static std::optional<GtidPosition> parse(std::string_view text);

  // True when every transaction in `write` is contained in this position.
  [[nodiscard]] bool includes(const GtidPosition& write) const noexcept;
  // Folds `other` in: afterwards this includes everything either included.
  void merge(const GtidPosition& other);
  [[nodiscard]] bool empty() const noexcept { return domains_.empty() && sets_.empty(); }
  [[nodiscard]] std::string to_string() const;

 private:
  struct Domain {  // MariaDB
    std::uint32_t domain;
    std::uint32_t server;
    std::uint64_t seq;
  };
  struct UuidSet {  // MySQL: closed intervals, sorted and disjoint
    std::string uuid;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> intervals;
  };
  static void add_interval(UuidSet& set, std::uint64_t lo, std::uint64_t hi);

  std::vector<Domain> domains_;
  std::vector<UuidSet> sets_;
};

}  // namespace mysqlproxy::proxy
