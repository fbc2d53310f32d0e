#pragma once
// A MySQL server on loopback, on a thread of its own, that offers TLS and answers OK to the login
// and to every command: enough for a client to connect through it. What it sends along with its
// greeting, which certificate each connection gets, and the TLS 1.2 suites it accepts are the
// test's to choose: it stands in for a backend, or for someone on the path to one.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <openssl/ssl.h>

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "proxy/net/asio.hpp"
#include "tests/proxy/test_pki.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::test {

class FakeTlsServer {
 public:
  using Bytes = std::vector<std::uint8_t>;

  struct Options {
    Bytes greeting = mariadb_greeting();  // wire bytes (seq 0); must offer CLIENT_SSL
    Bytes sent_with_greeting;    // more bytes in the same write as the greeting (injected)
    bool answer_login = true;    // false: say nothing once the login arrives over TLS
    // Which of the certificates the n-th connection (from 0) shows.
    std::function<std::size_t(int connection)> certificate_for = [](int) { return std::size_t{0}; };
    std::string tls12_ciphers;   // not empty: the only TLS 1.2 suites accepted, and TLS 1.2 at most
    // How long the server takes before the TLS handshake and before each answer: a backend some
    // network away, or busy.
    std::chrono::milliseconds answer_delay{0};
  };

  FakeTlsServer(std::vector<TestKeyAndCertificate> certificates, Options options)
      : options_(std::move(options)),
        acceptor_(io_, proxy::tcp::endpoint(proxy::asio::ip::make_address("127.0.0.1"), 0)) {
    for (const auto& c : certificates) {
      auto ctx = std::make_shared<proxy::asio::ssl::context>(proxy::asio::ssl::context::tls_server);
      ctx->use_certificate_chain(proxy::asio::buffer(c.cert_pem));
      ctx->use_private_key(proxy::asio::buffer(c.key_pem), proxy::asio::ssl::context::pem);
      if (!options_.tls12_ciphers.empty()) {
        SSL_CTX_set_max_proto_version(ctx->native_handle(), TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(ctx->native_handle(), options_.tls12_ciphers.c_str());
      }
      contexts_.push_back(std::move(ctx));
    }
    proxy::asio::co_spawn(io_, accept_loop(), proxy::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~FakeTlsServer() {
    io_.stop();
    thread_.join();
    // Pending operations must complete (the accept aborted, reads of closed clients ended) before
    // the io_context goes: Asio's io_uring backend destroys pending operations after the socket
    // service they point into, and its cancellations arrive through the ring, not at once.
    proxy::error_code ignored;
    acceptor_.close(ignored);
    io_.restart();
    io_.run_for(std::chrono::milliseconds(300));
  }

  FakeTlsServer(const FakeTlsServer&) = delete;
  FakeTlsServer& operator=(const FakeTlsServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] int tls_handshakes() const { return tls_handshakes_.load(); }
  [[nodiscard]] int logins() const { return logins_.load(); }  // handshake responses read over TLS

  // MariaDB 10.11.19's greeting with TLS configured (CLIENT_SSL offered), as captured in
  // tests/protocol/testdata/server_greeting_ssl.hex; mysql_native_password.
  static Bytes mariadb_greeting() {
    return hex(
        "68 00 00 00 0a 35 2e 35 2e 35 2d 31 30 2e 31 31 2e 31 39 2d 4d 61 72 69 61 44 42 2d 30 2b 64 65"
        "62 31 32 75 31 2d 6c 6f 67 00 05 00 00 00 66 46 6c 6d 5d 69 78 43 00 fe ff 08 02 00 ff 81 15 00"
        "00 00 00 00 00 1d 00 00 00 22 7c 6f 38 66 79 4f 5d 65 65 4b 26 00 6d 79 73 71 6c 5f 6e 61 74 69"
        "76 65 5f 70 61 73 73 77 6f 72 64 00");
  }

  // An OK packet's wire bytes with sequence id `seq`.
  static Bytes ok_packet(std::uint8_t seq) {
    Bytes ok = hex("07 00 00 00 00 00 00 02 00 00 00");
    ok[3] = seq;
    return ok;
  }

 private:
  using TlsStream = proxy::asio::ssl::stream<proxy::tcp::socket>;

  template <class Stream>
  static proxy::awaitable<bool> read_packet(Stream& s, Bytes& payload, std::uint8_t& seq) {
    std::uint8_t header[4];
    const auto header_buffer = proxy::asio::buffer(header);
    auto [hec, hn] = co_await proxy::asio::async_read(s, header_buffer, proxy::kUseTuple);
    if (hec) co_return false;
    payload.resize(header[0] | (header[1] << 8) | (header[2] << 16));
    seq = header[3];
    const auto payload_buffer = proxy::asio::buffer(payload);
    auto [pec, pn] = co_await proxy::asio::async_read(s, payload_buffer, proxy::kUseTuple);
    co_return !pec;
  }

  proxy::awaitable<void> pause() {
    if (options_.answer_delay.count() == 0) co_return;
    proxy::asio::steady_timer timer(io_, options_.answer_delay);
    auto [ec] = co_await timer.async_wait(proxy::kUseTuple);
    (void)ec;
  }

  proxy::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(proxy::kUseTuple);
      if (ec) co_return;
      const int n = connections_++;
      proxy::asio::co_spawn(io_, serve(std::move(socket), n), proxy::asio::detached);
    }
  }

  proxy::awaitable<void> serve(proxy::tcp::socket socket, int n) {
    Bytes first = options_.greeting;
    first.insert(first.end(), options_.sent_with_greeting.begin(), options_.sent_with_greeting.end());
    const auto first_buffer = proxy::asio::buffer(first);
    auto [wec, wn] = co_await proxy::asio::async_write(socket, first_buffer, proxy::kUseTuple);
    if (wec) co_return;
    Bytes payload;
    std::uint8_t seq = 0;
    const bool got_ssl_request = co_await read_packet(socket, payload, seq);
    if (!got_ssl_request) co_return;  // a client that did not go on
    co_await pause();
    const std::size_t which = options_.certificate_for(n) % contexts_.size();
    TlsStream tls(std::move(socket), *contexts_[which]);
    auto [hec] = co_await tls.async_handshake(proxy::asio::ssl::stream_base::server, proxy::kUseTuple);
    if (hec) co_return;
    ++tls_handshakes_;
    for (bool login = true;; login = false) {
      const bool got = co_await read_packet(tls, payload, seq);
      if (!got) co_return;
      if (login) ++logins_;
      if (login && !options_.answer_login) {
        // Silent: the client waits for an answer only the injected bytes can give.
        const bool more = co_await read_packet(tls, payload, seq);
        (void)more;
        co_return;
      }
      if (!login && !payload.empty() && payload[0] == 0x01) co_return;  // COM_QUIT
      co_await pause();
      const Bytes ok = ok_packet(static_cast<std::uint8_t>(seq + 1));
      const auto ok_buffer = proxy::asio::buffer(ok);
      auto [oec, on] = co_await proxy::asio::async_write(tls, ok_buffer, proxy::kUseTuple);
      if (oec) co_return;
    }
  }

  Options options_;
  proxy::asio::io_context io_;
  proxy::tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<proxy::asio::ssl::context>> contexts_;
  std::atomic<int> connections_{0};
  std::atomic<int> tls_handshakes_{0};
  std::atomic<int> logins_{0};
  std::thread thread_;
};

}  // namespace mysqlproxy::test
