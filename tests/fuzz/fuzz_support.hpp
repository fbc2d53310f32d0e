#pragma once
// Shared by the fuzz targets in tests/fuzz/: reading a target's parameters off the front of the
// input, deterministic chunking, and FUZZ_CHECK, an invariant check that aborts (libFuzzer and the
// replay runner both report an abort as a failure, with the message on stderr).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond)                                                                      \
  do {                                                                                        \
    if (!(cond)) ::mysqlproxy::fuzz::check_failed(#cond, __FILE__, __LINE__);                 \
  } while (false)

namespace mysqlproxy::fuzz {

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "invariant violated: %s (%s:%d)\n", what, file, line);
  std::fflush(stderr);
  std::abort();
}

using Bytes = std::vector<std::uint8_t>;

// Takes fixed-size parameters off the front of the input; missing bytes read as 0, so every
// input, however short, is valid.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) noexcept : data_(data), size_(size) {}

  std::uint8_t u8() noexcept {
    if (pos_ >= size_) return 0;
    return data_[pos_++];
  }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() noexcept { return u16() | (static_cast<std::uint32_t>(u16()) << 16); }
  // Everything not taken yet.
  std::span<const std::uint8_t> rest() noexcept {
    const std::size_t p = pos_;
    pos_ = size_;
    return {data_ + p, size_ - p};
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Cuts `total` bytes into chunks whose sizes follow from `seed`: seed 0 is one chunk, 1 is one
// byte at a time, others mix sizes from 1 to 64 (a tiny xorshift, fixed for a given seed).
inline std::vector<std::size_t> chunk_sizes(std::uint8_t seed, std::size_t total) {
  std::vector<std::size_t> out;
  if (total == 0) return out;
  if (seed == 0) return {total};
  std::uint32_t x = 0x9e3779b9u ^ seed;
  for (std::size_t done = 0; done < total;) {
    std::size_t n = 1;
    if (seed != 1) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      n = 1 + x % 64;
    }
    if (n > total - done) n = total - done;
    out.push_back(n);
    done += n;
  }
  return out;
}

inline std::span<const std::uint8_t> span_of(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline std::string_view view_of(std::span<const std::uint8_t> b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A decoded string is a view into the payload it came from (empty ones may point anywhere).
inline bool inside(std::string_view s, std::span<const std::uint8_t> payload) noexcept {
  if (s.empty()) return true;
  const auto* b = reinterpret_cast<const std::uint8_t*>(s.data());
  return b >= payload.data() && b + s.size() <= payload.data() + payload.size();
}

}  // namespace mysqlproxy::fuzz
