#pragma once
// choose_candidate: which replica a failover promotes. Pure (tests/proxy/failover_rules_test.cpp).
//
// A candidate is reachable, replicates (from the lost primary), still applies what it receives,
// is not drained by an operator, reports its GTID position, and was no further behind than the
// limit when the primary was last reachable. Of those, the one whose received position includes
// every other candidate's is chosen: promoting it loses nothing another replica has. If no
// candidate includes all the others (a replica with transactions of its own), nobody is chosen:
// either choice would drop transactions, so that is for an operator. Ties go to the smaller lag,
// then to the earlier backend.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/routing/gtid.hpp"

namespace mysqlproxy::proxy {

struct CandidateFacts {
  bool reachable = false;
  bool replicates = false;          // SHOW REPLICA STATUS has a row
  bool applies = false;             // its SQL thread runs (the IO thread may wait for the lost source)
  bool drained = false;             // DRAINING by an operator
  std::optional<double> lag_seconds;  // as last measured while the primary was reachable
  std::optional<GtidPosition> received;  // everything it holds: applied, or in its relay log
};

enum class CandidateRejection : std::uint8_t {
  kUnreachable,
  kNotAReplica,
  kNotApplying,
  kDrained,
  kNoPosition,
  kTooFarBehind,
  kBehindAnother,   // another candidate has everything it has, and more
  kLostTheTie,      // as far on as the chosen one, but further behind by lag or later in the list
  kDiverged,        // it and another each hold transactions the other lacks
};
std::string_view to_string(CandidateRejection r) noexcept;

struct CandidateChoice {
  std::optional<std::size_t> chosen;
  std::vector<std::pair<std::size_t, CandidateRejection>> rejected;  // every other backend, why
};

// `max_lag` 0 = no limit.
[[nodiscard]] CandidateChoice choose_candidate(std::span<const CandidateFacts> backends,
                                               std::chrono::milliseconds max_lag);

}  // namespace mysqlproxy::proxy
