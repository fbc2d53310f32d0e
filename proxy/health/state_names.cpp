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

std::string_view state_label(BackendState state) noexcept {
  switch (state) {
    case BackendState::kUp:
      return "up";
    case BackendState::kLagging:
      return "lagging";
    case BackendState::kDown:
      return "down";
    case BackendState::kDraining:
      return "draining";
  }
  return "unknown";
}

}  // namespace mysqlproxy::proxy
