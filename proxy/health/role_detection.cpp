#include "proxy/health/role_detection.hpp"

#include <algorithm>

namespace mysqlproxy::proxy {

RoleDecision decide_primary(std::span<const RoleObservation> backends,
                            std::optional<std::size_t> current) {
  RoleDecision decision;
  for (std::size_t i = 0; i < backends.size(); ++i) {
    const RoleObservation& b = backends[i];
    if (b.checked && b.reachable && !b.read_only) decision.writable.push_back(i);
  }
  if (current && *current >= backends.size()) current.reset();

  if (current && std::ranges::find(decision.writable, *current) != decision.writable.end()) {
    decision.primary = current;  // also under split brain: the others are the intruders
    return decision;
  }
  if (decision.writable.size() == 1) {
    decision.primary = decision.writable.front();
    return decision;
  }
  if (!decision.writable.empty()) return decision;  // several new writers: refuse to guess

  // Nobody is writable. Keep a primary that has not been checked yet or only missed some
  // checks (not DOWN yet). Keep a reachable read-only one too: with no writable server anywhere
  // (a lone server set read_only, or a whole cluster), writes still reach it and get the
  // server's own refusal, and reads fall back to it, as they would against the server itself.
  if (current) {
    const RoleObservation& c = backends[*current];
    bool missed_checks_only = c.checked && !c.reachable && !c.down;
    if (!c.checked || missed_checks_only || (c.reachable && c.read_only)) decision.primary = current;
  }
  return decision;
}

}  // namespace mysqlproxy::proxy
