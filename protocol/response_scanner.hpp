#pragma once
// ResponseScanner: walks the frames of a server's answer as it streams in, chunk by chunk, and
// feeds each packet's first bytes to a ResponseTracker. It tells the relay how many bytes of its
// buffer may be forwarded now, so rows go to the client in bulk, never re-encoded, and a packet
// larger than the buffer streams through without being held whole.
#include <cstddef>
#include <cstdint>
#include <span>

#include "protocol/errors.hpp"
#include "protocol/response_tracker.hpp"

namespace mysqlproxy::protocol {

class ResponseScanner {
 public:
  // Packets up to this size are inspected whole (OK/EOF/ERR always are); larger ones only by
  // their first bytes. The relay's buffer must hold at least kInspectLimit + kFrameHeaderSize.
  static constexpr std::size_t kInspectLimit = 64 * 1024;

  void start(Command command, Capabilities caps, std::uint8_t first_seq = 1) noexcept {
    tracker_.start(command, caps);
    restart(first_seq);
  }
  // Starts on the answer to the command packet whose payload is `command`, as the client sent it.
  void start(std::span<const std::uint8_t> command, Capabilities caps, std::uint8_t first_seq = 1) noexcept {
    tracker_.start(command, caps);
    restart(first_seq);
  }

  // Scans `data` (bytes received and not yet forwarded; it starts where the previous call
  // stopped) and returns how many leading bytes may be forwarded now. The rest, if any, starts at
  // a frame boundary and must be offered again with more bytes behind it.
  // Errors: kBadSequence, kUnexpectedPacket (a packet the answer cannot contain, or bytes after
  // its end).
  [[nodiscard]] Result<std::size_t> scan(std::span<const std::uint8_t> data) noexcept;

  // The whole answer has been seen (not counting a LOCAL INFILE pause).
  [[nodiscard]] bool done() const noexcept { return tracker_.done() && skip_ == 0 && !continuation_; }
  [[nodiscard]] bool awaiting_local_infile() const noexcept {
    return tracker_.awaiting_local_infile() && skip_ == 0 && !continuation_;
  }
  // The client's LOCAL INFILE data went out; the server's next packet takes `next_seq`.
  void on_local_infile_sent(std::uint8_t next_seq) noexcept {
    tracker_.on_local_infile_sent();
    expected_seq_ = next_seq;
  }
  // Everything scanned so far ends on a packet boundary: an ERR could still be sent in its place.
  [[nodiscard]] bool at_packet_boundary() const noexcept { return skip_ == 0 && !continuation_; }
  [[nodiscard]] const ResponseTracker& tracker() const noexcept { return tracker_; }
  [[nodiscard]] PacketKind last_kind() const noexcept { return last_kind_; }
  [[nodiscard]] std::uint8_t next_seq() const noexcept { return expected_seq_; }

 private:
  void restart(std::uint8_t first_seq) noexcept {
    expected_seq_ = first_seq;
    skip_ = 0;
    continuation_ = false;
  }

  ResponseTracker tracker_;
  std::size_t skip_ = 0;       // payload bytes of the current frame still to pass through
  bool continuation_ = false;  // the current frame is full (0xffffff): another frame follows
  std::uint8_t expected_seq_ = 1;
  PacketKind last_kind_ = PacketKind::kOk;
};

}  // namespace mysqlproxy::protocol
