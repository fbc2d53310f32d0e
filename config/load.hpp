#pragma once
// Loading the proxy's YAML configuration: parse, convert to the schema structs, validate.
// Every failure is a ConfigError "<source>:<line>:<col>: <path>: <reason>"; nothing throws.
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/error.hpp"

namespace mysqlproxy::config {

// Config::source is `path`; a relative password_file is taken from the file's folder.
Result<Config> load_config_file(const std::string& path);

// Config::source is `source_name`; a relative password_file is taken from the working directory.
Result<Config> load_config_text(std::string_view yaml, std::string_view source_name = "<config>");

}  // namespace mysqlproxy::config
