#pragma once
// Capabilities: a strong type over the 32 capability bits, always passed explicitly to codecs.
#include <cstdint>

#include "protocol/constants.hpp"

namespace mysqlproxy::protocol {

struct Capabilities {
  std::uint32_t bits = 0;

  constexpr Capabilities() = default;
  constexpr explicit Capabilities(std::uint32_t b) : bits(b) {}

  [[nodiscard]] constexpr bool has(std::uint32_t flag) const noexcept { return (bits & flag) == flag; }
  [[nodiscard]] constexpr Capabilities with(std::uint32_t flag) const noexcept { return Capabilities{bits | flag}; }
  [[nodiscard]] constexpr Capabilities without(std::uint32_t flag) const noexcept { return Capabilities{bits & ~flag}; }
  [[nodiscard]] constexpr Capabilities intersect(Capabilities o) const noexcept { return Capabilities{bits & o.bits}; }
  constexpr bool operator==(const Capabilities&) const = default;
};

}  // namespace mysqlproxy::protocol
