#include "proxy/admin/admin_server.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "proxy/net/peer_address.hpp"

namespace mysqlproxy::proxy::admin {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using Response = http::response<http::string_body>;

// stop() waits this long for connections to unwind before it ends the loop by force.
constexpr std::chrono::milliseconds kForceStopAfter{750};
// After an error response: how long, and how much, we read and drop before closing.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerBytes = 1 << 20;

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("admin: connection ended by an exception: {}", ex.what());
  } catch (...) {
    spdlog::error("admin: connection ended by a non-standard exception");
  }
}

// 0 = just close: the client left, timed out, or stop() closed the socket.
int status_for_read_error(const error_code& ec) {
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return 0;
  if (ec.category() == http::make_error_code(http::error::bad_method).category()) return 400;
  return 0;
}

template <class Body>
bool wants_continue(const http::request<Body>& req) {
  return req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue");
}

std::optional<std::uint64_t> parse_length(std::string_view s) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

Response to_wire(AdminResponse r, unsigned version, bool keep_alive, bool head) {
  // 1xx makes no sense for a handler, and Beast rejects codes above 999.
  if (r.status < 200 || r.status > 999) {
    spdlog::error("admin: handler returned invalid status {}", r.status);
    r = json_error(500, "internal error");
  }
  Response res;
  res.version(version);
  res.result(static_cast<unsigned>(r.status));
  res.set(http::field::server, "mysql-proxy");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  std::optional<std::uint64_t> head_length;
  for (const auto& [name, value] : r.headers) {
    // Framing is the server's business; a HEAD response keeps the length GET would send.
    if (beast::iequals(name, "Content-Length")) {
      if (head) head_length = parse_length(value);
      continue;
    }
    if (beast::iequals(name, "Connection") || beast::iequals(name, "Transfer-Encoding")) continue;
    res.set(name, value);
  }
  res.keep_alive(keep_alive);
  if (r.status == 204 || r.status == 304) return res;  // never a body nor a Content-Length
  if (head) {
    res.content_length(head_length.value_or(r.body.size()));
  } else {
    res.body() = std::move(r.body);
    res.prepare_payload();
  }
  return res;
}

// Half-closes, then reads and drops what the client is still sending: closing with unread data
// makes the kernel send a reset, which can destroy the error response before the client reads it.
awaitable<void> linger_close(beast::tcp_stream& stream, std::chrono::milliseconds timeout) {
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::min(timeout, kLingerTime));
  std::array<char, 4096> sink;
  std::size_t drained = 0;
  while (drained < kLingerBytes) {
    auto buf = asio::buffer(sink);
    auto [ec, n] = co_await stream.async_read_some(buf, kUseTuple);
    if (ec) break;
    drained += n;
  }
  stream.close();
}

// For requests we could not read: answer with a JSON error, then close.
awaitable<void> reject(beast::tcp_stream& stream, int status, const error_code& why, std::chrono::milliseconds timeout) {
  spdlog::debug("admin: rejecting request: {} ({})", status, why.message());
  const std::string message = status == 413 ? "request body too large"
                              : status == 431 ? "request header too large"
                                              : "malformed HTTP request";
  Response res = to_wire(json_error(status, message), 11, false, false);
  stream.expires_after(timeout);
  auto [ec, n] = co_await http::async_write(stream, res, kUseTuple);
  if (!ec) co_await linger_close(stream, timeout);
}

}  // namespace

AdminServer::AdminServer(AdminServerOptions options, std::shared_ptr<const AdminRouter> router)
    : options_(std::move(options)), router_(std::move(router)) {}

AdminServer::~AdminServer() {
  stop();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

error_code AdminServer::listen() {
  if (acceptor_) return asio::error::already_open;
  error_code ec;
  const auto ip = asio::ip::make_address(options_.address, ec);
  if (ec) return ec;
  const tcp::endpoint endpoint(ip, options_.port);
  tcp::acceptor acceptor(io_);
  acceptor.open(endpoint.protocol(), ec);
  // reuse_address only skips TIME_WAIT leftovers; a port someone is listening on stays busy.
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  bound_port_ = acceptor.local_endpoint(ec).port();
  if (ec) return ec;
  acceptor_.emplace(std::move(acceptor));
  return {};
}

void AdminServer::start() {
  std::lock_guard lock(lifecycle_mu_);
  if (started_ || stopped_ || !acceptor_) {
    spdlog::warn("admin: start() ignored (already started, stopped, or not listening)");
    return;
  }
  started_ = true;
  asio::co_spawn(io_, accept_loop(), log_exception);
  std::promise<void> done;
  finished_ = done.get_future();
  thread_ = std::thread([this, done = std::move(done)]() mutable {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::error("admin: event loop ended by an exception: {}", e.what());
    }
    done.set_value();
  });
  spdlog::info("admin API listening on {}:{}", options_.address, bound_port_);
}

void AdminServer::stop() {
  std::lock_guard lock(lifecycle_mu_);
  if (stopped_) return;
  stopped_ = true;
  if (!started_) {
    error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
    return;
  }
  asio::post(io_, [this] { close_all(); });
  if (thread_.get_id() == std::this_thread::get_id()) {
    spdlog::error("admin: stop() called on the admin thread; the destructor will join it");
    return;
  }
  // With every socket closed the loop runs out of work by itself; forcing it is the backstop.
  if (finished_.wait_for(kForceStopAfter) == std::future_status::timeout) {
    spdlog::warn("admin: connections did not wind down in time; stopping the loop");
    io_.stop();
  }
  thread_.join();
  // The loop is over, so this thread may touch its state: release whatever a forced stop left.
  close_all();
}

void AdminServer::close_all() {
  stopping_ = true;
  error_code ignored;
  if (acceptor_) acceptor_->close(ignored);
  // Pending reads and writes complete with operation_aborted; completions are posted, never run
  // inline, so the set doesn't change under us.
  for (auto* socket : connections_) {
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
  }
}

awaitable<void> AdminServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_->async_accept(kUseTuple);
    if (stopping_ || !acceptor_->is_open()) co_return;
    if (ec) {
      // Out of file descriptors and the like: back off briefly instead of spinning.
      spdlog::warn("admin: accept failed: {}", ec.message());
      asio::steady_timer pause(io_, std::chrono::milliseconds(50));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    if (open_connections_ >= options_.max_connections) {
      // Closed unanswered: an answer would take a coroutine and a deadline of its own, which is
      // what the limit is there to save.
      if (!refusing_) {
        spdlog::warn("admin: {} connections open, closing new ones until one ends", open_connections_);
        refusing_ = true;
      }
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    if (open_connections_ < options_.max_connections / 2) refusing_ = false;  // one warning per flood
    ++open_connections_;
    asio::co_spawn(io_, serve(std::move(socket)), log_exception);
  }
}

awaitable<void> AdminServer::serve(tcp::socket socket) {
  struct Counted {
    std::size_t& open;
    ~Counted() { --open; }
  } counted{open_connections_};
  const std::optional<config::IpBytes> peer = peer_address_of(socket);
  beast::tcp_stream stream(std::move(socket));
  if (stopping_) co_return;  // accepted just as stop() began
  tcp::socket* const tracked = &stream.socket();
  connections_.insert(tracked);
  struct Untrack {
    std::set<tcp::socket*>& set;
    tcp::socket* socket;
    ~Untrack() { set.erase(socket); }
  } untrack{connections_, tracked};

  beast::flat_buffer buffer;
  const auto timeout = options_.request_timeout;
  for (;;) {
    // The line and headers first: the router may refuse the request before its body is read.
    http::request_parser<http::empty_body> head_parser;
    head_parser.body_limit(options_.max_body_bytes);  // a larger Content-Length is refused now
    // One deadline for the whole request, however slowly it trickles in.
    stream.expires_after(timeout);
    auto [header_ec, header_n] = co_await http::async_read_header(stream, buffer, head_parser, kUseTuple);
    if (header_ec) {
      const int status = status_for_read_error(header_ec);
      if (status != 0) co_await reject(stream, status, header_ec, timeout);
      co_return;
    }

    AdminRequest request;
    {
      const auto& head = head_parser.get();
      request.method = std::string(head.method_string());
      request.target = std::string(head.target());
      request.authorization = std::string(head[http::field::authorization]);
      request.peer = peer;
    }
    const bool body_follows = !head_parser.is_done();
    std::optional<AdminResponse> refused = router_->refusal(request);
    if (refused) {
      // An unread body can't be skipped safely: answer, then close (lingering, so the client
      // reads the answer). A client that sent "Expect: 100-continue" gets this instead of the
      // go-ahead, and no body.
      const auto& head = head_parser.get();
      const bool keep_alive = head.keep_alive() && !stopping_ && !body_follows;
      Response res = to_wire(std::move(*refused), head.version(), keep_alive, head.method() == http::verb::head);
      stream.expires_after(timeout);
      auto [write_ec, write_n] = co_await http::async_write(stream, res, kUseTuple);
      spdlog::debug("admin: {} {} -> {} (refused before the body)", request.method, request.target,
                    res.result_int());
      if (write_ec) co_return;
      if (!keep_alive) {
        co_await linger_close(stream, timeout);
        co_return;
      }
      continue;
    }

    http::request_parser<http::string_body> parser(std::move(head_parser));
    error_code ec;
    if (wants_continue(parser.get())) {
      http::response<http::empty_body> proceed{http::status::continue_, 11};
      auto [cont_ec, cont_n] = co_await http::async_write(stream, proceed, kUseTuple);
      ec = cont_ec;
    }
    if (!ec && body_follows) {
      auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, kUseTuple);
      ec = body_ec;
    }
    if (ec) {
      const int status = status_for_read_error(ec);
      if (status != 0) co_await reject(stream, status, ec, timeout);
      co_return;
    }

    const auto started = Clock::now();
    auto& req = parser.get();
    request.body = std::move(req.body());
    const bool head = req.method() == http::verb::head;
    const bool keep_alive = req.keep_alive() && !stopping_;
    Response res = to_wire(router_->handle(request), req.version(), keep_alive, head);

    stream.expires_after(timeout);
    auto [write_ec, write_n] = co_await http::async_write(stream, res, kUseTuple);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
    spdlog::debug("admin: {} {} -> {} in {} us{}", request.method, request.target, res.result_int(), us,
                  write_ec ? " (write failed: " + write_ec.message() + ")" : std::string());
    if (write_ec) co_return;
    if (!res.keep_alive()) {
      error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream.close();
      co_return;
    }
  }
}

}  // namespace mysqlproxy::proxy::admin
