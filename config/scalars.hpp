#pragma once
// Text -> number parsers for the scalar forms the config accepts. Pure functions with no YAML
// and no messages: nullopt means "not that form", and the caller words the error.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mysqlproxy::config {

// Decimal digits only: no sign, spaces, "0x" or "_" (they are more likely typos than intent).
std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept;

// "250ms", "2s", "1.5s", "5m", "8h", or a bare "0". A fraction must come out as whole
// milliseconds ("1.5ms" is rejected). Never negative.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;

// Bytes, optionally with a binary suffix: "65536", "64KiB", "64MiB", "1GiB".
std::optional<std::uint64_t> parse_size(std::string_view text) noexcept;

// The shortest exact spelling parse_size accepts: 1024 -> "1KiB", 1536 -> "1536".
std::string format_size(std::uint64_t bytes);

// The shortest exact spelling parse_duration accepts: 8760h -> "8760h", 1500ms -> "1500ms".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace mysqlproxy::config
