#pragma once
// Test helpers for byte strings: hex() parses readable hex, to_hex() prints bytes for failure
// output, testdata_hex() loads a capture, split_frames() cuts wire bytes into payloads without the
// library (an independent reference for PacketDecoder).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <source_location>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/testdata.hpp"

namespace mysqlproxy::test {

// "0a 35 2e" -> {0x0a, 0x35, 0x2e}. Whitespace is ignored and so is everything from "//" to the end
// of a line. Throws std::invalid_argument on anything else (odd digit count, non-hex characters).
inline std::vector<std::uint8_t> hex(std::string_view text) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<std::uint8_t> out;
  int pending = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    const int d = digit(c);
    if (d < 0) throw std::invalid_argument("hex(): bad character '" + std::string(1, c) + "'");
    if (pending < 0) {
      pending = d;
    } else {
      out.push_back(static_cast<std::uint8_t>(pending << 4 | d));
      pending = -1;
    }
  }
  if (pending >= 0) throw std::invalid_argument("hex(): odd number of digits");
  return out;
}

// Bytes as "0a 35 2e", 16 to a line, for readable assertion messages.
inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out += (i % 16 == 0) ? '\n' : ' ';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0f];
  }
  return out;
}

inline std::string to_hex(std::string_view s) {
  return to_hex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

inline std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Loads testdata/<name> next to the calling test's source file, through hex().
inline std::vector<std::uint8_t> testdata_hex(std::string_view name,
                                              std::source_location where = std::source_location::current()) {
  return hex(testdata_text(name, where));
}

// Splits wire bytes into packet payloads, joining 0xffffff-byte frames with their continuation.
// Ignores sequence ids; throws on a cut-off frame.
inline std::vector<std::vector<std::uint8_t>> split_frames(std::span<const std::uint8_t> wire) {
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::uint8_t> current;
  std::size_t pos = 0;
  while (pos < wire.size()) {
    if (wire.size() - pos < 4) throw std::runtime_error("split_frames(): cut-off header");
    const std::size_t len = wire[pos] | wire[pos + 1] << 8 | wire[pos + 2] << 16;
    if (wire.size() - pos - 4 < len) throw std::runtime_error("split_frames(): cut-off payload");
    current.insert(current.end(), wire.begin() + static_cast<std::ptrdiff_t>(pos + 4),
                   wire.begin() + static_cast<std::ptrdiff_t>(pos + 4 + len));
    pos += 4 + len;
    if (len < 0xffffff) packets.push_back(std::move(current)), current.clear();
  }
  if (!current.empty()) throw std::runtime_error("split_frames(): missing final frame");
  return packets;
}

}  // namespace mysqlproxy::test
