#pragma once
// Why a login failed, as far as the throttle and mysql_proxy_login_failures_total care. A client
// that leaves or times out during the handshake is not a failure here: load-balancer health checks
// and port scanners connect and close all day.
#include <cstdint>
#include <string_view>

namespace mysqlproxy::proxy {

enum class LoginFailure : std::uint8_t {
  kNone,
  kWrongPassword,  // a configured user, a wrong answer
  kUnknownUser,    // no such user in the config
  kBadHandshake,   // a handshake response that does not decode, or broken framing
  kCount,
};

constexpr std::string_view to_string(LoginFailure f) noexcept {
  switch (f) {
    case LoginFailure::kNone: return "none";
    case LoginFailure::kWrongPassword: return "wrong_password";
    case LoginFailure::kUnknownUser: return "unknown_user";
    case LoginFailure::kBadHandshake: return "bad_handshake";
    case LoginFailure::kCount: break;
  }
  return "unknown";
}

}  // namespace mysqlproxy::proxy
