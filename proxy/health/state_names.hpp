#pragma once
// How backend states are spelled: "UP", "LAGGING", ... in logs; "up", "lagging", ... as values in
// the admin API and metric labels. (Roles are spelled by config::to_string.)
#include <string_view>

#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

std::string_view state_name(BackendState state) noexcept;
std::string_view state_label(BackendState state) noexcept;

}  // namespace mysqlproxy::proxy
