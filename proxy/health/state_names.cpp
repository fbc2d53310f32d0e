#include "proxy/health/state_names.hpp"

namespace mysqlproxy::proxy {

std::string_view state_name(BackendState state) noexcept {
  switch (state) {
    case BackendState::kUp:
      return "UP";
    case BackendState::kLagging:
      return "LAGGING";
    case BackendState::kDown:
      return "DOWN";
    case BackendState::kDraining:
      return "DRAINING";
  }
  return "UNKNOWN";
}

std::string_view role_name(BackendRole role) noexcept {
  switch (role) {
    case BackendRole::kPrimary:
      return "primary";
    case BackendRole::kReplica:
      return "replica";
  }
  return "unknown";
}

}  // namespace mysqlproxy::proxy
