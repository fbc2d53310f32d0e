#pragma once
// ScriptedBackend: a MySQL server on loopback (127.0.0.1, a port of the kernel's choosing) that
// follows a script, standing in for a backend of the proxy under test, in the manner of
// Boost.MySQL's algo_test. Each connection logs in (a greeting offering mysql_native_password;
// any password passes), then follows the script given for it: expect this command, answer with
// these packets, close now, wait for the proxy to hang up. A packet the script did not expect
// fails the test, naming what came and what was expected, and closes that connection. What each
// connection received is kept for the test's assertions.
//
// It runs on the test's io_context; nothing here is thread-safe.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proxy/net/asio.hpp"
#include "tests/support/packet_io.hpp"
#include "tests/support/server_answers.hpp"

namespace mysqlproxy::test {

// A command the script expects, as failure messages name it.
struct PacketMatcher {
  std::string description;
  std::function<bool(const Bytes& payload)> matches;
};
PacketMatcher com_query(std::string sql);
PacketMatcher com_stmt_prepare(std::string sql);
PacketMatcher com_stmt_execute(std::uint32_t statement_id);  // whatever its parameters

// A command as logs and messages show it: "COM_QUERY SELECT 1", "COM_STMT_EXECUTE id=5", ...
std::string describe_command(const Bytes& payload);

// What one backend connection does after its login, step by step.
class ConnectionScript {
 public:
  enum class Kind { kExpect, kAnswer, kClose, kHangUp };
  struct Step {
    Kind kind = Kind::kExpect;
    PacketMatcher command;                 // kExpect
    Answer answer;                         // kAnswer: numbered from sequence id 1
    std::chrono::milliseconds pace{0};     // kAnswer: a pause before each packet after the first
  };

  // The proxy sends this command next.
  ConnectionScript& expect(PacketMatcher command);
  // The answer to it; `pace` makes it slow.
  ConnectionScript& answer(Answer packets, std::chrono::milliseconds pace = {});
  // The backend closes the connection now (right after expect(): before the answer's first byte).
  ConnectionScript& close();
  // The proxy closes the connection next: during the answer before this step, or after it.
  ConnectionScript& expect_hang_up();

  [[nodiscard]] const std::vector<Step>& steps() const { return steps_; }

 private:
  std::vector<Step> steps_;
};

class ScriptedBackend {
 public:
  ScriptedBackend(proxy::asio::io_context& io, std::string name);
  ~ScriptedBackend();
  ScriptedBackend(const ScriptedBackend&) = delete;
  ScriptedBackend& operator=(const ScriptedBackend&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }

  // The script for the next connection the proxy opens. A connection with no script left fails
  // the test and is closed before its greeting.
  void add_connection(ConnectionScript script);

  // Connections accepted so far.
  [[nodiscard]] std::size_t connections() const { return connections_.size(); }
  // What happened, in order: "conn 0: COM_QUERY SELECT 1", "conn 0: closed by the proxy",
  // "conn 1: closed by the script". Logins are not listed.
  [[nodiscard]] const std::vector<std::string>& log() const { return log_; }
  // Every command received, bytes and all, with the connection it came on.
  struct Received {
    std::size_t connection = 0;
    Bytes payload;
  };
  [[nodiscard]] const std::vector<Received>& received() const { return received_; }
  [[nodiscard]] bool closed_by_proxy(std::size_t connection) const;
  // Closed by either side (or by stop()).
  [[nodiscard]] bool closed(std::size_t connection) const;
  // Waits (at most `limit`) until the proxy has closed that connection.
  proxy::awaitable<bool> hang_up_seen(std::size_t connection,
                                      std::chrono::milliseconds limit = std::chrono::seconds(5)) const;

  // Fails the test for each connection whose script stopped short, and for scripted
  // connections that never came.
  void verify() const;
  // Closes the listener and every connection; the coroutines end on the io_context's next turns.
  void stop();
  // Every coroutine of this backend has ended.
  [[nodiscard]] bool stopped() const { return running_ == 0; }

 private:
  struct Connection {
    explicit Connection(proxy::tcp::socket s) : socket(std::move(s)) {}
    proxy::tcp::socket socket;
    std::size_t index = 0;
    bool scripted = false;
    ConnectionScript script;
    std::size_t next_step = 0;
    bool closed_by_proxy = false;
    bool closed = false;
  };

  proxy::awaitable<void> accept_loop();
  proxy::awaitable<void> serve(Connection& c);
  // Each returns false when the connection is over.
  proxy::awaitable<bool> log_in(Connection& c);
  proxy::awaitable<bool> run_step(Connection& c, const ConnectionScript::Step& step);
  proxy::awaitable<void> after_script(Connection& c);
  void note(const Connection& c, const std::string& what);
  void closed_by_proxy(Connection& c);
  void close(Connection& c);

  std::string name_;
  proxy::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::deque<ConnectionScript> scripts_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::string> log_;
  std::vector<Received> received_;
  int running_ = 0;
  bool stopping_ = false;
};

}  // namespace mysqlproxy::test
