#pragma once
// Which idle connection a lease takes: how well the session state a pooled connection carries
// fits what the session wants, and the scan over a pool's idle list. Pure: no sockets, no Asio.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mysqlproxy::proxy {

struct CarriedState;  // proxy/backend/backend_connection.hpp

// What the session wants a connection to carry.
struct WantedState {
  std::string_view schema;                 // empty: none
  std::span<const std::uint64_t> applied;  // the session's replay log hashes, in order
};

inline constexpr int kPerfectFit = 5;           // same schema, same replayed state: nothing to do
inline constexpr std::size_t kIdleScanLimit = 16;  // idle connections examined for the best fit

// How well a connection's carried state fits what the session wants; negative: unusable.
// 0..1 needs a reset and a replay, 2..3 only the missing SET statements, 4..5 nothing more (the
// odd scores also have the schema right).
[[nodiscard]] int fit(const CarriedState& have, const WantedState& want) noexcept;

// The idle connection to take, as an index into the idle list (most recently used last), or none
// when none of those examined is usable. Examines the kIdleScanLimit most recently used, newest
// first; the first of the best scores wins, and a perfect fit ends the scan.
// `carried_at(i)` gives the carried state of entry i.
template <class CarriedAt>
[[nodiscard]] std::optional<std::size_t> choose_idle(std::size_t count, const WantedState& want,
                                                     CarriedAt&& carried_at) {
  int best_score = -1;
  std::size_t best = 0;
  for (std::size_t k = 0; k < count && k < kIdleScanLimit; ++k) {
    const std::size_t i = count - 1 - k;
    const int score = fit(carried_at(i), want);
    if (score > best_score) {
      best_score = score;
      best = i;
      if (score >= kPerfectFit) break;  // can't do better
    }
  }
  if (best_score < 0) return std::nullopt;
  return best;
}

// The same over plain carried states (tests, tools).
[[nodiscard]] std::optional<std::size_t> choose_idle(std::span<const CarriedState> idle, const WantedState& want);

}  // namespace mysqlproxy::proxy
