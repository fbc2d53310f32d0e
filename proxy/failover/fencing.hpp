#pragma once
// decide_fencing: what the proxy that holds the majority does about a server that is not the
// published primary: a returning old primary, or a replica that lost its source. Pure
// (tests/proxy/failover_rules_test.cpp).
//
// A writable one is made read_only first, whatever comes next: two writable servers are never
// both routed to, and it must not take a write from anyone connected to it directly. Then, unless
// it already replicates from the primary: if everything in its binary log is in the primary's, it
// rejoins as a replica (CHANGE MASTER ... MASTER_USE_GTID = slave_pos, or SOURCE_AUTO_POSITION on
// MySQL); if it holds transactions the primary lacks (errant GTIDs: written on it alone, or never
// replicated before it was lost), it stays out, `diverged`, with those transactions listed, until
// an operator decides. A position that can't be read keeps it out too: rejoining it could not be
// proven safe.
#include <cstdint>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlproxy::proxy {

// The transactions `server` holds that `primary` lacks, from their binary log histories:
// MariaDB @@gtid_binlog_state ("domain-server-seq" per domain and server: an entry is errant when
// the primary has nothing from that server in that domain, or less), or MySQL @@gtid_executed (the
// set difference). Each entry as the server prints it; nothing when either text can't be parsed.
[[nodiscard]] std::optional<std::vector<std::string>> errant_transactions(std::string_view server,
                                                                          std::string_view primary);

// Of several writable servers, the one that stays the primary: the one most replicas follow (by
// their source's server id). After a failover the replicas follow the promoted server, so a
// returning old primary loses, whatever a proxy that still routes to it believes. A tie (or no
// follower for anyone, with several writable) names nobody: nothing is fenced then.
struct WritableServer {
  std::uint32_t server_id = 0;
  std::size_t followers = 0;
};
[[nodiscard]] std::optional<std::size_t> legitimate_primary(std::span<const WritableServer> writable);

struct FencingFacts {
  bool reachable = false;
  bool writable = false;              // @@read_only = 0
  bool replicates_from_primary = false;  // its source is the primary, both threads running
  std::string_view binlog_state;      // @@gtid_binlog_state (MariaDB) / @@gtid_executed (MySQL)
  std::string_view primary_binlog_state;
};

enum class FenceNext : std::uint8_t {
  kNothing,   // unreachable, or already a replica of the primary
  kRejoin,    // point it at the primary
  kKeepOut,   // diverged: `errant` says why
};
std::string_view to_string(FenceNext n) noexcept;

struct FencingDecision {
  bool make_read_only = false;
  FenceNext next = FenceNext::kNothing;
  std::vector<std::string> errant;  // kKeepOut: its own transactions ("?" when unreadable)
};

[[nodiscard]] FencingDecision decide_fencing(const FencingFacts& f);

}  // namespace mysqlproxy::proxy
