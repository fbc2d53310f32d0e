#pragma once
// RawConn: one TCP connection to the proxy driven by hand, for clients that misbehave on purpose
// where a driver would not (garbage, huge headers, wrong sequence ids, silence), and the frames
// and handshake responses they send.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/auth.hpp"
#include "protocol/constants.hpp"
#include "protocol/frame.hpp"
#include "protocol/handshake.hpp"

namespace itest {

using namespace std::chrono_literals;
namespace proto = mysqlproxy::protocol;
using Bytes = std::vector<std::uint8_t>;

inline Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

inline Bytes frame(const Bytes& payload, std::uint8_t seq) {
  Bytes out;
  proto::encode_frames(payload, seq, out);
  return out;
}

// A frame header alone: `length` bytes announced, none sent.
inline Bytes header(std::uint32_t length, std::uint8_t seq) {
  return {static_cast<std::uint8_t>(length), static_cast<std::uint8_t>(length >> 8),
          static_cast<std::uint8_t>(length >> 16), seq};
}

// One TCP connection to the proxy, driven by hand.
class RawConn {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Got { kPacket, kClosed, kTimeout };
  struct Reply {
    Got got = Got::kTimeout;
    std::uint8_t seq = 0;
    Bytes payload;
    [[nodiscard]] bool is_err() const { return got == Got::kPacket && !payload.empty() && payload[0] == 0xff; }
    [[nodiscard]] bool is_ok() const { return got == Got::kPacket && !payload.empty() && payload[0] == 0x00; }
    [[nodiscard]] std::uint16_t err_code() const {
      return is_err() && payload.size() >= 3 ? static_cast<std::uint16_t>(payload[1] | payload[2] << 8) : 0;
    }
    [[nodiscard]] std::string describe() const {
      if (got == Got::kClosed) return "closed";
      if (got == Got::kTimeout) return "nothing (timeout)";
      if (is_err()) return "ERR " + std::to_string(err_code()) + " " + std::string(payload.begin() + 3, payload.end());
      return "packet of " + std::to_string(payload.size()) + " bytes, first byte " +
             (payload.empty() ? std::string("-") : std::to_string(payload[0]));
    }
  };

  explicit RawConn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) close();
  }
  ~RawConn() { close(); }
  RawConn(RawConn&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  [[nodiscard]] bool ok() const { return fd_ >= 0; }

  bool send(const Bytes& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  Reply read_packet(std::chrono::milliseconds timeout = 5000ms) {
    Reply r;
    const auto deadline = Clock::now() + timeout;
    std::uint8_t h[4];
    r.got = read_exact(h, 4, deadline);
    if (r.got != Got::kPacket) return r;
    const std::size_t length = h[0] | h[1] << 8 | h[2] << 16;
    r.seq = h[3];
    r.payload.resize(length);
    r.got = read_exact(r.payload.data(), length, deadline);
    return r;
  }

  // Reads and drops whatever comes until the peer closes; false if it did not within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::uint8_t buf[4096];
    for (;;) {
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
    }
  }

  // reset: SO_LINGER 0, the kernel sends RST instead of FIN.
  void close(bool reset = false) {
    if (fd_ < 0) return;
    if (reset) {
      linger l{1, 0};
      ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(fd_);
    fd_ = -1;
  }

 private:
  Got read_exact(std::uint8_t* p, std::size_t n, Clock::time_point deadline) {
    std::size_t have = 0;
    while (have < n) {
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (left <= 0) return Got::kTimeout;
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, left) <= 0) continue;
      const ssize_t got = ::recv(fd_, p + have, n - have, 0);
      if (got == 0) return Got::kClosed;
      if (got < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return Got::kClosed;  // ECONNRESET: closed too
      }
      have += static_cast<std::size_t>(got);
    }
    return Got::kPacket;
  }

  int fd_ = -1;
};

// The handshake response a mysql_native_password client sends for this greeting.
inline Bytes handshake_response(const RawConn::Reply& greeting, const std::string& user, const std::string& password,
                         const std::string& db = "") {
  auto decoded = proto::decode_initial_handshake(greeting.payload);
  if (!decoded) return {};
  proto::HandshakeResponse41 r;
  std::uint32_t caps = proto::kClientProtocol41 | proto::kClientSecureConnection | proto::kClientPluginAuth |
                       proto::kClientTransactions | proto::kClientLongPassword;
  if (!db.empty()) caps |= proto::kClientConnectWithDb;
  r.capabilities = proto::Capabilities{caps}.intersect(decoded->capabilities);
  r.max_packet_size = 16u << 20;
  r.character_set = 33;  // utf8_general_ci
  r.username = user;
  const auto scrambled = proto::scramble_native_password(password, proto::bytes_of(decoded->auth_plugin_data));
  r.auth_response.assign(scrambled.begin(), scrambled.end());
  r.database = db;
  r.auth_plugin_name = std::string(proto::kMysqlNativePassword);
  Bytes payload;
  proto::encode_handshake_response(r, payload);
  return payload;
}

// `payload` (a handshake response without attributes) with CLIENT_CONNECT_ATTRS and an attribute
// block of `block_size` bytes packed with as many pairs as fit: empty keys and values, 2 bytes a
// pair (one 1-byte key first when the size is odd). What costs a naive decoder most memory.
inline Bytes with_attribute_block(Bytes payload, std::size_t block_size) {
  payload[2] |= static_cast<std::uint8_t>(proto::kClientConnectAttrs >> 16);
  if (block_size < 0xfb) {
    payload.push_back(static_cast<std::uint8_t>(block_size));
  } else if (block_size <= 0xffff) {
    payload.insert(payload.end(), {0xfc, static_cast<std::uint8_t>(block_size), static_cast<std::uint8_t>(block_size >> 8)});
  } else {
    payload.insert(payload.end(), {0xfd, static_cast<std::uint8_t>(block_size), static_cast<std::uint8_t>(block_size >> 8),
                                   static_cast<std::uint8_t>(block_size >> 16)});
  }
  std::size_t left = block_size;
  if (left % 2 == 1 && left >= 3) {
    payload.insert(payload.end(), {0x01, 'k', 0x00});
    left -= 3;
  }
  payload.insert(payload.end(), left, 0x00);
  return payload;
}

// The proxy's resident memory, from /proc/<pid>/status (KiB); -1 if unreadable.
inline long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace itest
