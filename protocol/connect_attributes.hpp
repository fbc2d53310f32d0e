#pragma once
// Connection attributes (CLIENT_CONNECT_ATTRS) of a HandshakeResponse41 or COM_CHANGE_USER: a
// lenenc total length, then lenenc key/value pairs.
//
// They arrive before the client has proved anything, so they are kept as the one block of bytes
// they came in (checked, at most kMaxBlockSize) and read as views: memory is the block's size,
// however many pairs it packs (a block of empty pairs would otherwise cost ~64 bytes of heap for
// every 2 bytes on the wire).
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/wire_reader.hpp"
#include "protocol/wire_writer.hpp"

namespace mysqlproxy::protocol {

class ConnectAttributes {
 public:
  // As MySQL and MariaDB servers: a larger block fails the handshake.
  static constexpr std::size_t kMaxBlockSize = 65535;
  using Pair = std::pair<std::string_view, std::string_view>;

  ConnectAttributes() = default;
  ConnectAttributes(std::initializer_list<Pair> pairs);

  // The pairs in wire order, as views into this object.
  [[nodiscard]] std::vector<Pair> pairs() const;
  // The pairs' bytes, without the total length.
  [[nodiscard]] std::string_view block() const noexcept { return block_; }
  [[nodiscard]] bool empty() const noexcept { return block_.empty(); }
  void clear() noexcept { block_.clear(); }
  bool operator==(const ConnectAttributes&) const = default;

 private:
  friend void read_connect_attributes(WireReader& r, ConnectAttributes& out);
  std::string block_;
};

// A block over kMaxBlockSize latches kPacketTooLarge into the reader; a pair overrunning the
// block (its length disagrees with its contents) latches kMalformed.
void read_connect_attributes(WireReader& r, ConnectAttributes& out);
void write_connect_attributes(const ConnectAttributes& attributes, WireWriter& w);

}  // namespace mysqlproxy::protocol
