#include "tests/support/session_rig.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "proxy/session/client_session.hpp"

namespace mysqlproxy::test {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const config::Config> rig_config(const std::function<void(config::Config&)>& tune) {
  auto cfg = std::make_shared<config::Config>();
  config::UserConfig app;
  app.name = "app";
  app.password = "secret";
  cfg->users.push_back(app);
  // Short enough that a backend which never answers fails a test in seconds.
  cfg->timeouts.connect = 1s;
  cfg->pool.acquire_timeout = 1s;
  cfg->admin.enabled = false;
  if (tune) tune(*cfg);
  return cfg;
}

std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "an exception of unknown type";
  }
}

// When even closing every connection does not end the test, nothing more can be learnt and the
// frames still running point into the rig: end the process rather than hang or crash later.
[[noreturn]] void give_up(const char* what) {
  std::fprintf(stderr, "SessionRig: %s within 10 s of closing every connection: aborting\n", what);
  std::abort();
}

}  // namespace

SessionRig::SessionRig(const std::function<void(config::Config&)>& tune)
    : listener_(io, proxy::tcp::endpoint(proxy::asio::ip::make_address("127.0.0.1"), 0)) {
  std::signal(SIGPIPE, SIG_IGN);  // as mysql-proxy does: a write to a closed peer is an error, not death
  const auto cfg = rig_config(tune);
  shared_ = std::make_unique<proxy::SharedState>(cfg);
  worker_ = std::make_unique<proxy::WorkerContext>(*shared_, *cfg);
  publish({&primary, {&replica1, &replica2}, {}});
}

SessionRig::~SessionRig() {
  close_everything();
  const bool all_ended = run_until(
      [&] {
        for (bool e : ended_) {
          if (!e) return false;
        }
        return primary.stopped() && replica1.stopped() && replica2.stopped();
      },
      10s);
  if (!all_ended) give_up("a session or a scripted backend did not end");
  // Cancellations still in flight (timers, io_uring) complete before the io_context goes.
  io.restart();
  io.run_for(20ms);
  primary.verify();
  replica1.verify();
  replica2.verify();
}

std::uint32_t SessionRig::id_of(const ScriptedBackend& backend) const {
  if (&backend == &primary) return 1;
  if (&backend == &replica1) return 2;
  return 3;
}

void SessionRig::publish(const Layout& layout) {
  auto snap = std::make_shared<proxy::PoolSnapshot>();
  snap->version = ++snapshot_version_;
  const auto add = [&](const ScriptedBackend* b, proxy::BackendRole role, proxy::BackendState state) {
    proxy::BackendStatus s;
    s.id = id_of(*b);
    s.name = b->name();
    s.host = "127.0.0.1";
    s.port = b->port();
    s.role = role;
    s.state = state;
    snap->backends.push_back(s);
  };
  if (layout.primary != nullptr) {
    snap->primary = snap->backends.size();
    add(layout.primary, proxy::BackendRole::kPrimary, proxy::BackendState::kUp);
  }
  for (const auto* r : layout.replicas) add(r, proxy::BackendRole::kReplica, proxy::BackendState::kUp);
  for (const auto* d : layout.down) add(d, proxy::BackendRole::kReplica, proxy::BackendState::kDown);
  snap->reads_fall_back_to_primary = layout.replicas.empty();
  shared_->pool.set(std::move(snap));
}

proxy::awaitable<ScriptedClient*> SessionRig::connect() {
  // Loopback, blocking: the kernel completes the connection from the listen queue at once.
  proxy::tcp::socket client_side(io);
  proxy::tcp::socket session_side(io);
  client_side.connect(listener_.local_endpoint());
  listener_.accept(session_side);
  auto slot = shared_->limits.open_client(0);
  const std::size_t n = ended_.size();
  ended_.push_back(false);
  proxy::asio::co_spawn(io, proxy::run_client_session(std::move(session_side), *worker_, std::move(*slot)),
                        [this, n](std::exception_ptr e) {
                          ended_[n] = true;
                          if (e) ADD_FAILURE() << "session " << n << " ended by an exception: " << describe(e);
                        });
  clients_.push_back(std::make_unique<ScriptedClient>(std::move(client_side)));
  ScriptedClient* client = clients_.back().get();
  const bool logged_in = co_await client->login("app", "secret");
  EXPECT_TRUE(logged_in) << "the login of client " << n << " failed";
  co_return client;
}

proxy::awaitable<bool> SessionRig::session_ends(std::size_t n) {
  co_return co_await eventually([this, n] { return session_ended(n); }, ScriptedClient::kWait);
}

void SessionRig::run(const std::function<proxy::awaitable<void>()>& test, std::chrono::milliseconds limit) {
  auto finished = std::make_shared<bool>(false);
  proxy::asio::co_spawn(io, test(), [finished](std::exception_ptr e) {
    *finished = true;
    if (e) ADD_FAILURE() << "the test ended by an exception: " << describe(e);
  });
  if (run_until([&] { return *finished; }, limit)) return;
  ADD_FAILURE() << "the test did not finish within " << limit.count() << " ms";
  close_everything();
  if (!run_until([&] { return *finished; }, 10s)) give_up("the test did not end");
}

bool SessionRig::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return true;
}

void SessionRig::close_everything() {
  for (auto& c : clients_) c->close();
  primary.stop();
  replica1.stop();
  replica2.stop();
}

}  // namespace mysqlproxy::test
