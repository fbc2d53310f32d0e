#pragma once
// "Did you mean" support: a typo in a field or enum value should name the likely intended word.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace mysqlproxy::config {

// Levenshtein distance (insertions, deletions, substitutions), case-sensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` within edit distance 2 (the earliest one on a tie).
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

}  // namespace mysqlproxy::config
