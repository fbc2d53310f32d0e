#pragma once
// auth.backend_users: a thread of its own reads the primary's accounts (mysql.user) with the
// health monitor's credentials, on request and at least every minute, and publishes them whole.
// Sessions ask for a fresh copy when theirs is too old for a login (BackendUsersCell::request) and
// wait for it without blocking their worker.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "config/config.hpp"
#include "proxy/health/backend_users.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

class BackendUsersCell {
 public:
  BackendUsersCell() : current_(std::make_shared<const BackendUsers>()) {}
  [[nodiscard]] std::shared_ptr<const BackendUsers> get() const { return current_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const BackendUsers> users) { current_.store(std::move(users), std::memory_order_release); }
  // Asks the loader for a copy read after now.
  void request() {
    {
      std::lock_guard lock(mu_);
      requested_ = true;
    }
    cv_.notify_all();
  }
  // The loader's side: waits up to `period` for a request (or stop()); true when there was one.
  bool wait_for_request(std::chrono::milliseconds period);
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
  }
  [[nodiscard]] bool stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
  }

 private:
  std::atomic<std::shared_ptr<const BackendUsers>> current_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;
  bool stopping_ = false;
};

class BackendUsersLoader {
 public:
  BackendUsersLoader(BackendUsersCell& cell, const PoolSnapshotCell& pool) : cell_(cell), pool_(pool) {}
  ~BackendUsersLoader() { stop(); }
  BackendUsersLoader(const BackendUsersLoader&) = delete;
  BackendUsersLoader& operator=(const BackendUsersLoader&) = delete;

  void start(std::shared_ptr<const config::Config> cfg);
  void update_config(std::shared_ptr<const config::Config> cfg) { config_.store(std::move(cfg)); }
  void stop();

 private:
  void run();
  void load_once(const config::Config& cfg);

  BackendUsersCell& cell_;
  const PoolSnapshotCell& pool_;
  std::atomic<std::shared_ptr<const config::Config>> config_;
  std::thread thread_;
  std::uint64_t version_ = 0;
};

}  // namespace mysqlproxy::proxy
