#include "config/yaml_reader.hpp"

#include <algorithm>

#include "config/config.hpp"
#include "config/scalars.hpp"
#include "config/suggest.hpp"

namespace mysqlproxy::config {
namespace {

// Long values are cut so one bad line cannot flood the log.
constexpr std::size_t kMaxQuotedLength = 40;

std::optional<Location> to_location(const YAML::Mark& mark) {
  if (mark.is_null()) return std::nullopt;
  return Location{mark.line + 1, mark.column + 1};
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (char c : text) {
    if (shown++ == kMaxQuotedLength) {
      out += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + '"';
}

// What the operator wrote, for "got ..." in messages.
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return quote(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view word : words) {
    if (!out.empty()) out += ", ";
    out += word;
  }
  return out;
}

std::string child_path(std::string_view parent, std::string_view key) {
  std::string path(parent);
  if (!path.empty()) path += '.';
  path += key;
  return path;
}

// yaml-cpp marks an empty value ("port:" at the end of a line) at the next token, often on the
// next line, so errors about null values point at their key instead.
YAML::Mark value_mark(const YAML::Node& value, const YAML::Mark& fallback) {
  if (value.IsNull() || value.Mark().is_null()) return fallback;
  return value.Mark();
}

std::string unknown_field_reason(std::string_view key, std::span<const std::string_view> allowed) {
  // yaml-cpp 0.7 reads "<<" as an ordinary key, so say why it fails rather than list the fields.
  if (key == "<<") return "merge keys (<<) are not supported; repeat the fields instead";
  if (auto match = closest_match(key, allowed)) {
    return "unknown field (did you mean \"" + std::string(*match) + "\"?)";
  }
  return "unknown field (expected one of " + join(allowed) + ")";
}

}  // namespace

Field Reader::root(const YAML::Node& document) const {
  YAML::Mark start;  // 0:0, the top of the file
  Field field{document, "", value_mark(document, start)};
  record(field.path, field.mark);
  return field;
}

void Reader::record(const std::string& path, const YAML::Mark& mark) const {
  if (auto at = to_location(mark)) marks_->add(path, *at);
}

ConfigError Reader::error(const YAML::Mark& at, std::string_view path,
                          std::string_view reason) const {
  return make_error(source_, to_location(at), path, reason);
}

Result<Mapping> Reader::mapping(const Field& field,
                                std::span<const std::string_view> allowed_keys) const {
  if (field.node.IsNull()) return Mapping(*this, field, {});
  if (!field.node.IsMap()) return error(field, "expected a mapping, got " + describe(field.node));
  std::vector<Mapping::Entry> entries;
  for (const auto& item : field.node) {
    const YAML::Node& key = item.first;
    if (!key.IsScalar()) {
      return error(value_mark(key, field.mark), field.path,
                   "expected a field name, got " + describe(key));
    }
    const std::string& name = key.Scalar();
    std::string path = child_path(field.path, name);
    if (std::find(allowed_keys.begin(), allowed_keys.end(), name) == allowed_keys.end()) {
      return error(key.Mark(), path, unknown_field_reason(name, allowed_keys));
    }
    for (const Mapping::Entry& earlier : entries) {
      if (earlier.key == name) {
        return error(key.Mark(), path,
                     "duplicate field (already set at line " +
                         std::to_string(earlier.key_mark.line + 1) + ")");
      }
    }
    Field value{item.second, std::move(path), value_mark(item.second, key.Mark())};
    record(value.path, value.mark);
    entries.push_back({name, key.Mark(), std::move(value)});
  }
  return Mapping(*this, field, std::move(entries));
}

Result<std::vector<Field>> Reader::sequence(const Field& field) const {
  std::vector<Field> items;
  if (field.node.IsNull()) return items;
  if (!field.node.IsSequence()) {
    return error(field, "expected a sequence, got " + describe(field.node));
  }
  for (std::size_t i = 0; i < field.node.size(); ++i) {
    YAML::Node item = field.node[i];
    Field entry{item, field.path + "[" + std::to_string(i) + "]", value_mark(item, field.mark)};
    record(entry.path, entry.mark);
    items.push_back(std::move(entry));
  }
  return items;
}

Result<std::string> Reader::scalar(const Field& field, std::string_view what) const {
  if (!field.node.IsScalar()) {
    return error(field, "expected " + std::string(what) + ", got " + describe(field.node));
  }
  return string_result(field.node.Scalar());
}

Result<std::string> Reader::string(const Field& field) const { return scalar(field, "a string"); }

Result<std::uint64_t> Reader::integer(const Field& field, std::uint64_t min,
                                      std::uint64_t max) const {
  std::string what = "an integer " + std::to_string(min) + ".." + std::to_string(max);
  auto text = scalar(field, what);
  if (!text) return text.error();
  auto value = parse_unsigned(*text);
  if (!value || *value < min || *value > max) {
    return error(field, "expected " + what + ", got " + quote(*text));
  }
  return *value;
}

Result<std::uint64_t> Reader::size(const Field& field, std::uint64_t min, std::uint64_t max) const {
  auto text = scalar(field, "a size such as 65536, 64KiB or 16MiB");
  if (!text) return text.error();
  auto value = parse_size(*text);
  if (!value) {
    return error(field, "expected a size such as 65536, 64KiB or 16MiB, got " + quote(*text));
  }
  if (*value < min || *value > max) {
    return error(field, "expected a size " + format_size(min) + ".." + format_size(max) + ", got " +
                            quote(*text));
  }
  return *value;
}

Result<std::chrono::milliseconds> Reader::duration(const Field& field, bool allow_zero) const {
  auto text = scalar(field, "a duration such as 500ms or 2s");
  if (!text) return text.error();
  auto value = parse_duration(*text);
  if (!value) return error(field, "expected a duration such as 500ms or 2s, got " + quote(*text));
  if (!allow_zero && value->count() == 0) {
    return error(field, "expected a duration greater than 0, got " + quote(*text));
  }
  if (*value > kMaxTimeout) {
    return error(field, "expected a duration of at most " + format_duration(kMaxTimeout) +
                            ", got " + quote(*text));
  }
  return *value;
}

Result<bool> Reader::boolean(const Field& field) const {
  auto text = scalar(field, "true or false");
  if (!text) return text.error();
  if (*text == "true" || *text == "True" || *text == "TRUE") return true;
  if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  return error(field, "expected true or false, got " + quote(*text));
}

Result<std::size_t> Reader::choice(const Field& field,
                                   std::span<const std::string_view> names) const {
  std::string what = "one of " + join(names);
  auto text = scalar(field, what);
  if (!text) return text.error();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == *text) return i;
  }
  std::string reason = "expected " + what + ", got " + quote(*text);
  if (auto match = closest_match(*text, names)) {
    reason += " (did you mean \"" + std::string(*match) + "\"?)";
  }
  return error(field, reason);
}

const Field* Mapping::find(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

ConfigError Mapping::missing(std::string_view key) const {
  return reader_->error(self_.mark, child_path(self_.path, key), "missing required field");
}

std::optional<ConfigError> Mapping::get_string(std::string_view key, std::string& out) const {
  const Field* field = find(key);
  if (field == nullptr) return std::nullopt;
  auto value = reader_->string(*field);
  if (!value) return value.error();
  out = std::move(*value);
  return std::nullopt;
}

std::optional<ConfigError> Mapping::require_string(std::string_view key, std::string& out) const {
  if (find(key) == nullptr) return missing(key);
  return get_string(key, out);
}

std::optional<ConfigError> Mapping::get_duration(std::string_view key,
                                                 std::chrono::milliseconds& out,
                                                 bool allow_zero) const {
  return get_number(key, out, [&](const Field& f) { return reader_->duration(f, allow_zero); });
}

std::optional<ConfigError> Mapping::get_choice(std::string_view key, std::string& out,
                                               std::span<const std::string_view> names) const {
  const Field* field = find(key);
  if (field == nullptr) return std::nullopt;
  auto index = reader_->choice(*field, names);
  if (!index) return index.error();
  out = std::string(names[*index]);
  return std::nullopt;
}

std::optional<ConfigError> Mapping::get_bool(std::string_view key, bool& out) const {
  const Field* field = find(key);
  if (field == nullptr) return std::nullopt;
  auto value = reader_->boolean(*field);
  if (!value) return value.error();
  out = *value;
  return std::nullopt;
}

}  // namespace mysqlproxy::config
