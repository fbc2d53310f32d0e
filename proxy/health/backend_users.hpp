#pragma once
// Accounts read from the primary's mysql.user (auth.backend_users), so clients may log in with any
// account the servers have, as MaxScale allows, not only the config's users. Pure parts here: which
// account a client login matches, and the user entry the login then checks. The loader thread is
// in backend_users_loader.*.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace mysqlproxy::proxy {

struct BackendAccount {
  std::string user;
  std::string host;         // a MySQL host pattern: %, localhost, 10.0.%, 10.0.0.0/255.255.0.0
  std::string plugin;       // mysql_native_password, "" (old rows), unix_socket, ...
  std::string auth_string;  // "*" + 40 hex for mysql_native_password, "" for no password
};

struct BackendUsers {
  std::vector<BackendAccount> accounts;
  std::chrono::steady_clock::time_point loaded_at{};
  std::uint64_t version = 0;  // 0: never loaded
};

// Does `pattern` (an account's host) cover a client at `client_ip`? `%` and `_` are wildcards,
// `localhost` and `127.0.0.1`/`::1` cover loopback clients, `a.b.c.d/m.m.m.m` is a network mask.
[[nodiscard]] bool host_matches(std::string_view pattern, std::string_view client_ip);

// How specific a host pattern is, as the server sorts accounts: literal hosts first, then
// patterns with wildcards later in the text, `%` last.
[[nodiscard]] int host_specificity(std::string_view pattern);

// The account `user` logs in with from `client_ip`: the most specific matching host whose plugin
// the proxy can check (mysql_native_password, or none with an empty password). Nothing when none.
[[nodiscard]] std::optional<BackendAccount> find_account(const BackendUsers& users, std::string_view user,
                                                         std::string_view client_ip);

// The user entry a login checks, for an account: its native hash as the password (checked like a
// configured hash; the backend login uses SHA1(password) recovered from the client's answer), or
// an empty password.
[[nodiscard]] config::UserConfig user_config_of(const BackendAccount& account);

// The query that reads the accounts (mysql.user is a view over mysql.global_priv on MariaDB 10.4+
// and a table on MySQL; both have these columns).
inline constexpr std::string_view kBackendUsersQuery =
    "SELECT user, host, plugin, authentication_string FROM mysql.user";

}  // namespace mysqlproxy::proxy
