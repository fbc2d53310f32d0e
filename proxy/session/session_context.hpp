#pragma once
// What every client session on a worker needs to see: the config in force and the identity the
// proxy presents. Shared read-mostly data is reached through atomically swapped pointers.
#include <atomic>
#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "proxy/server/server_identity.hpp"

namespace mysqlproxy::proxy {

class ConfigCell {
 public:
  explicit ConfigCell(std::shared_ptr<const config::Config> c) : current_(std::move(c)) {}
  [[nodiscard]] std::shared_ptr<const config::Config> get() const { return current_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const config::Config> c) { current_.store(std::move(c), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const config::Config>> current_;
};

struct SharedState {
  explicit SharedState(std::shared_ptr<const config::Config> cfg) : config(std::move(cfg)) {}
  ConfigCell config;
  ServerIdentityCell identity;
  std::atomic<std::uint64_t> next_session_id{1};
  std::atomic<std::int64_t> active_sessions{0};
};

}  // namespace mysqlproxy::proxy
