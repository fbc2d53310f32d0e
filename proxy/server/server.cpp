#include "proxy/server/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "proxy/mysql_errors.hpp"
#include "proxy/session/client_session.hpp"
#include "proxy/server/connection_refusal.hpp"

namespace mysqlproxy::proxy {
namespace {

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("session ended by an exception: {}", ex.what());
  }
}

}  // namespace

Server::Server(SharedState& shared, unsigned workers) : shared_(shared) {
  const auto cfg = shared.config.get();
  for (unsigned i = 0; i < std::max(1u, workers); ++i) {
    workers_.push_back(std::make_unique<Worker>(shared, *cfg));
    workers_.back()->context.pool.set_wait_histogram(&proxy_metrics().pool_wait);
  }
}

Server::~Server() {
  stop();
  join();
}

error_code Server::listen(const std::string& address, std::uint16_t port) {
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return ec;
  tcp::endpoint endpoint(ip, port);
  for (auto& w : workers_) {
    auto acceptor = std::make_unique<tcp::acceptor>(w->io);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->set_option(ReusePort(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    // Port 0 asks the kernel for one; the other workers then share it.
    endpoint.port(acceptor->local_endpoint().port());
    w->acceptor = std::move(acceptor);
  }
  bound_port_ = endpoint.port();
  return {};
}

void Server::start() {
  for (auto& w : workers_) {
    w->accepting = true;
    asio::co_spawn(w->io, accept_loop(*w), asio::detached);
    asio::co_spawn(w->io, sweep_loop(*w), asio::detached);
    w->thread = std::thread([&io = w->io] { io.run(); });
  }
}

awaitable<void> Server::accept_loop(Worker& worker) {
  for (;;) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(kUseTuple);
    if (ec == asio::error::operation_aborted || !worker.acceptor->is_open()) {
      worker.accepting = false;
      if (worker.stopping) worker.io.stop();  // stop() waited for this
      co_return;
    }
    if (ec) {
      // Out of file descriptors and the like: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(worker.io, std::chrono::milliseconds(50));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    proxy_metrics().clients_accepted.inc();
    const auto cfg = shared_.config.get();
    auto slot = shared_.limits.open_client(cfg->limits.max_client_connections);
    if (!slot) {
      // ERR 1040 instead of the greeting, as MySQL does at max_connections.
      proxy_metrics().rejected_max_connections.inc();
      const auto now = std::chrono::steady_clock::now();
      if (now - worker.last_limit_warning >= std::chrono::seconds(10)) {
        worker.last_limit_warning = now;
        spdlog::warn("limits.max_client_connections ({}) reached: refusing new clients with ERR 1040",
                     cfg->limits.max_client_connections);
      }
      asio::co_spawn(worker.io,
                     refuse_connection(std::move(socket), refusal_frame(kErrTooManyConnections.code, kErrTooManyConnections.message),
                                       cfg->timeouts.handshake),
                     log_exception);
      continue;
    }
    asio::co_spawn(worker.io, run_client_session(std::move(socket), worker.context, std::move(*slot)), log_exception);
  }
}

// Every 200 ms: abandon statements in flight on backends the health monitor has just marked
// DOWN. Once a second: close pooled connections idle too long, or to backends that are down or
// gone, and let each session act on a stalled command (timeouts.query, timeouts.client_stall).
awaitable<void> Server::sweep_loop(Worker& worker) {
  constexpr auto kTick = std::chrono::milliseconds(200);
  constexpr int kTicksPerSweep = 5;
  asio::steady_timer timer(worker.io);
  std::uint64_t seen_version = 0;
  std::vector<std::uint32_t> down;
  for (int tick = 1;; ++tick) {
    timer.expires_after(kTick);
    auto [ec] = co_await timer.async_wait(kUseTuple);
    if (ec) co_return;
    const auto snap = shared_.pool.get();
    // (A session acting here only closes sockets or spawns work: none leaves the set meanwhile.)
    if (snap->version != seen_version) {
      seen_version = snap->version;
      down.clear();
      for (const auto& b : snap->backends) {
        if (b.state == BackendState::kDown) down.push_back(b.id);
      }
      if (!down.empty()) {
        for (WorkerSession* s : worker.context.sessions) s->abandon_statements_on(down);
      }
    }
    if (tick % kTicksPerSweep != 0) continue;
    const auto now = std::chrono::steady_clock::now();
    for (WorkerSession* s : worker.context.sessions) s->sweep(now);
    worker.context.pool.sweep(now, [&](std::uint32_t id) {
      for (const auto& b : snap->backends) {
        if (b.id == id) return b.state != BackendState::kDown;
      }
      return false;
    });
  }
}

void Server::drain() {
  for (auto& w : workers_) {
    asio::post(w->io, [&w = *w] {
      error_code ignored;
      if (w.acceptor) w.acceptor->close(ignored);
      // drain() may end a session, which then leaves the set: iterate over a copy.
      const std::vector<WorkerSession*> sessions(w.context.sessions.begin(), w.context.sessions.end());
      for (WorkerSession* s : sessions) s->drain();
    });
  }
}

void Server::close_sessions() {
  for (auto& w : workers_) {
    asio::post(w->io, [&w = *w] {
      const std::vector<WorkerSession*> sessions(w.context.sessions.begin(), w.context.sessions.end());
      for (WorkerSession* s : sessions) s->force_close();
    });
  }
}

void Server::update_config(std::shared_ptr<const config::Config> cfg) {
  for (auto& w : workers_) {
    asio::post(w->io, [&w = *w, cfg] { w.context.pool.update_config(*cfg); });
  }
}

BackendConnections Server::connections(std::uint32_t backend_id) const noexcept {
  BackendConnections c;
  c.open = static_cast<std::uint32_t>(
      std::max(0, shared_.connections.open[backend_id % kMaxBackends].load(std::memory_order_relaxed)));
  std::uint32_t in_use = 0;
  for (const auto& w : workers_) in_use += w->context.pool.in_use(backend_id);
  // The counters are read one after another while workers go on: keep the three consistent.
  c.in_use = std::min(c.open, in_use);
  c.idle = c.open - c.in_use;
  return c;
}

void Server::stop() {
  for (auto& w : workers_) {
    asio::post(w->io, [&w = *w] {
      error_code ignored;
      w.stopping = true;
      if (w.acceptor) w.acceptor->close(ignored);
      // A pending accept completes (cancelled) first; accept_loop then stops the io_context.
      if (!w.accepting) w.io.stop();
    });
  }
}

void Server::join() {
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

}  // namespace mysqlproxy::proxy
