#pragma once
// Deadline: closes a socket when time runs out, so any pending read or write on it completes with
// an error. One timer per deadline instead of one per I/O operation keeps the hot path cheap.
#include <chrono>

#include "proxy/net/asio.hpp"

namespace mysqlproxy::proxy {

class Deadline {
 public:
  Deadline(asio::any_io_executor ex, tcp::socket& socket) : timer_(ex), socket_(socket) {}
  ~Deadline() { cancel(); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // A zero duration means no deadline.
  void arm(std::chrono::milliseconds d) {
    if (d.count() <= 0) return;
    timer_.expires_after(d);
    timer_.async_wait([this](const error_code& ec) {
      if (ec) return;  // cancelled
      expired_ = true;
      error_code ignored;
      socket_.close(ignored);
    });
  }
  void cancel() noexcept { timer_.cancel(); }
  [[nodiscard]] bool expired() const noexcept { return expired_; }

 private:
  asio::steady_timer timer_;
  tcp::socket& socket_;
  bool expired_ = false;
};

}  // namespace mysqlproxy::proxy
