#pragma once
// ConnectionLimits: client connections counted over all workers, overall and per user, against
// limits the caller passes in (the config in force, so a reload applies to the next connection).
// A slot is an RAII object: whichever way a session ends, its destructor gives the count back.
//
// The overall count takes a connection from accept to close (logins in progress included, as
// MySQL's max_connections does); the per-user count takes a session from its successful login
// (or COM_CHANGE_USER) to its end. Both checks are exact: a compare-and-swap on one atomic for
// the overall count, a lock around a small map for users (logins are not the hot path).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mysqlproxy::proxy {

class ConnectionLimits {
 public:
  class ClientSlot {
   public:
    ClientSlot() = default;
    ClientSlot(ClientSlot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
    ClientSlot& operator=(ClientSlot&& o) noexcept;
    ClientSlot(const ClientSlot&) = delete;
    ClientSlot& operator=(const ClientSlot&) = delete;
    ~ClientSlot() { reset(); }
    void reset() noexcept;
    [[nodiscard]] bool held() const noexcept { return owner_ != nullptr; }

   private:
    friend class ConnectionLimits;
    explicit ClientSlot(ConnectionLimits* owner) : owner_(owner) {}
    ConnectionLimits* owner_ = nullptr;
  };

  class UserSlot {
   public:
    UserSlot() = default;
    UserSlot(UserSlot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), user_(std::move(o.user_)) {}
    UserSlot& operator=(UserSlot&& o) noexcept;
    UserSlot(const UserSlot&) = delete;
    UserSlot& operator=(const UserSlot&) = delete;
    ~UserSlot() { reset(); }
    void reset() noexcept;
    [[nodiscard]] bool held() const noexcept { return owner_ != nullptr; }
    [[nodiscard]] const std::string& user() const noexcept { return user_; }

   private:
    friend class ConnectionLimits;
    UserSlot(ConnectionLimits* owner, std::string user) : owner_(owner), user_(std::move(user)) {}
    ConnectionLimits* owner_ = nullptr;
    std::string user_;
  };

  ConnectionLimits() = default;
  ConnectionLimits(const ConnectionLimits&) = delete;
  ConnectionLimits& operator=(const ConnectionLimits&) = delete;

  // A client connection, unless `max` (0 = no limit) are open already.
  [[nodiscard]] std::optional<ClientSlot> open_client(std::uint32_t max) noexcept;
  // A session of `user`, unless it has `max` (0 = no limit) already.
  [[nodiscard]] std::optional<UserSlot> open_user(const std::string& user, std::uint32_t max);

  // Client connections open now, over all workers.
  [[nodiscard]] std::uint32_t clients() const noexcept { return clients_.load(std::memory_order_relaxed); }
  // Sessions of `user` now.
  [[nodiscard]] std::uint32_t sessions_of(const std::string& user) const;
  // Every user with a session now, and how many.
  [[nodiscard]] std::vector<std::pair<std::string, std::uint32_t>> users() const;

 private:
  void close_client() noexcept;
  void close_user(const std::string& user) noexcept;

  std::atomic<std::uint32_t> clients_{0};
  mutable std::mutex users_mu_;
  std::unordered_map<std::string, std::uint32_t> users_;  // only users with a session
};

// Each client connection needs a file descriptor: raises the soft RLIMIT_NOFILE to the hard one
// (as MySQL does for open_files_limit) and returns the descriptors the process may open now.
std::uint64_t raise_file_limit() noexcept;

}  // namespace mysqlproxy::proxy
