#pragma once
// GTID positions, to tell whether a replica has applied a given write. Pure.
//  MariaDB: "domain-server-seq" per domain, comma-separated ("0-1-42,1-2-7"); a replica whose
//           position has seq >= n in a write's domain has applied it.
//  MySQL:   GTID sets "uuid:1-5:7,uuid2:1-3"; a replica has applied uuid:n when n is in its set.
//           MySQL 8.3+ tags: after the uuid, each colon-separated item is an interval or a tag
//           ([a-z_][a-z0-9_]{0,31}, case-insensitive) that the intervals after it belong to, as in
//           "uuid:1-5:11-18:mytag:1-3" or the single GTID "uuid:mytag:7". uuid:tag:n and uuid:n are
//           different transactions. Uuids and tags are kept in lower case, as the server prints
//           them; transaction numbers are 1..2^63-1.
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
  // What this holds that `other` does not: MySQL, the set difference; MariaDB, each domain where
  // this is further on (its own entry). Empty when other.includes(*this).
  [[nodiscard]] GtidPosition minus(const GtidPosition& other) const;
  // Folds `other` in: afterwards this includes everything either included.
  void merge(const GtidPosition& other);
  [[nodiscard]] bool empty() const noexcept { return domains_.empty() && sets_.empty(); }
  // MariaDB domains in the order first seen, then MySQL sets by uuid, each uuid once: its
  // untagged intervals, then each tag (in order) with its own, the way MySQL prints gtid_executed.
  // parse(to_string()) gives the same position back.
  [[nodiscard]] std::string to_string() const;

 private:
  struct Domain {  // MariaDB
    std::uint32_t domain;
    std::uint32_t server;
    std::uint64_t seq;
  };
  using Interval = std::pair<std::uint64_t, std::uint64_t>;
  struct UuidSet {  // MySQL, one uuid and tag: closed intervals, sorted and disjoint
    std::string uuid;  // lower case
    std::string tag;   // lower case; "" = untagged
    std::vector<Interval> intervals;
  };
  using SetKey = std::pair<std::string_view, std::string_view>;  // uuid, tag: sets_'s order
  static bool before(const UuidSet& set, const SetKey& key) noexcept;
  // Sorts and joins overlapping or adjacent intervals.
  static void normalize(std::vector<Interval>& intervals);
  // The set of (uuid, tag), added in its place (sets_ is sorted by uuid, then tag) when missing.
  UuidSet& set_for(std::string_view uuid, std::string_view tag);

  std::vector<Domain> domains_;
  std::vector<UuidSet> sets_;
};

}  // namespace mysqlproxy::proxy
