#include "config/password.hpp"

#include <algorithm>
#include <cstdlib>

#include "config/read_file.hpp"

namespace mysqlproxy::config {
namespace {

constexpr std::string_view kExactlyOne =
    "(set exactly one of password, password_env, password_file)";
constexpr std::string_view kAtMostOne =
    "(set at most one of password, password_env, password_file)";

bool is_password_source(std::string_view key) {
  return std::ranges::find(kPasswordSources, key) != kPasswordSources.end();
}

Result<std::string> from_env(const Reader& reader, const Field& field, const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return reader.error(field, "environment variable \"" + name + "\" is not set");
  }
  return string_result(value);
}

Result<std::string> from_file(const Reader& reader, const Field& field, const std::string& name,
                              const std::filesystem::path& base_dir) {
  std::filesystem::path path(name);
  if (path.is_relative() && !base_dir.empty()) path = base_dir / path;
  auto content = read_file(path.string());
  if (!content) {
    return reader.error(field,
                        "cannot read \"" + path.string() + "\": " + content.error().message());
  }
  std::string password = std::move(*content);
  if (password.ends_with("\r\n")) {
    password.resize(password.size() - 2);
  } else if (password.ends_with('\n')) {
    password.pop_back();
  }
  return string_result(std::move(password));
}

// The one password entry of `owner`, nullptr when there is none, or a conflict error.
Result<const Mapping::Entry*> find_source(const Mapping& owner, std::string_view rule) {
  const Mapping::Entry* source = nullptr;
  for (const Mapping::Entry& entry : owner.entries()) {
    if (!is_password_source(entry.key)) continue;
    if (source != nullptr) {
      return owner.reader().error(entry.key_mark, entry.value.path,
                                  "conflicts with " + source->key + " " + std::string(rule));
    }
    source = &entry;
  }
  return source;
}

Result<std::string> resolve(const Reader& reader, const Mapping::Entry& source,
                            const std::filesystem::path& base_dir) {
  auto text = reader.string(source.value);
  if (!text) return text.error();
  if (source.key == "password_env") return from_env(reader, source.value, *text);
  if (source.key == "password_file") return from_file(reader, source.value, *text, base_dir);
  return text;
}

}  // namespace

Result<std::string> read_password(const Mapping& user, const std::filesystem::path& base_dir) {
  auto source = find_source(user, kExactlyOne);
  if (!source) return source.error();
  if (*source == nullptr) {
    return user.reader().error(user.self(), "missing password " + std::string(kExactlyOne));
  }
  return resolve(user.reader(), **source, base_dir);
}

Result<std::optional<std::string>> read_optional_password(const Mapping& owner,
                                                          const std::filesystem::path& base_dir) {
  auto source = find_source(owner, kAtMostOne);
  if (!source) return source.error();
  if (*source == nullptr) return std::optional<std::string>();
  auto password = resolve(owner.reader(), **source, base_dir);
  if (!password) return password.error();
  return std::optional<std::string>(std::move(*password));
}

}  // namespace mysqlproxy::config
