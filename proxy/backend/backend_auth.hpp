#pragma once
// The client half of the login plugins the proxy speaks to backends. Pure: no I/O.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/auth.hpp"
#include "protocol/errors.hpp"

namespace mysqlproxy::proxy {

inline constexpr std::string_view kNativePassword = "mysql_native_password";
inline constexpr std::string_view kCachingSha2Password = "caching_sha2_password";

// The first answer to a server's scramble for `plugin`; kUnsupported for plugins we can't speak.
// With `native_stage1` (SHA1 of a password the proxy knows only by its hash) instead of the
// password, only mysql_native_password can be answered.
[[nodiscard]] protocol::Result<std::vector<std::uint8_t>> initial_auth_response(
    std::string_view plugin, std::string_view password, std::span<const std::uint8_t> scramble,
    const std::optional<protocol::Sha1Digest>& native_stage1 = std::nullopt);

// A server's scramble as sent: 20 bytes, sometimes followed by a NUL terminator.
[[nodiscard]] std::span<const std::uint8_t> trim_scramble(std::span<const std::uint8_t> data) noexcept;

}  // namespace mysqlproxy::proxy
