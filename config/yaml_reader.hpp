#pragma once
// Reader / Mapping: turn yaml-cpp nodes into typed values for the loader. Every failure becomes a
// ConfigError naming source, line, column and field path; every node visited is recorded in a
// SourceMap so validate_config() can point at lines too. Internal to config/.
#include <yaml-cpp/yaml.h>

#include <array>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/error.hpp"
#include "config/source_map.hpp"

namespace mysqlproxy::config {

// One YAML value and where it sits.
struct Field {
  YAML::Node node;
  std::string path;  // "backends[1].port"
  YAML::Mark mark;   // where errors about this value point
};

class Mapping;

class Reader {
 public:
  Reader(std::string_view source, SourceMap& marks) : source_(source), marks_(&marks) {}

  // The document's top-level node (an empty document is an empty mapping at 1:1).
  Field root(const YAML::Node& document) const;

  ConfigError error(const YAML::Mark& at, std::string_view path, std::string_view reason) const;
  ConfigError error(const Field& at, std::string_view reason) const {
    return error(at.mark, at.path, reason);
  }

  // A mapping whose keys are all in `allowed_keys`, each at most once. Null reads as empty so
  // "timeouts:" with everything commented out means "all defaults".
  Result<Mapping> mapping(const Field& field, std::span<const std::string_view> allowed_keys) const;
  // Null reads as empty.
  Result<std::vector<Field>> sequence(const Field& field) const;

  Result<std::string> string(const Field& field) const;
  Result<std::uint64_t> integer(const Field& field, std::uint64_t min, std::uint64_t max) const;
  Result<std::uint64_t> size(const Field& field, std::uint64_t min, std::uint64_t max) const;
  Result<std::chrono::milliseconds> duration(const Field& field, bool allow_zero) const;
  // YAML 1.2 core booleans only: true/false (also True/TRUE/False/FALSE). "yes"/"on" are errors,
  // because YAML 1.1 and 1.2 readers disagree about them.
  Result<bool> boolean(const Field& field) const;
  // Index into `names` of the scalar's value.
  Result<std::size_t> choice(const Field& field, std::span<const std::string_view> names) const;

 private:
  void record(const std::string& path, const YAML::Mark& mark) const;
  // The scalar's text, or the "expected <what>, got <node>" error.
  Result<std::string> scalar(const Field& field, std::string_view what) const;

  std::string_view source_;
  SourceMap* marks_;
};

// The checked entries of one YAML mapping, in document order.
class Mapping {
 public:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    Field value;
  };

  Mapping(const Reader& reader, Field self, std::vector<Entry> entries)
      : reader_(&reader), self_(std::move(self)), entries_(std::move(entries)) {}

  [[nodiscard]] const Field& self() const noexcept { return self_; }
  [[nodiscard]] const std::vector<Entry>& entries() const noexcept { return entries_; }
  [[nodiscard]] const Field* find(std::string_view key) const;
  [[nodiscard]] const Reader& reader() const noexcept { return *reader_; }

  // "<path>.<key>: missing required field", pointing at this mapping.
  [[nodiscard]] ConfigError missing(std::string_view key) const;

  // Each get_* leaves `out` untouched when the key is absent (the schema default stays).
  std::optional<ConfigError> get_string(std::string_view key, std::string& out) const;
  std::optional<ConfigError> require_string(std::string_view key, std::string& out) const;
  std::optional<ConfigError> get_duration(std::string_view key, std::chrono::milliseconds& out,
                                          bool allow_zero) const;
  std::optional<ConfigError> get_choice(std::string_view key, std::string& out,
                                        std::span<const std::string_view> names) const;
  std::optional<ConfigError> get_bool(std::string_view key, bool& out) const;

  template <std::unsigned_integral T>
  std::optional<ConfigError> get_integer(std::string_view key, T& out, T min, T max) const {
    return get_number(key, out, [&](const Field& f) { return reader_->integer(f, min, max); });
  }

  template <std::unsigned_integral T>
  std::optional<ConfigError> get_size(std::string_view key, T& out, T min, T max) const {
    return get_number(key, out, [&](const Field& f) { return reader_->size(f, min, max); });
  }

  // Enum values are spelled as to_string(value), found by ADL.
  template <class E, std::size_t N>
  std::optional<ConfigError> get_enum(std::string_view key, E& out,
                                      const std::array<E, N>& values) const {
    const Field* field = find(key);
    if (field == nullptr) return std::nullopt;
    std::array<std::string_view, N> names;
    for (std::size_t i = 0; i < N; ++i) names[i] = to_string(values[i]);
    auto index = reader_->choice(*field, names);
    if (!index) return index.error();
    out = values[*index];
    return std::nullopt;
  }

 private:
  template <class T, class Read>
  std::optional<ConfigError> get_number(std::string_view key, T& out, Read read) const {
    const Field* field = find(key);
    if (field == nullptr) return std::nullopt;
    auto value = read(*field);
    if (!value) return value.error();
    out = static_cast<T>(*value);  // the reader already checked the range
    return std::nullopt;
  }

  const Reader* reader_;
  Field self_;
  std::vector<Entry> entries_;
};

}  // namespace mysqlproxy::config
