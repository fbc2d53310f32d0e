#pragma once
// PacketStream: a TCP socket plus the sans-I/O framer. The only place that reads whole MySQL
// packets from a socket (handshakes, client commands); bulk relaying reads the socket directly.
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/errors.hpp"
#include "protocol/packet_decoder.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/net/asio.hpp"

namespace mysqlproxy::proxy {

class PacketStream {
 public:
  PacketStream(tcp::socket socket, std::size_t max_packet_size);

  // Reads one whole packet. Its payload is valid until the next read.
  awaitable<protocol::Result<protocol::Packet>> read_packet();
  // Writes bytes that are already framed.
  awaitable<error_code> write(std::span<const std::uint8_t> bytes);
  // Frames `payload` with sequence id `seq` and writes it; a reply is then expected to continue
  // the sequence.
  awaitable<error_code> write_packet(std::span<const std::uint8_t> payload, std::uint8_t seq);

  // Counts the bytes read and written from now on (client streams: the traffic metrics).
  void count_bytes(metrics::Counter* in, metrics::Counter* out) noexcept {
    bytes_in_ = in;
    bytes_out_ = out;
  }

  protocol::PacketDecoder& decoder() noexcept { return decoder_; }
  tcp::socket& socket() noexcept { return socket_; }
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept { return socket_.is_open(); }

 private:
  tcp::socket socket_;
  protocol::PacketDecoder decoder_;
  std::vector<std::uint8_t> out_;
  metrics::Counter* bytes_in_ = nullptr;
  metrics::Counter* bytes_out_ = nullptr;
};

}  // namespace mysqlproxy::proxy
