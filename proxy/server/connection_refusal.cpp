#include "proxy/server/connection_refusal.hpp"

#include "protocol/frame.hpp"
#include "proxy/net/deadline.hpp"
#include "proxy/session/session_error.hpp"

namespace mysqlproxy::proxy {

std::vector<std::uint8_t> refusal_frame(std::uint16_t code, std::string_view message) {
  const auto payload = session_error_payload(SessionError::before_greeting(code, std::string(message)));
  std::vector<std::uint8_t> frame;
  protocol::encode_frames(payload, 0, frame);
  return frame;
}

awaitable<void> refuse_connection(tcp::socket socket, std::vector<std::uint8_t> frame, std::chrono::milliseconds timeout) {
  Deadline deadline(socket.get_executor(), socket);
  deadline.arm(timeout);
  co_await asio::async_write(socket, asio::buffer(frame), kUseTuple);
  deadline.cancel();
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace mysqlproxy::proxy
