#pragma once
// PacketStream: a TCP socket, TLS on it once negotiated, the compressed protocol once a login
// negotiated it, plus the sans-I/O framer. The only place that reads whole MySQL packets from a
// socket (handshakes, client commands); bulk relaying reads through read_some(). With compression
// on, read_some() and read_packet() yield the inner bytes and write() wraps them: callers see
// ordinary frames either way.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "protocol/compression.hpp"
#include "protocol/errors.hpp"
#include "protocol/packet_decoder.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/net/asio.hpp"
#include "proxy/net/stream_compression.hpp"

namespace mysqlproxy::proxy {

class PacketStream {
 public:
  using TlsStream = asio::ssl::stream<tcp::socket&>;

  PacketStream(tcp::socket socket, std::size_t max_packet_size);

  // Reads one whole packet. Its payload is valid until the next read.
  awaitable<protocol::Result<protocol::Packet>> read_packet();
  // Reads whatever bytes arrive next (through TLS when it is on; decompressed when that is on).
  awaitable<std::tuple<error_code, std::size_t>> read_some(asio::mutable_buffer buffer);
  // Writes bytes that are already framed (compressed first when that is on).
  awaitable<error_code> write(std::span<const std::uint8_t> bytes);
  // Frames `payload` with sequence id `seq` and writes it; a reply is then expected to continue
  // the sequence. Sequence id 0 starts a new command.
  awaitable<error_code> write_packet(std::span<const std::uint8_t> payload, std::uint8_t seq);

  // The compressed protocol from here on, both ways: called right after the login's OK.
  void start_compression(protocol::CompressionAlgorithm algorithm, int zstd_level);
  [[nodiscard]] bool compressed() const noexcept { return compression_ != nullptr; }
  // A command is about to be written: the compressed layer's sequence ids start again at 0.
  void restart_sequence() noexcept {
    if (compression_) compression_->restart();
  }

  // TLS from here on, as the server of a client connection. Bytes the framer already holds (a
  // client sends its TLS hello right behind the SSLRequest) start the handshake.
  awaitable<error_code> start_tls_as_server(const std::shared_ptr<asio::ssl::context>& context);
  // TLS from here on, as the client of a backend: SNI `server_name` (if not empty), and the peer's
  // certificate must name it when `check_name`.
  awaitable<error_code> start_tls_as_client(const std::shared_ptr<asio::ssl::context>& context,
                                            const std::string& server_name, bool check_name);
  [[nodiscard]] bool tls() const noexcept { return tls_ != nullptr; }
  // "TLSv1.3" and the cipher in use, "" without TLS.
  [[nodiscard]] std::string tls_description() const;

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
  // The socket (or TLS) itself, counted by the traffic metrics. read_some, write and read_raw
  // only pick the path: a plain socket without metrics is read with no coroutine frame between
  // the relay and asio, as the hot path wants.
  awaitable<std::tuple<error_code, std::size_t>> read_raw(asio::mutable_buffer buffer);
  awaitable<std::tuple<error_code, std::size_t>> read_tls_or_counted(asio::mutable_buffer buffer);
  awaitable<std::tuple<error_code, std::size_t>> read_decompressed(asio::mutable_buffer buffer);
  awaitable<error_code> write_raw(std::span<const std::uint8_t> bytes);
  awaitable<error_code> write_compressed(std::span<const std::uint8_t> bytes);

  tcp::socket socket_;
  std::shared_ptr<asio::ssl::context> tls_context_;  // kept alive while tls_ uses it
  std::unique_ptr<TlsStream> tls_;
  protocol::PacketDecoder decoder_;
  std::vector<std::uint8_t> out_;
  std::unique_ptr<StreamCompression> compression_;
  std::vector<std::uint8_t> raw_;   // compressed bytes read, before decompression
  std::vector<std::uint8_t> wire_;  // compressed bytes to write
  metrics::Counter* bytes_in_ = nullptr;
  metrics::Counter* bytes_out_ = nullptr;
};

}  // namespace mysqlproxy::proxy
