// ClientSession: logins with the backends' own accounts (auth.backend_users).
#include "proxy/session/client_session_impl.hpp"

namespace mysqlproxy::proxy {

awaitable<std::shared_ptr<const config::UserConfig>> ClientSession::backend_user(std::string name) {
  if (!config_->auth.backend_users) co_return nullptr;
  BackendUsersCell& cell = shared_.backend_users;
  const auto asked = std::chrono::steady_clock::now();
  auto users = cell.get();
  if (users->version == 0 || asked - users->loaded_at > config_->auth.backend_users_refresh) {
    // Too old for this login (an account made, changed or dropped since): a copy read from now
    // on, waited for without blocking the worker, at most timeouts.connect.
    cell.request();
    asio::steady_timer pause(co_await asio::this_coro::executor);
    const auto deadline = asked + config_->timeouts.connect;
    while (std::chrono::steady_clock::now() < deadline) {
      users = cell.get();
      if (users->version != 0 && users->loaded_at >= asked) break;
      pause.expires_after(std::chrono::milliseconds(2));
      co_await pause.async_wait(kUseTuple);
    }
    users = cell.get();
  }
  const auto account = find_account(*users, name, peer_);
  if (!account) co_return nullptr;
  co_return std::make_shared<const config::UserConfig>(user_config_of(*account));
}

awaitable<const config::UserConfig*> ClientSession::resolve_login_user(std::string name) {
  backend_user_ = co_await backend_user(std::move(name));
  co_return backend_user_.get();
}

}  // namespace mysqlproxy::proxy
