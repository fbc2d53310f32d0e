#pragma once
// IdleTimer: closes a client socket that has been idle longer than a limit. Activity only stamps
// a time (no timer operation per command); the timer wakes once per period and re-arms itself
// for the remaining time, so a busy session costs nothing here.
#include <chrono>

#include "proxy/net/asio.hpp"

namespace mysqlproxy::proxy {

class IdleTimer {
 public:
  using Clock = std::chrono::steady_clock;

  IdleTimer(asio::any_io_executor ex, tcp::socket& socket, std::chrono::milliseconds limit)
      : timer_(ex), socket_(socket), limit_(limit) {}
  ~IdleTimer() { timer_.cancel(); }
  IdleTimer(const IdleTimer&) = delete;
  IdleTimer& operator=(const IdleTimer&) = delete;

  void start() {
    if (limit_.count() <= 0) return;
    last_ = Clock::now();
    arm(limit_);
  }
  // A command began (busy) or finished (idle from now).
  void busy() noexcept { busy_ = true; }
  void idle() noexcept {
    busy_ = false;
    if (limit_.count() > 0) last_ = Clock::now();
  }
  [[nodiscard]] bool expired() const noexcept { return expired_; }

 private:
  void arm(Clock::duration d) {
    timer_.expires_after(d);
    timer_.async_wait([this](const error_code& ec) {
      if (ec) return;
      const auto quiet = Clock::now() - last_;
      if (!busy_ && quiet >= limit_) {
        expired_ = true;
        error_code ignored;
        socket_.close(ignored);
        return;
      }
      arm(busy_ ? Clock::duration(limit_) : limit_ - quiet);
    });
  }

  asio::steady_timer timer_;
  tcp::socket& socket_;
  std::chrono::milliseconds limit_;
  Clock::time_point last_{};
  bool busy_ = false;
  bool expired_ = false;
};

}  // namespace mysqlproxy::proxy
