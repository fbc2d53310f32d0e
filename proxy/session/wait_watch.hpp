#pragma once
// WaitWatch: what a session's command is waiting on (the backend's answer, or the client taking
// bytes or sending LOCAL INFILE data), for the worker's once-a-second sweep to spot a stall
// (timeouts.query, timeouts.client_stall). The relay only stores a state and bumps a counter
// around each wait: no clock read and no timer operation per I/O. The sweep samples it; a wait
// that has made no progress since an earlier sample has stalled at least since then.
#include <chrono>
#include <cstdint>
#include <optional>

namespace mysqlproxy::proxy {

enum class WaitingOn : std::uint8_t {
  kNothing,
  kBackend,  // for the backend to take the command or send the next bytes of its answer
  kClient,   // for the client to take the answer's bytes or send LOCAL INFILE data
};

class WaitWatch {
 public:
  using Clock = std::chrono::steady_clock;

  void begin(WaitingOn on) noexcept { on_ = on; }
  void end() noexcept {
    on_ = WaitingOn::kNothing;
    ++progress_;
  }
  [[nodiscard]] WaitingOn on() const noexcept { return on_; }

  // Called by the sweep: how long the current wait has gone without progress, as far as the
  // samples tell (up to one sweep period less than the truth); nullopt when not waiting.
  std::optional<Clock::duration> stalled_for(Clock::time_point now) noexcept {
    if (on_ == WaitingOn::kNothing || on_ != sampled_on_ || progress_ != sampled_progress_) {
      sampled_on_ = on_;
      sampled_progress_ = progress_;
      sampled_at_ = now;
      return on_ == WaitingOn::kNothing ? std::nullopt : std::optional<Clock::duration>(Clock::duration::zero());
    }
    return now - sampled_at_;
  }

 private:
  WaitingOn on_ = WaitingOn::kNothing;
  std::uint64_t progress_ = 0;
  // The sweep's last sample.
  WaitingOn sampled_on_ = WaitingOn::kNothing;
  std::uint64_t sampled_progress_ = 0;
  Clock::time_point sampled_at_{};
};

}  // namespace mysqlproxy::proxy
