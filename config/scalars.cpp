#include "config/scalars.hpp"

#include <array>
#include <charconv>
#include <limits>

namespace mysqlproxy::config {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Longest suffix first so "ms" is not read as "m" followed by junk.
constexpr std::array<Unit, 4> kDurationUnits = {{
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
}};

constexpr std::array<Unit, 3> kSizeUnits = {{
    {"GiB", 1ull << 30},
    {"MiB", 1ull << 20},
    {"KiB", 1ull << 10},
}};

bool all_digits(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept {
  if (!all_digits(text)) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
  if (text == "0") return std::chrono::milliseconds(0);
  for (const Unit& unit : kDurationUnits) {
    if (!text.ends_with(unit.suffix)) continue;
    std::string_view number = text.substr(0, text.size() - unit.suffix.size());
    std::string_view whole = number;
    std::string_view fraction;
    if (auto dot = number.find('.'); dot != std::string_view::npos) {
      whole = number.substr(0, dot);
      fraction = number.substr(dot + 1);
      // Nine digits keep fraction * factor well inside 64 bits.
      if (fraction.empty() || fraction.size() > 9) return std::nullopt;
    }
    auto whole_value = parse_unsigned(whole);
    if (!whole_value) return std::nullopt;
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / 2);
    if (*whole_value > kMax / unit.factor) return std::nullopt;
    std::uint64_t millis = *whole_value * unit.factor;
    if (!fraction.empty()) {
      auto fraction_value = parse_unsigned(fraction);
      if (!fraction_value) return std::nullopt;
      std::uint64_t scale = 1;
      for (std::size_t i = 0; i < fraction.size(); ++i) scale *= 10;
      std::uint64_t scaled = *fraction_value * unit.factor;
      if (scaled % scale != 0) return std::nullopt;  // not a whole number of milliseconds
      millis += scaled / scale;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(millis));
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size(std::string_view text) noexcept {
  std::uint64_t factor = 1;
  for (const Unit& unit : kSizeUnits) {
    if (text.ends_with(unit.suffix)) {
      factor = unit.factor;
      text.remove_suffix(unit.suffix.size());
      break;
    }
  }
  auto value = parse_unsigned(text);
  if (!value || *value > std::numeric_limits<std::uint64_t>::max() / factor) return std::nullopt;
  return *value * factor;
}

std::string format_size(std::uint64_t bytes) {
  for (const Unit& unit : kSizeUnits) {
    if (bytes != 0 && bytes % unit.factor == 0) {
      return std::to_string(bytes / unit.factor) + std::string(unit.suffix);
    }
  }
  return std::to_string(bytes);
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto millis = static_cast<std::uint64_t>(duration.count());
  if (millis == 0) return "0";
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    if (millis % it->factor == 0) {
      return std::to_string(millis / it->factor) + std::string(it->suffix);
    }
  }
  return std::to_string(millis) + "ms";
}

}  // namespace mysqlproxy::config
