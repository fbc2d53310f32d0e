#include "config/password.hpp"

#include <cstdlib>

#include "config/read_file.hpp"

namespace mysqlproxy::config {
namespace {

std::string rule(std::string_view how_many, std::string_view base) {
  const std::string b(base);
  return "(set " + std::string(how_many) + " of " + b + ", " + b + "_env, " + b + "_file)";
}

// `base`, `base_env` or `base_file`.
bool is_source_of(std::string_view key, std::string_view base) {
  if (!key.starts_with(base)) return false;
  key.remove_prefix(base.size());
  return key.empty() || key == "_env" || key == "_file";
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
Result<const Mapping::Entry*> find_source(const Mapping& owner, std::string_view base,
                                          const std::string& rule) {
  const Mapping::Entry* source = nullptr;
  for (const Mapping::Entry& entry : owner.entries()) {
    if (!is_source_of(entry.key, base)) continue;
    if (source != nullptr) {
      return owner.reader().error(entry.key_mark, entry.value.path,
                                  "conflicts with " + source->key + " " + rule);
    }
    source = &entry;
  }
  return source;
}

Result<std::string> resolve(const Reader& reader, const Mapping::Entry& source,
                            const std::filesystem::path& base_dir) {
  auto text = reader.string(source.value);
  if (!text) return text.error();
  if (source.key.ends_with("_env")) return from_env(reader, source.value, *text);
  if (source.key.ends_with("_file")) return from_file(reader, source.value, *text, base_dir);
  return text;
}

}  // namespace

Result<std::string> read_password(const Mapping& user, const std::filesystem::path& base_dir) {
  const std::string exactly_one = rule("exactly one", "password");
  auto source = find_source(user, "password", exactly_one);
  if (!source) return source.error();
  if (*source == nullptr) {
    return user.reader().error(user.self(), "missing password " + exactly_one);
  }
  return resolve(user.reader(), **source, base_dir);
}

Result<std::optional<std::string>> read_optional_secret(const Mapping& owner, std::string_view base,
                                                        const std::filesystem::path& base_dir) {
  auto source = find_source(owner, base, rule("at most one", base));
  if (!source) return source.error();
  if (*source == nullptr) return std::optional<std::string>();
  auto secret = resolve(owner.reader(), **source, base_dir);
  if (!secret) return secret.error();
  return std::optional<std::string>(std::move(*secret));
}

Result<std::optional<std::string>> read_optional_password(const Mapping& owner,
                                                          const std::filesystem::path& base_dir) {
  return read_optional_secret(owner, "password", base_dir);
}

}  // namespace mysqlproxy::config
