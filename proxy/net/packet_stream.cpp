#include "proxy/net/packet_stream.hpp"

#include "protocol/frame.hpp"

namespace mysqlproxy::proxy {

namespace {
constexpr std::size_t kReadChunk = 4096;  // small: idle sessions keep their buffers small
}

PacketStream::PacketStream(tcp::socket socket, std::size_t max_packet_size)
    : socket_(std::move(socket)), decoder_(max_packet_size) {}

awaitable<protocol::Result<protocol::Packet>> PacketStream::read_packet() {
  for (;;) {
    auto next = decoder_.next();
    if (!next) co_return next.error();
    if (*next) co_return **next;
    const auto space = decoder_.prepare(kReadChunk);
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()), kUseTuple);
    if (ec) co_return ec;
    decoder_.commit(n);
    if (bytes_in_ != nullptr) bytes_in_->inc(n);
  }
}

awaitable<error_code> PacketStream::write(std::span<const std::uint8_t> bytes) {
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), kUseTuple);
  if (bytes_out_ != nullptr) bytes_out_->inc(n);
  co_return ec;
}

awaitable<error_code> PacketStream::write_packet(std::span<const std::uint8_t> payload, std::uint8_t seq) {
  out_.clear();
  // The peer's reply, if any, continues the sequence.
  decoder_.expect_seq(protocol::encode_frames(payload, seq, out_));
  co_return co_await write(out_);
}

void PacketStream::close() noexcept {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace mysqlproxy::proxy
