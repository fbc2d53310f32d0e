#pragma once
// Server: one io_context and thread per worker, each with its own acceptor on the shared port
// (SO_REUSEPORT lets the kernel spread connections), so a session and everything it touches
// live on one thread without locks.
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "proxy/net/asio.hpp"
#include "proxy/session/session_context.hpp"

namespace mysqlproxy::proxy {

class Server {
 public:
  Server(SharedState& shared, unsigned workers);
  ~Server();

  // Binds the listener on every worker; returns the error if the address can't be bound.
  error_code listen(const std::string& address, std::uint16_t port);
  void start();
  // SIGTERM: stop accepting; idle sessions outside a transaction end now, the others when their
  // transaction ends.
  void drain();
  // The drain timeout passed: end every session now.
  void close_sessions();
  // Every worker's pool takes the reloaded limits (pool sizes, timeouts) for new connections.
  void update_config(std::shared_ptr<const config::Config> cfg);
  void stop();  // stops accepting and ends every worker
  void join();
  [[nodiscard]] std::uint16_t bound_port() const noexcept { return bound_port_; }
  // Connections to a backend over all workers, right now; any thread.
  [[nodiscard]] BackendConnections connections(std::uint32_t backend_id) const noexcept;

 private:
  struct Worker {
    Worker(SharedState& shared, const config::Config& cfg) : context(shared, cfg) {}
    asio::io_context io{1};
    std::unique_ptr<tcp::acceptor> acceptor;
    WorkerContext context;
    std::thread thread;
    std::chrono::steady_clock::time_point last_limit_warning{};  // "max_client_connections reached", now and then
    // Worker thread only. stop() lets accept_loop end before the io_context stops: on io_uring an
    // accept cancelled by close() stays queued until its completion arrives, and one still queued
    // when the io_context is destroyed is destroyed after the socket service it uses
    // (chriskohlhoff/asio#1235, a use-after-free at exit).
    bool accepting = false;
    bool stopping = false;
  };
  awaitable<void> accept_loop(Worker& worker);
  awaitable<void> sweep_loop(Worker& worker);

  SharedState& shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::uint16_t bound_port_ = 0;
};

}  // namespace mysqlproxy::proxy
