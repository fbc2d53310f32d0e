#pragma once
// ScriptedClient: a MySQL client on one end of a loopback connection whose other end is a
// ClientSession under test. Its commands are built with the project's protocol codec; answers
// are read whole with a framing of its own (packet_io.hpp). Every wait is bounded by kWait: a
// proxy that goes silent fails the test instead of hanging it.
//
// It asks for protocol 4.1, mysql_native_password and CLIENT_DEPRECATE_EOF, no TLS, no
// compression and no session tracking: the shapes server_answers.hpp builds.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/capabilities.hpp"
#include "proxy/net/asio.hpp"
#include "tests/support/packet_io.hpp"
#include "tests/support/server_answers.hpp"

namespace mysqlproxy::test {

// The capabilities the client asks for.
inline constexpr std::uint32_t kClientCaps =
    protocol::kClientLongPassword | protocol::kClientLongFlag | protocol::kClientProtocol41 |
    protocol::kClientTransactions | protocol::kClientSecureConnection | protocol::kClientMultiResults |
    protocol::kClientPsMultiResults | protocol::kClientPluginAuth | protocol::kClientDeprecateEof;

// The answer to one command, as the client received it.
struct ClientAnswer {
  std::vector<WirePacket> packets;
  bool complete = false;  // the whole answer came; false: the connection ended or went silent first

  [[nodiscard]] Answer payloads() const;
  [[nodiscard]] std::vector<std::uint8_t> sequence_ids() const;
  // The ERR that ended it, if one did.
  struct Error {
    std::uint16_t code = 0;
    std::string sql_state;
    std::string message;
    std::uint8_t seq = 0;
  };
  [[nodiscard]] std::optional<Error> error() const;
};

// COM_STMT_EXECUTE of `statement_id` with BIGINT parameters, their types sent (a first execute).
Bytes stmt_execute_payload(std::uint32_t statement_id, const std::vector<std::int64_t>& params);

class ScriptedClient {
 public:
  static constexpr std::chrono::milliseconds kWait{5000};

  explicit ScriptedClient(proxy::tcp::socket socket) : socket_(std::move(socket)) {}

  // The login, up to the proxy's OK; false (and a test failure) otherwise.
  proxy::awaitable<bool> login(std::string_view user, std::string_view password);

  proxy::awaitable<ClientAnswer> query(std::string_view sql);
  proxy::awaitable<ClientAnswer> prepare(std::string_view sql);
  // (a vector, not an initializer_list: GCC 12 cannot take one into a coroutine)
  proxy::awaitable<ClientAnswer> execute(std::uint32_t statement_id, const std::vector<std::int64_t>& params);
  proxy::awaitable<ClientAnswer> ping();
  proxy::awaitable<void> quit();

  // A command whose answer the test reads itself, packet by packet.
  proxy::awaitable<bool> send_command(const Bytes& payload);
  // The next packet; nothing if the connection ended first (or kWait passed: a test failure).
  proxy::awaitable<std::optional<WirePacket>> read_packet(std::string_view waiting_for);
  // The proxy closes the connection, sending nothing more, within kWait.
  proxy::awaitable<bool> sees_eof();
  void close();

 private:
  enum class Shape { kResult, kPrepare };
  proxy::awaitable<ClientAnswer> command(const Bytes& payload, Shape shape, const std::string& what);
  // Reads packets into `answer` until it is complete; false if the connection ended first.
  proxy::awaitable<bool> read_result(ClientAnswer& answer, const std::string& what);
  proxy::awaitable<bool> read_prepare(ClientAnswer& answer, const std::string& what);
  proxy::awaitable<bool> read_into(ClientAnswer& answer, const std::string& what);
  [[nodiscard]] bool ends_rows(const Bytes& payload) const;

  proxy::tcp::socket socket_;
  protocol::Capabilities caps_{kClientCaps};  // in force once logged in
};

}  // namespace mysqlproxy::test
