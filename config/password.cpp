#include "config/password.hpp"

#include <algorithm>
#include <cstdlib>

#include "config/read_file.hpp"

namespace mysqlproxy::config {
namespace {

constexpr std::string_view kExactlyOne =
    "(set exactly one of password, password_env, password_file)";

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

}  // namespace

Result<std::string> read_password(const Mapping& user, const std::filesystem::path& base_dir) {
  const Reader& reader = user.reader();
  const Mapping::Entry* source = nullptr;
  for (const Mapping::Entry& entry : user.entries()) {
    if (!is_password_source(entry.key)) continue;
    if (source != nullptr) {
      return reader.error(entry.key_mark, entry.value.path,
                          "conflicts with " + source->key + " " + std::string(kExactlyOne));
    }
    source = &entry;
  }
  if (source == nullptr) {
    return reader.error(user.self(), "missing password " + std::string(kExactlyOne));
  }
  auto text = reader.string(source->value);
  if (!text) return text.error();
  if (source->key == "password_env") return from_env(reader, source->value, *text);
  if (source->key == "password_file") return from_file(reader, source->value, *text, base_dir);
  return text;
}

}  // namespace mysqlproxy::config
