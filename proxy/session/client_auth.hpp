#pragma once
// Checking a client's login answers against the users the proxy knows. Pure: no I/O.
//
// A missing user never matches and costs the same work, so timing tells nothing.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "protocol/auth.hpp"
#include "proxy/mysql_errors.hpp"

namespace mysqlproxy::proxy {

// A fresh 20-byte scramble of printable bytes without NUL, as MySQL servers send.
[[nodiscard]] std::string make_scramble();

// The plugin's name on the wire.
[[nodiscard]] std::string_view plugin_name(config::AuthPlugin plugin) noexcept;

struct NativeVerdict {
  bool ok = false;
  // SHA1(password), recovered from the answer when the config holds only the hash: what the proxy
  // needs to log in to backends as this user. Set only when ok and the password is not empty.
  std::optional<protocol::Sha1Digest> stage1;
};

// mysql_native_password: `response` answers `scramble` for `user`'s password (clear or hashed).
[[nodiscard]] NativeVerdict verify_native(const config::UserConfig* user, std::span<const std::uint8_t> response,
                                          std::span<const std::uint8_t> scramble);

// caching_sha2_password's SHA256(SHA256(password)); nullopt for an empty password.
[[nodiscard]] std::optional<protocol::Sha256Digest> sha2_stage2_of(const config::UserConfig& user);

// caching_sha2_password's fast path: the scramble answer alone.
[[nodiscard]] bool verify_sha2_scramble(const config::UserConfig* user, std::span<const std::uint8_t> response,
                                        std::span<const std::uint8_t> scramble);

// caching_sha2_password's full authentication: the clear-text password the client sent (over TLS,
// or decrypted from the RSA exchange), compared in constant time.
[[nodiscard]] bool verify_clear_password(const config::UserConfig* user, std::string_view candidate);

// tls.require or the user's require_tls, for a login (or COM_CHANGE_USER) without TLS: the
// message MySQL gives with ERR 3159; nullopt when the login may go on.
[[nodiscard]] std::optional<std::string> insecure_transport_refusal(const config::Config& cfg,
                                                                    const config::UserConfig& user, bool on_tls);

}  // namespace mysqlproxy::proxy
