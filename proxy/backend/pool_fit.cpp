#include "proxy/backend/pool_fit.hpp"

#include <algorithm>

#include "proxy/backend/backend_connection.hpp"

namespace mysqlproxy::proxy {

int fit(const CarriedState& have, const WantedState& want) noexcept {
  // A connection with a database selected can't go back to none.
  if (want.schema.empty() && !have.schema.empty()) return -1;
  int score = have.schema == want.schema ? 1 : 0;
  if (have.tainted) return score;
  const auto& applied = have.applied;
  if (applied.size() > want.applied.size() || !std::equal(applied.begin(), applied.end(), want.applied.begin())) {
    return score;  // needs a reset first
  }
  return score + (applied.size() == want.applied.size() ? 4 : 2);
}

std::optional<std::size_t> choose_idle(std::span<const CarriedState> idle, const WantedState& want) {
  return choose_idle(idle.size(), want, [&](std::size_t i) -> const CarriedState& { return idle[i]; });
}

}  // namespace mysqlproxy::proxy
