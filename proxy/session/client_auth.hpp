#pragma once
// Verifying a client's login answer against the users the proxy knows. Pure: no I/O.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace mysqlproxy::proxy {

// A fresh 20-byte scramble of printable bytes without NUL, as MySQL servers send.
[[nodiscard]] std::string make_scramble();

// True when `response` is the mysql_native_password answer to `scramble` for `user`'s password.
// A missing user never matches, and costs the same work, so timing tells nothing.
[[nodiscard]] bool verify_client_password(const config::UserConfig* user, std::span<const std::uint8_t> response,
                                          std::span<const std::uint8_t> scramble);

// The message a MySQL server gives for a failed login.
[[nodiscard]] std::string access_denied_message(std::string_view user, std::string_view host, bool used_password);

}  // namespace mysqlproxy::proxy
