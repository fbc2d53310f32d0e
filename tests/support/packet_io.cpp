#include "tests/support/packet_io.hpp"

#include <algorithm>

#include <boost/asio/read.hpp>

namespace mysqlproxy::test {

using proxy::asio::buffer;
using proxy::kUseTuple;

proxy::awaitable<std::optional<WirePacket>> read_wire_packet(proxy::tcp::socket& socket, proxy::error_code& ec) {
  WirePacket packet;
  for (bool first = true;; first = false) {
    std::uint8_t header[4];
    auto [hec, hn] = co_await proxy::asio::async_read(socket, buffer(header), kUseTuple);
    if (hec) {
      ec = hec;
      co_return std::nullopt;
    }
    const std::size_t length = header[0] | header[1] << 8 | header[2] << 16;
    if (first) packet.seq = header[3];
    const std::size_t at = packet.payload.size();
    packet.payload.resize(at + length);
    if (length > 0) {
      auto [pec, pn] = co_await proxy::asio::async_read(socket, buffer(packet.payload.data() + at, length), kUseTuple);
      if (pec) {
        ec = pec;
        co_return std::nullopt;
      }
    }
    if (length < 0xffffff) co_return packet;
  }
}

proxy::awaitable<proxy::error_code> write_wire_packet(proxy::tcp::socket& socket, const Bytes& payload, std::uint8_t seq) {
  Bytes wire(4 + payload.size());
  wire[0] = static_cast<std::uint8_t>(payload.size());
  wire[1] = static_cast<std::uint8_t>(payload.size() >> 8);
  wire[2] = static_cast<std::uint8_t>(payload.size() >> 16);
  wire[3] = seq;
  std::copy(payload.begin(), payload.end(), wire.begin() + 4);
  auto [ec, n] = co_await proxy::asio::async_write(socket, buffer(wire), kUseTuple);
  co_return ec;
}

Watchdog::Watchdog(proxy::tcp::socket& socket, std::chrono::milliseconds limit) : timer_(socket.get_executor()) {
  timer_.expires_after(limit);
  timer_.async_wait([state = state_, &socket](const proxy::error_code& ec) {
    if (ec || !state->armed) return;
    state->fired = true;
    proxy::error_code ignored;
    socket.close(ignored);
  });
}

void Watchdog::disarm() {
  state_->armed = false;
  timer_.cancel();
}

proxy::awaitable<void> pause_for(std::chrono::milliseconds d) {
  proxy::asio::steady_timer timer(co_await proxy::asio::this_coro::executor, d);
  co_await timer.async_wait(kUseTuple);
}

}  // namespace mysqlproxy::test
