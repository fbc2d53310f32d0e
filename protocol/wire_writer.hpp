#pragma once
// WireWriter: appends protocol fields to a byte vector; the mirror of WireReader.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mysqlproxy::protocol {

class WireWriter {
 public:
  explicit WireWriter(std::vector<std::uint8_t>& out) noexcept : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) { fixed_le(v, 2); }
  void u24(std::uint32_t v) { fixed_le(v, 3); }
  void u32(std::uint32_t v) { fixed_le(v, 4); }
  void u48(std::uint64_t v) { fixed_le(v, 6); }
  void u64(std::uint64_t v) { fixed_le(v, 8); }
  void lenenc_int(std::uint64_t v);
  void lenenc_str(std::string_view s) {
    lenenc_int(s.size());
    bytes(s);
  }
  void nul_str(std::string_view s) {
    bytes(s);
    u8(0);
  }
  void bytes(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void bytes(std::span<const std::uint8_t> s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }

  [[nodiscard]] std::size_t size() const noexcept { return out_.size(); }
  std::vector<std::uint8_t>& buffer() noexcept { return out_; }

 private:
  void fixed_le(std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::vector<std::uint8_t>& out_;
};

inline void WireWriter::lenenc_int(std::uint64_t v) {
  if (v < 0xfb) {
    u8(static_cast<std::uint8_t>(v));
  } else if (v <= 0xffff) {
    u8(0xfc);
    u16(static_cast<std::uint16_t>(v));
  } else if (v <= 0xff'ffff) {
    u8(0xfd);
    u24(static_cast<std::uint32_t>(v));
  } else {
    u8(0xfe);
    u64(v);
  }
}

}  // namespace mysqlproxy::protocol
