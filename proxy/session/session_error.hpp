#pragma once
// SessionError: why a command (or a login) ends in an ERR of the proxy's own, or in the server's
// ERR relayed, and what follows it. Every ERR the session sends goes out through
// send_session_error(), which logs and writes it; a logged-in session's go through
// ClientSession::answer_error(), which also counts them (the login's are counted by their refusal
// reason instead).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "proxy/logging.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/net/packet_stream.hpp"
#include "proxy/observability/proxy_metrics.hpp"

namespace mysqlproxy::proxy {

// What the session does once the ERR is out.
enum class AfterError : std::uint8_t {
  kGoOn,        // the ERR answers the command; the next one is read
  kEndSession,  // the ERR is the last word: the session's state died with a backend connection
  kClose,       // no ERR at all: the client holds part of a packet, only a close is clean
};

struct SessionError {
  std::uint16_t code = 0;
  std::string sql_state;
  std::string message;
  std::vector<std::uint8_t> server_packet;  // a backend's own ERR, relayed as it came (code unused)
  std::optional<ErrorKind> counted;         // mysql_proxy_errors_total{kind}; none: not the proxy's doing
  AfterError after = AfterError::kGoOn;
  std::optional<std::uint8_t> seq;  // where the answer stands when part of it went out; none: the command's next
  bool protocol41 = true;           // false: before the greeting, without SQLSTATE
  std::string log;           // what the log says about it; empty: nothing
  bool log_as_warning = true;  // a backend's trouble; false: the client's (a refused login)

  // The proxy's own ERR, with the server's text for the code.
  static SessionError of(const MysqlError& e, std::optional<ErrorKind> counted, AfterError after = AfterError::kGoOn);
  // A code whose text has arguments (access denied, host blocked, ...).
  static SessionError of(const MysqlError& e, std::string message, std::optional<ErrorKind> counted);
  // The backend refused the command: the client hears the server's words.
  static SessionError relayed(std::vector<std::uint8_t> packet);
  // An ERR in place of the greeting (no SQLSTATE: the client has not seen the capabilities yet).
  static SessionError before_greeting(std::uint16_t code, std::string message);

  SessionError&& logged(std::string line) && {
    log = std::move(line);
    return std::move(*this);
  }
  SessionError&& logged_as_info(std::string line) && {
    log = std::move(line);
    log_as_warning = false;
    return std::move(*this);
  }
  SessionError&& then(AfterError a) && {
    after = a;
    return std::move(*this);
  }
};

// A value or the SessionError that took its place.
template <class T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}                 // NOLINT: implicit by design
  Outcome(SessionError error) : v_(std::move(error)) {}      // NOLINT
  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  [[nodiscard]] T& value() { return std::get<0>(v_); }
  [[nodiscard]] SessionError& error() { return std::get<1>(v_); }

 private:
  std::variant<T, SessionError> v_;
};

// The ERR payload for `e`: the server's own as it came, else the 4.1 form, or without SQLSTATE
// when e.protocol41 is false.
[[nodiscard]] std::vector<std::uint8_t> session_error_payload(const SessionError& e);

// Logs and (unless e.after is kClose) writes the ERR with `seq`. Counting `e.counted` is the
// caller's (ClientSession::answer_error), so the login path needs no metrics.
awaitable<error_code> send_session_error(PacketStream& client, const SessionError& e, std::uint8_t seq,
                                         const SessionLog& log);

}  // namespace mysqlproxy::proxy
