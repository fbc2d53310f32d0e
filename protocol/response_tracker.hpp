#pragma once
// ResponseTracker: a pure state machine that, given the command a client sent, follows the
// server's answer packet by packet and says when it is complete and with which status flags.
// It looks only at what it must: first bytes, packet sizes, and the status of OK/EOF packets.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "protocol/capabilities.hpp"
#include "protocol/constants.hpp"

namespace mysqlproxy::protocol {

enum class PacketKind : std::uint8_t {
  kOk,                 // an OK that ends a result (or the whole answer)
  kErr,
  kResultsetHeader,    // column count
  kColumnDefinition,
  kMetadataEof,        // EOF after column or parameter definitions (no CLIENT_DEPRECATE_EOF)
  kRow,
  kResultsetEnd,       // EOF, or OK with 0xfe under CLIENT_DEPRECATE_EOF, ending the rows
  kLocalInfileRequest, // 0xfb: the client must now send the file
  kPrepareOk,
  kParameterDefinition,
  kStatistics,         // COM_STATISTICS' plain string
  kUnexpected,         // nothing valid at this point: a protocol error from the server
};

// What a COM_STMT_PREPARE answer said, for statement bookkeeping.
struct PreparedInfo {
  std::uint32_t statement_id = 0;
  std::uint16_t num_columns = 0;
  std::uint16_t num_params = 0;
};

class ResponseTracker {
 public:
  // Starts following the answer to `command`. Commands without an answer are done at once.
  // `cursor_requested`: a COM_STMT_EXECUTE whose flags ask for a cursor, whose rows then come
  // later through COM_STMT_FETCH.
  void start(Command command, Capabilities caps, bool cursor_requested = false) noexcept;
  // The same, for the command packet `payload` as the client sent it.
  void start(std::span<const std::uint8_t> payload, Capabilities caps) noexcept;

  // `payload` holds the packet's first bytes (all of it when it is small); `size` is its full
  // size (at least 0xffffff for a packet spread over several frames).
  PacketKind on_packet(std::span<const std::uint8_t> payload, std::size_t size) noexcept;

  // The client finished sending LOCAL INFILE data (its empty packet was relayed).
  void on_local_infile_sent() noexcept;

  [[nodiscard]] bool done() const noexcept { return state_ == State::kDone; }
  [[nodiscard]] bool awaiting_local_infile() const noexcept { return state_ == State::kLocalInfile; }
  // Status flags of the last OK/EOF seen in this answer; empty if none carried any.
  [[nodiscard]] std::optional<std::uint16_t> status() const noexcept { return status_; }
  [[nodiscard]] bool ended_with_error() const noexcept { return ended_with_error_; }
  // Session-state tracking data of the last OK that carried any (SERVER_SESSION_STATE_CHANGED),
  // e.g. the GTID of a write; empty otherwise.
  [[nodiscard]] const std::string& session_state() const noexcept { return session_state_; }
  // Warning count of the last OK/EOF: SHOW WARNINGS must then reach the same connection.
  [[nodiscard]] std::uint16_t warnings() const noexcept { return warnings_; }
  // The last OK's last-insert-id (0 if none): a session-bound value the proxy must not lose.
  [[nodiscard]] std::uint64_t last_insert_id() const noexcept { return last_insert_id_; }
  [[nodiscard]] const std::optional<PreparedInfo>& prepared() const noexcept { return prepared_; }
  [[nodiscard]] Command command() const noexcept { return command_; }

 private:
  enum class State : std::uint8_t {
    kDone, kFirst, kColumns, kColumnsEof, kRows, kLocalInfile, kPrepareFirst, kParams, kParamsEof,
    kPrepareColumns, kPrepareColumnsEof, kFieldList, kSingleStatus, kStatistics,
  };

  PacketKind on_first(std::span<const std::uint8_t> payload, std::size_t size) noexcept;
  PacketKind on_prepare_first(std::span<const std::uint8_t> payload, std::size_t size) noexcept;
  PacketKind end_result(std::span<const std::uint8_t> payload, std::size_t size, PacketKind kind) noexcept;
  PacketKind after_prepare_params() noexcept;
  PacketKind after_prepare_columns() noexcept;
  [[nodiscard]] bool opened_cursor() const noexcept;
  [[nodiscard]] bool is_terminator(std::span<const std::uint8_t> payload, std::size_t size) const noexcept;
  bool read_status(std::span<const std::uint8_t> payload, std::size_t size) noexcept;

  State state_ = State::kDone;
  Command command_ = Command::kSleep;
  bool cursor_requested_ = false;
  Capabilities caps_;
  std::uint64_t remaining_ = 0;  // column or parameter definitions still to come
  std::optional<std::uint16_t> status_;
  std::uint64_t last_insert_id_ = 0;
  std::uint16_t warnings_ = 0;
  std::string session_state_;
  bool ended_with_error_ = false;
  std::optional<PreparedInfo> prepared_;
};

}  // namespace mysqlproxy::protocol
