#pragma once
// How backend states and roles are spelled in logs and in the admin API: "UP", "LAGGING", ...
#include <string_view>

#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

std::string_view state_name(BackendState state) noexcept;
std::string_view role_name(BackendRole role) noexcept;

}  // namespace mysqlproxy::proxy
