#pragma once
// A password (or another secret) comes from exactly one source: inline (password), an environment variable
// (password_env) or a file such as a mounted Kubernetes secret (password_file).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config/error.hpp"
#include "config/yaml_reader.hpp"

namespace mysqlproxy::config {

// The resolved password of one `users[i]` mapping. A relative password_file is taken from
// `base_dir` (the config file's folder; empty = the working directory), and one trailing
// newline is stripped because editors and `echo` add it.
Result<std::string> read_password(const Mapping& user, const std::filesystem::path& base_dir);

// The same for a mapping where the password is optional (health: the monitor's credentials): at
// most one source; nullopt when none is set.
Result<std::optional<std::string>> read_optional_password(const Mapping& owner,
                                                          const std::filesystem::path& base_dir);

// Any secret read the same way from `base`, `base_env` or `base_file` (e.g. admin.token): at
// most one source; nullopt when none is set.
Result<std::optional<std::string>> read_optional_secret(const Mapping& owner, std::string_view base,
                                                        const std::filesystem::path& base_dir);

}  // namespace mysqlproxy::config
