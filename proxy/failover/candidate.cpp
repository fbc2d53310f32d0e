#include "proxy/failover/candidate.hpp"

#include <algorithm>

namespace mysqlproxy::proxy {

std::string_view to_string(CandidateRejection r) noexcept {
  switch (r) {
    case CandidateRejection::kUnreachable: return "unreachable";
    case CandidateRejection::kNotAReplica: return "not a replica";
    case CandidateRejection::kNotApplying: return "replication SQL thread stopped";
    case CandidateRejection::kDrained: return "drained";
    case CandidateRejection::kNoPosition: return "no GTID position";
    case CandidateRejection::kTooFarBehind: return "too far behind";
    case CandidateRejection::kBehindAnother: return "behind another candidate";
    case CandidateRejection::kLostTheTie: return "as far on as the chosen one";
    case CandidateRejection::kDiverged: return "holds transactions another candidate lacks";
  }
  return "unknown";
}

namespace {

std::optional<CandidateRejection> ineligible(const CandidateFacts& b, std::chrono::milliseconds max_lag) {
  if (!b.reachable) return CandidateRejection::kUnreachable;
  if (!b.replicates) return CandidateRejection::kNotAReplica;
  if (!b.applies) return CandidateRejection::kNotApplying;
  if (b.drained) return CandidateRejection::kDrained;
  if (!b.received) return CandidateRejection::kNoPosition;
  if (max_lag.count() > 0 && (!b.lag_seconds || *b.lag_seconds * 1000.0 > static_cast<double>(max_lag.count()))) {
    return CandidateRejection::kTooFarBehind;
  }
  return std::nullopt;
}

}  // namespace

CandidateChoice choose_candidate(std::span<const CandidateFacts> backends, std::chrono::milliseconds max_lag) {
  CandidateChoice out;
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < backends.size(); ++i) {
    if (auto why = ineligible(backends[i], max_lag)) {
      out.rejected.emplace_back(i, *why);
    } else {
      eligible.push_back(i);
    }
  }
  // The ones whose position includes every other eligible one's.
  std::vector<std::size_t> complete;
  for (std::size_t i : eligible) {
    const bool has_all = std::ranges::all_of(
        eligible, [&](std::size_t j) { return backends[i].received->includes(*backends[j].received); });
    if (has_all) complete.push_back(i);
  }
  if (complete.empty()) {
    for (std::size_t i : eligible) out.rejected.emplace_back(i, CandidateRejection::kDiverged);
  } else {
    auto lag = [&](std::size_t i) { return backends[i].lag_seconds.value_or(0.0); };
    out.chosen = *std::ranges::min_element(complete, [&](std::size_t a, std::size_t b) {
      return lag(a) != lag(b) ? lag(a) < lag(b) : a < b;
    });
    for (std::size_t i : eligible) {
      if (i == *out.chosen) continue;
      const bool tie = std::ranges::find(complete, i) != complete.end();
      out.rejected.emplace_back(i, tie ? CandidateRejection::kLostTheTie : CandidateRejection::kBehindAnother);
    }
  }
  std::ranges::sort(out.rejected);
  return out;
}

}  // namespace mysqlproxy::proxy
