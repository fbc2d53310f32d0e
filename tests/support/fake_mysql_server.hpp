#pragma once
// A MySQL server on loopback, on a thread of its own, that takes any login (MariaDB 10.11's
// greeting, mysql_native_password, no TLS) and answers OK to every command: enough for the proxy
// to open, lease and close backend connections. Counts logins and connections still open.
// Unlike ScriptedBackend it follows no script and runs its own thread, so that pools on several
// threads can share it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "proxy/net/asio.hpp"
#include "tests/support/hex.hpp"
#include "tests/support/packet_io.hpp"
#include "tests/support/server_answers.hpp"

namespace mysqlproxy::test {

class FakeMysqlServer {
 public:
  using Bytes = std::vector<std::uint8_t>;

  FakeMysqlServer() : acceptor_(io_, proxy::tcp::endpoint(proxy::asio::ip::make_address("127.0.0.1"), 0)) {
    proxy::asio::co_spawn(io_, accept_loop(), proxy::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~FakeMysqlServer() {
    io_.stop();
    thread_.join();
    // Pending operations must complete before the io_context goes (Asio's io_uring backend
    // destroys them after the socket service they point into): close, then let them finish.
    proxy::error_code ignored;
    acceptor_.close(ignored);
    for (auto* s : sockets_) s->close(ignored);
    io_.restart();
    io_.run_for(std::chrono::milliseconds(300));
  }

  FakeMysqlServer(const FakeMysqlServer&) = delete;
  FakeMysqlServer& operator=(const FakeMysqlServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  [[nodiscard]] int logins() const { return logins_.load(); }
  // Logged-in connections the client has not closed yet.
  [[nodiscard]] int open_connections() const { return open_.load(); }

  // MariaDB 10.11.19's greeting (tests/protocol/testdata/server_greeting_ssl.hex) with CLIENT_SSL
  // cleared: a plain-TCP server with mysql_native_password.
  static Bytes greeting() {
    return hex(
        "68 00 00 00 0a 35 2e 35 2e 35 2d 31 30 2e 31 31 2e 31 39 2d 4d 61 72 69 61 44 42 2d 30 2b 64 65"
        "62 31 32 75 31 2d 6c 6f 67 00 05 00 00 00 66 46 6c 6d 5d 69 78 43 00 fe f7 08 02 00 ff 81 15 00"
        "00 00 00 00 00 1d 00 00 00 22 7c 6f 38 66 79 4f 5d 65 65 4b 26 00 6d 79 73 71 6c 5f 6e 61 74 69"
        "76 65 5f 70 61 73 73 77 6f 72 64 00");
  }

 private:
  proxy::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(proxy::kUseTuple);
      if (ec) co_return;
      proxy::asio::co_spawn(io_, serve(std::move(socket)), proxy::asio::detached);
    }
  }

  proxy::awaitable<void> serve(proxy::tcp::socket socket) {
    sockets_.push_back(&socket);
    co_await answer(socket);
    std::erase(sockets_, &socket);
  }

  proxy::awaitable<void> answer(proxy::tcp::socket& socket) {
    if (co_await write_wire_packet(socket, greeting_payload(), 0)) co_return;
    proxy::error_code ec;
    auto packet = co_await read_wire_packet(socket, ec);  // the handshake response
    if (!packet) co_return;
    ++logins_;
    ++open_;
    const Bytes ok = ok_answer().front();
    for (;;) {
      if (co_await write_wire_packet(socket, ok, static_cast<std::uint8_t>(packet->seq + 1))) break;
      packet = co_await read_wire_packet(socket, ec);
      if (!packet) break;                                                   // closed
      if (!packet->payload.empty() && packet->payload[0] == 0x01) break;  // COM_QUIT
    }
    --open_;
  }

  static Bytes greeting_payload() {
    const Bytes framed = greeting();
    return Bytes(framed.begin() + 4, framed.end());
  }

  proxy::asio::io_context io_;
  proxy::tcp::acceptor acceptor_;
  std::vector<proxy::tcp::socket*> sockets_;  // the server's thread only
  std::atomic<int> logins_{0};
  std::atomic<int> open_{0};
  std::thread thread_;
};

}  // namespace mysqlproxy::test
