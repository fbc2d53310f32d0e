#pragma once
// PacketDecoder: an incremental framer that does no I/O. The caller reads into prepare(), calls
// commit(n), then pulls whole packets with next(). Frames of 0xffffff bytes are joined with the
// frames that continue them, so a packet of any size comes out as one payload.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "protocol/errors.hpp"
#include "protocol/frame.hpp"

namespace mysqlproxy::protocol {

struct Packet {
  std::uint8_t seq = 0;                   // sequence id of the first frame
  std::uint8_t next_seq = 0;              // the sequence id a reply to this packet takes
  std::span<const std::uint8_t> payload;  // valid until the next consume()/prepare()/feed()
  std::span<const std::uint8_t> wire;     // the packet's frames as received, headers included
};

class PacketDecoder {
 public:
  explicit PacketDecoder(std::size_t max_packet_size = 64u << 20) : max_packet_size_(max_packet_size) {}

  std::span<std::uint8_t> prepare(std::size_t min_bytes = 16 * 1024);
  void commit(std::size_t n) noexcept { write_pos_ += n; }
  void feed(std::span<const std::uint8_t> bytes);  // prepare + copy + commit (tests, handoff)

  // empty optional -> need more bytes (not an error); error -> kBadSequence or kPacketTooLarge.
  [[nodiscard]] Result<std::optional<Packet>> next();
  void consume() noexcept;  // releases the packet returned by next()

  // The sequence id the next frame must carry; a new command resets it to 0.
  void expect_seq(std::uint8_t seq) noexcept { expected_seq_ = seq; }
  [[nodiscard]] std::uint8_t expected_seq() const noexcept { return expected_seq_; }
  void set_max_packet_size(std::size_t n) noexcept { max_packet_size_ = n; }

  // Bytes received but not yet returned as packets (for handing a connection over).
  [[nodiscard]] std::span<const std::uint8_t> buffered() const noexcept {
    return {buf_.data() + read_pos_ + pending_consume_, write_pos_ - read_pos_ - pending_consume_};
  }
  // Drops everything buffered: used after buffered() was handed elsewhere.
  void clear() noexcept { read_pos_ = write_pos_ = pending_consume_ = wanted_ = 0; }

 private:
  std::vector<std::uint8_t> buf_;
  std::vector<std::uint8_t> joined_;  // only for payloads of 16 MiB and more
  std::size_t read_pos_ = 0;
  std::size_t write_pos_ = 0;
  std::size_t pending_consume_ = 0;
  std::size_t wanted_ = 0;  // bytes the incomplete packet still needs: read them in big bites
  std::size_t max_packet_size_;
  std::uint8_t expected_seq_ = 0;
};

}  // namespace mysqlproxy::protocol
