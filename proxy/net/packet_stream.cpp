#include "proxy/net/packet_stream.hpp"

#include <openssl/ssl.h>

#include <algorithm>

#include <boost/asio/ssl/host_name_verification.hpp>

#include "protocol/frame.hpp"

namespace mysqlproxy::proxy {

namespace {
constexpr std::size_t kReadChunk = 4096;  // small: idle sessions keep their buffers small
// Compressed bytes are read in bites like the caller's, within these bounds.
constexpr std::size_t kMinRawChunk = 4096;
constexpr std::size_t kMaxRawChunk = 64 * 1024;
// A pooled connection outlives the large value it once carried: bigger buffers are let go.
constexpr std::size_t kKeepWireBuffer = 1 << 20;
}

PacketStream::PacketStream(tcp::socket socket, std::size_t max_packet_size)
    : socket_(std::move(socket)), decoder_(max_packet_size) {}

awaitable<std::tuple<error_code, std::size_t>> PacketStream::read_raw(asio::mutable_buffer buffer) {
  if (!tls_ && bytes_in_ == nullptr) return socket_.async_read_some(buffer, kUseTuple);
  return read_tls_or_counted(buffer);
}

awaitable<std::tuple<error_code, std::size_t>> PacketStream::read_tls_or_counted(asio::mutable_buffer buffer) {
  error_code ec;
  std::size_t n = 0;
  if (tls_) {
    std::tie(ec, n) = co_await tls_->async_read_some(buffer, kUseTuple);
  } else {
    std::tie(ec, n) = co_await socket_.async_read_some(buffer, kUseTuple);
  }
  if (bytes_in_ != nullptr) bytes_in_->inc(n);
  co_return std::tuple{ec, n};
}

awaitable<std::tuple<error_code, std::size_t>> PacketStream::read_some(asio::mutable_buffer buffer) {
  if (!compression_) return read_raw(buffer);
  return read_decompressed(buffer);
}

awaitable<std::tuple<error_code, std::size_t>> PacketStream::read_decompressed(asio::mutable_buffer buffer) {
  const std::span<std::uint8_t> out(static_cast<std::uint8_t*>(buffer.data()), buffer.size());
  for (;;) {
    auto n = compression_->read(out);
    if (!n) co_return std::tuple{error_code(n.error()), std::size_t{0}};
    if (*n > 0 || out.empty()) co_return std::tuple{error_code{}, *n};
    raw_.resize(std::clamp(buffer.size(), kMinRawChunk, kMaxRawChunk));
    const asio::mutable_buffer raw_buffer(raw_.data(), raw_.size());
    auto [ec, got] = co_await read_raw(raw_buffer);
    if (ec) co_return std::tuple{ec, std::size_t{0}};
    compression_->feed(std::span(raw_).first(got));
  }
}

awaitable<protocol::Result<protocol::Packet>> PacketStream::read_packet() {
  for (;;) {
    auto next = decoder_.next();
    if (!next) co_return next.error();
    if (*next) co_return **next;
    // Inner frames are restamped with the ids the framer expects (see StreamCompression).
    if (compression_ && decoder_.buffered().empty() && compression_->at_frame_boundary()) {
      compression_->expect_inner(decoder_.expected_seq());
    }
    const auto space = decoder_.prepare(kReadChunk);
    const asio::mutable_buffer into(space.data(), space.size());
    auto [ec, n] = co_await read_some(into);
    if (ec) co_return ec;
    decoder_.commit(n);
  }
}

awaitable<error_code> PacketStream::write_raw(std::span<const std::uint8_t> bytes) {
  const auto buffer = asio::buffer(bytes.data(), bytes.size());
  error_code ec;
  std::size_t n = 0;
  if (tls_) {
    std::tie(ec, n) = co_await asio::async_write(*tls_, buffer, kUseTuple);
  } else {
    std::tie(ec, n) = co_await asio::async_write(socket_, buffer, kUseTuple);
  }
  if (bytes_out_ != nullptr) bytes_out_->inc(n);
  co_return ec;
}

awaitable<error_code> PacketStream::write(std::span<const std::uint8_t> bytes) {
  if (!compression_) return write_raw(bytes);
  return write_compressed(bytes);
}

awaitable<error_code> PacketStream::write_compressed(std::span<const std::uint8_t> bytes) {
  wire_.clear();
  compression_->wrap(bytes, wire_);
  const std::span<const std::uint8_t> wire(wire_);
  const error_code ec = co_await write_raw(wire);
  if (wire_.capacity() > kKeepWireBuffer) std::vector<std::uint8_t>().swap(wire_);
  co_return ec;
}

void PacketStream::start_compression(protocol::CompressionAlgorithm algorithm, int zstd_level) {
  if (algorithm == protocol::CompressionAlgorithm::kNone) return;
  compression_ = std::make_unique<StreamCompression>(algorithm, zstd_level);
  // Anything read past the OK is already compressed.
  const auto early = decoder_.buffered();
  compression_->feed(early);
  decoder_.clear();
}

awaitable<error_code> PacketStream::write_packet(std::span<const std::uint8_t> payload, std::uint8_t seq) {
  out_.clear();
  if (seq == 0) restart_sequence();
  // The peer's reply, if any, continues the sequence.
  decoder_.expect_seq(protocol::encode_frames(payload, seq, out_));
  co_return co_await write(out_);
}

awaitable<error_code> PacketStream::start_tls_as_server(const std::shared_ptr<asio::ssl::context>& context) {
  tls_context_ = context;
  tls_ = std::make_unique<TlsStream>(socket_, *tls_context_);
  const auto early = decoder_.buffered();
  const std::vector<std::uint8_t> hello(early.begin(), early.end());
  decoder_.clear();
  auto [ec, used] = co_await tls_->async_handshake(asio::ssl::stream_base::server,
                                                   asio::buffer(hello.data(), hello.size()), kUseTuple);
  (void)used;
  co_return ec;
}

awaitable<error_code> PacketStream::start_tls_as_client(const std::shared_ptr<asio::ssl::context>& context,
                                                        const std::string& server_name, bool check_name) {
  tls_context_ = context;
  tls_ = std::make_unique<TlsStream>(socket_, *tls_context_);
  if (!server_name.empty()) {
    // SNI takes host names only; an IP literal is checked against the certificate all the same.
    error_code not_an_address;
    (void)asio::ip::make_address(server_name, not_an_address);
    if (not_an_address) SSL_set_tlsext_host_name(tls_->native_handle(), server_name.c_str());
    if (check_name) tls_->set_verify_callback(asio::ssl::host_name_verification(server_name));
  }
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, kUseTuple);
  co_return ec;
}

std::string PacketStream::tls_description() const {
  if (!tls_) return {};
  SSL* ssl = const_cast<TlsStream&>(*tls_).native_handle();
  return std::string(SSL_get_version(ssl)) + " " + SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
}

void PacketStream::close() noexcept {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace mysqlproxy::proxy
