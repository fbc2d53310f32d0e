#pragma once
// SessionRig: the test seam for ClientSession. Real sessions (run_client_session) run between
// ScriptedClients and three ScriptedBackends on one io_context in the test's thread, with no
// database server. The pool snapshot is the test's to publish, as the health monitor would:
// at first `primary` is the primary and `replica1`, `replica2` take reads (ids 1, 2, 3).
//
//   SessionRig rig;
//   rig.replica1.add_connection(ConnectionScript().expect(com_query("SELECT 1")).answer(...));
//   rig.run([&]() -> awaitable<void> {
//     ScriptedClient& client = co_await rig.connect();
//     auto answer = co_await client.query("SELECT 1");
//     ...
//   });
//   EXPECT_THAT(rig.replica1.log(), ...);   // after run(): nothing moves until the rig goes
//
// The rig's end closes the clients and backends, waits for every session to end, and fails the
// test for any scripted step that did not happen.
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "config/config.hpp"
#include "proxy/net/asio.hpp"
#include "proxy/session/session_context.hpp"
#include "tests/support/scripted_backend.hpp"
#include "tests/support/scripted_client.hpp"

namespace mysqlproxy::test {

class SessionRig {
 public:
  // The config has user app / secret (mysql_native_password, plaintext) and short timeouts;
  // `tune` may change it before the sessions see it.
  explicit SessionRig(const std::function<void(config::Config&)>& tune = {});
  ~SessionRig();
  SessionRig(const SessionRig&) = delete;
  SessionRig& operator=(const SessionRig&) = delete;

  proxy::asio::io_context io;  // first: it must outlive everything that runs on it
  ScriptedBackend primary{io, "primary"};
  ScriptedBackend replica1{io, "replica1"};
  ScriptedBackend replica2{io, "replica2"};

  struct Layout {
    ScriptedBackend* primary = nullptr;
    std::vector<ScriptedBackend*> replicas;  // up, taking reads
    std::vector<ScriptedBackend*> down;      // replicas marked down
  };
  // Publishes a new pool snapshot; sessions see it at their next command.
  void publish(const Layout& layout);
  // The backend's id in every snapshot (it keys the worker's pool).
  [[nodiscard]] std::uint32_t id_of(const ScriptedBackend& backend) const;

  // A client connected to a new session, logged in as app / secret.
  proxy::awaitable<ScriptedClient*> connect();
  // The n-th session's run_client_session has returned.
  [[nodiscard]] bool session_ended(std::size_t n = 0) const { return n < ended_.size() && ended_[n]; }
  // Waits (boundedly) for the n-th session to end.
  proxy::awaitable<bool> session_ends(std::size_t n = 0);

  proxy::SharedState& shared() { return *shared_; }
  proxy::WorkerContext& worker() { return *worker_; }

  // Runs `test` on the io_context until it returns. Past `limit`, the test fails, and the rig
  // closes every connection so the test's own waits end.
  void run(const std::function<proxy::awaitable<void>()>& test,
           std::chrono::milliseconds limit = std::chrono::seconds(20));

 private:
  // Runs the io_context until `done` holds, for at most `limit`; whether it does.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit);
  void close_everything();

  std::unique_ptr<proxy::SharedState> shared_;
  std::unique_ptr<proxy::WorkerContext> worker_;
  proxy::tcp::acceptor listener_;
  std::vector<std::unique_ptr<ScriptedClient>> clients_;
  std::vector<bool> ended_;
  std::uint64_t snapshot_version_ = 0;
};

}  // namespace mysqlproxy::test
