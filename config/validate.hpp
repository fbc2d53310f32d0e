#pragma once
// validate_config: the checks that need more than one field (exactly one primary, unique names,
// at least one backend and user) plus the range invariants a Config built in code could break.
// The loader runs it; code that builds a Config by hand should too.
#include "config/config.hpp"
#include "config/error.hpp"
#include "config/source_map.hpp"

namespace mysqlproxy::config {

// `marks` (filled by the loader) lets errors name the offending line; without it they name
// only config.source and the field path.
Result<void> validate_config(const Config& config, const SourceMap& marks = SourceMap{});

}  // namespace mysqlproxy::config
