#pragma once
// Reading and writing whole MySQL packets on a plain socket, for the scripted peers of the
// session tests. Framing is done here, not with the proxy's PacketStream: the peers check the
// proxy's bytes with code of their own.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "proxy/net/asio.hpp"

namespace mysqlproxy::test {

using Bytes = std::vector<std::uint8_t>;

struct WirePacket {
  Bytes payload;     // frames of 0xffffff bytes joined with their continuation
  std::uint8_t seq = 0;  // of the first frame
};

// One packet; nothing when the connection ended or failed first (`ec` says which).
proxy::awaitable<std::optional<WirePacket>> read_wire_packet(proxy::tcp::socket& socket, proxy::error_code& ec);

// Frames `payload` (at most 16 MiB - 1 bytes) with `seq` and writes it.
proxy::awaitable<proxy::error_code> write_wire_packet(proxy::tcp::socket& socket, const Bytes& payload, std::uint8_t seq);

// Closes a socket if time runs out before disarm() (or the watchdog's end): a peer's wait on the
// proxy is bounded, so a hung proxy fails the test instead of hanging it. Safe against a timer
// that fires in the same turn as the operation it guards ends.
class Watchdog {
 public:
  Watchdog(proxy::tcp::socket& socket, std::chrono::milliseconds limit);
  ~Watchdog() { disarm(); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  void disarm();
  [[nodiscard]] bool fired() const { return state_->fired; }

 private:
  struct State {
    bool armed = true;
    bool fired = false;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
  proxy::asio::steady_timer timer_;
};

// Polls `done` every few milliseconds until it holds or `limit` passes; its last answer.
template <class Predicate>
proxy::awaitable<bool> eventually(Predicate done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  proxy::asio::steady_timer tick(co_await proxy::asio::this_coro::executor);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(2));
    co_await tick.async_wait(proxy::kUseTuple);
  }
  co_return done();
}

// Waits `d` on the calling coroutine's executor.
proxy::awaitable<void> pause_for(std::chrono::milliseconds d);

}  // namespace mysqlproxy::test
