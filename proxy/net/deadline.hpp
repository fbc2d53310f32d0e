#pragma once
// Deadline: closes a socket when time runs out, so any pending read or write on it completes with
// an error. One timer per deadline instead of one per I/O operation keeps the hot path cheap.
#include <chrono>
#include <cstdint>
#include <memory>

#include "proxy/net/asio.hpp"

namespace mysqlproxy::proxy {

class Deadline {
 public:
  Deadline(asio::any_io_executor ex, tcp::socket& socket) : timer_(ex), state_(std::make_shared<State>(socket)) {}
  ~Deadline() { cancel(); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // A zero duration means no deadline.
  void arm(std::chrono::milliseconds d) {
    if (d.count() <= 0) return;
    const std::uint64_t armed = ++state_->generation;
    timer_.expires_after(d);
    // The handler may already be queued, with success, when the guarded operation ends in the
    // same turn and cancels (or destroys) the deadline: a cancel can't stop it then. It holds the
    // state, not `this`, and acts only if no cancel or re-arm came after it was armed.
    timer_.async_wait([state = state_, armed](const error_code& ec) {
      if (ec || state->generation != armed) return;
      state->expired = true;
      error_code ignored;
      state->socket.close(ignored);
    });
  }
  void cancel() noexcept {
    ++state_->generation;
    timer_.cancel();
  }
  [[nodiscard]] bool expired() const noexcept { return state_->expired; }

 private:
  struct State {
    explicit State(tcp::socket& s) : socket(s) {}
    tcp::socket& socket;  // touched only while the generation matches: the deadline, and so the socket, live
    std::uint64_t generation = 0;
    bool expired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

}  // namespace mysqlproxy::proxy
