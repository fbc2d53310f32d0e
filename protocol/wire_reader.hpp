#pragma once
// WireReader: a cursor over one complete payload. Reads fixed and length-encoded fields;
// the first failure latches (kTruncated or kMalformed) and every later read returns a zero value,
// so a decoder reads all fields and checks error() once at the end.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/errors.hpp"

namespace mysqlproxy::protocol {

class WireReader {
 public:
  explicit WireReader(std::span<const std::uint8_t> data) noexcept : data_(data) {}

  std::uint8_t u8() noexcept { return static_cast<std::uint8_t>(fixed_le(1)); }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(fixed_le(2)); }
  std::uint32_t u24() noexcept { return static_cast<std::uint32_t>(fixed_le(3)); }
  std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(fixed_le(4)); }
  std::uint64_t u48() noexcept { return fixed_le(6); }
  std::uint64_t u64() noexcept { return fixed_le(8); }
  std::uint64_t lenenc_int() noexcept;
  std::string_view lenenc_str() noexcept;
  std::string_view nul_str() noexcept;           // up to (not including) a 0x00 that must be present
  std::string_view nul_str_or_rest() noexcept;   // up to 0x00 if present, else the rest
  std::string_view bytes(std::size_t n) noexcept;
  std::string_view rest() noexcept;
  void skip(std::size_t n) noexcept { (void)bytes(n); }

  [[nodiscard]] std::uint8_t peek() const noexcept { return empty() ? 0 : data_[pos_]; }
  [[nodiscard]] bool empty() const noexcept { return pos_ >= data_.size(); }
  [[nodiscard]] std::size_t remaining() const noexcept { return ok() ? data_.size() - pos_ : 0; }
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] bool ok() const noexcept { return !error_; }
  [[nodiscard]] boost::system::error_code error() const noexcept { return error_; }
  // kExtraBytes if anything is left, else the latched error (or none).
  [[nodiscard]] boost::system::error_code check_finished() const noexcept;
  void fail(ProtocolErrc e) noexcept {
    if (!error_) error_ = e;
  }

 private:
  std::uint64_t fixed_le(std::size_t n) noexcept;

  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  boost::system::error_code error_;
};

// Size of the length-encoded integer that starts with `first`, including that byte; 0 if `first`
// cannot start one (0xfb NULL marker, 0xff).
[[nodiscard]] constexpr std::size_t lenenc_int_size(std::uint8_t first) noexcept {
  if (first < 0xfb) return 1;
  if (first == 0xfc) return 3;
  if (first == 0xfd) return 4;
  if (first == 0xfe) return 9;
  return 0;
}

}  // namespace mysqlproxy::protocol
