#pragma once
// AdminServer: the admin API's HTTP/1.1 listener. One io_context on one thread of its own, one
// coroutine per connection, so a slow admin client never stalls the proxy or other admin
// clients. Dispatch is the AdminRouter's job; this class only speaks HTTP.
//
// A request's line and headers are read first and shown to the router (AdminRouter::refusal()):
// a request it refuses (no or a wrong token, unknown path) is answered without its body being
// read, so only an authorised caller can make the server buffer one (up to max_body_bytes).
//
// Ownership: the server shares ownership of the router (a shared_ptr to const), so the router
// outlives every in-flight request. Keep a non-const shared_ptr elsewhere to call set_tokens().
// Handlers run on the admin thread and are expected to be quick.
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "proxy/admin/admin_router.hpp"
#include "proxy/net/asio.hpp"

namespace mysqlproxy::proxy::admin {

// Admin connections served at once; the probes, Prometheus and an operator need a handful, and
// each one costs a coroutine and its buffers.
inline constexpr std::size_t kMaxAdminConnections = 64;

struct AdminServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = the kernel picks one; see bound_port()
  // Deadline for reading one whole request (headers and body) and for writing its response; it
  // also bounds how long an idle keep-alive connection stays open. Slowloris-safe.
  std::chrono::milliseconds request_timeout{10000};
  std::size_t max_body_bytes = 1 << 20;  // larger bodies get 413
  // Connections over this many are closed as soon as they are accepted, unanswered.
  std::size_t max_connections = kMaxAdminConnections;
};

class AdminServer {
 public:
  AdminServer(AdminServerOptions options, std::shared_ptr<const AdminRouter> router);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and listens now, so the caller can fail fast and report the port.
  error_code listen();
  [[nodiscard]] std::uint16_t bound_port() const noexcept { return bound_port_; }
  // Runs the accept loop on the admin thread. Needs a successful listen(); once only.
  void start();
  // Closes the listener and every open connection, then joins the thread. Idempotent, bounded
  // time (about a second at worst). Must not be called from a handler (the admin thread).
  void stop();

 private:
  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket);
  void close_all();

  AdminServerOptions options_;
  std::shared_ptr<const AdminRouter> router_;
  // Open connections, touched only on the admin thread. Declared before io_ so it outlives the
  // coroutine frames io_ destroys if stop() ever has to force the loop to end.
  std::set<tcp::socket*> connections_;
  std::size_t open_connections_ = 0;  // accepted and not yet ended; admin thread only
  bool refusing_ = false;             // warned of max_connections; again once under half; admin thread only
  bool stopping_ = false;             // admin thread only
  asio::io_context io_{1};
  std::optional<tcp::acceptor> acceptor_;
  std::uint16_t bound_port_ = 0;

  std::mutex lifecycle_mu_;  // start() vs stop()
  bool started_ = false;
  bool stopped_ = false;
  std::thread thread_;
  std::future<void> finished_;  // ready when the admin thread's loop has returned
};

}  // namespace mysqlproxy::proxy::admin
