#include "protocol/wire_reader.hpp"

namespace mysqlproxy::protocol {

std::uint64_t WireReader::fixed_le(std::size_t n) noexcept {
  if (error_) return 0;
  if (data_.size() - pos_ < n) {
    fail(ProtocolErrc::kTruncated);
    return 0;
  }
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{data_[pos_ + i]} << (8 * i);
  pos_ += n;
  return v;
}

std::uint64_t WireReader::lenenc_int() noexcept {
  const std::uint8_t first = u8();
  if (error_) return 0;
  switch (first) {
    case 0xfc: return u16();
    case 0xfd: return u24();
    case 0xfe: return u64();
    case 0xfb:  // NULL marker, only valid as a row value
    case 0xff:
      fail(ProtocolErrc::kMalformed);
      return 0;
    default: return first;
  }
}

std::string_view WireReader::bytes(std::size_t n) noexcept {
  if (error_) return {};
  if (data_.size() - pos_ < n) {
    fail(ProtocolErrc::kTruncated);
    return {};
  }
  std::string_view out(reinterpret_cast<const char*>(data_.data()) + pos_, n);
  pos_ += n;
  return out;
}

std::string_view WireReader::lenenc_str() noexcept {
  const std::uint64_t n = lenenc_int();
  if (error_) return {};
  if (n > data_.size() - pos_) {
    fail(ProtocolErrc::kTruncated);
    return {};
  }
  return bytes(static_cast<std::size_t>(n));
}

std::string_view WireReader::nul_str() noexcept {
  if (error_) return {};
  for (std::size_t i = pos_; i < data_.size(); ++i) {
    if (data_[i] == 0) {
      std::string_view out(reinterpret_cast<const char*>(data_.data()) + pos_, i - pos_);
      pos_ = i + 1;
      return out;
    }
  }
  fail(ProtocolErrc::kTruncated);
  return {};
}

std::string_view WireReader::nul_str_or_rest() noexcept {
  if (error_) return {};
  for (std::size_t i = pos_; i < data_.size(); ++i) {
    if (data_[i] == 0) return nul_str();
  }
  return rest();
}

std::string_view WireReader::rest() noexcept {
  if (error_) return {};
  return bytes(data_.size() - pos_);
}

boost::system::error_code WireReader::check_finished() const noexcept {
  if (error_) return error_;
  if (pos_ != data_.size()) return ProtocolErrc::kExtraBytes;
  return {};
}

}  // namespace mysqlproxy::protocol
