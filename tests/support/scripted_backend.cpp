#include "tests/support/scripted_backend.hpp"

#include <gtest/gtest.h>

#include "protocol/handshake.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::test {
namespace {

using Kind = ConnectionScript::Kind;

// What the greeting offers: what a MySQL 8.0 server offers, less TLS and compression.
constexpr std::uint32_t kServerCaps =
    protocol::kClientLongPassword | protocol::kClientFoundRows | protocol::kClientLongFlag |
    protocol::kClientConnectWithDb | protocol::kClientProtocol41 | protocol::kClientTransactions |
    protocol::kClientSecureConnection | protocol::kClientMultiStatements | protocol::kClientMultiResults |
    protocol::kClientPsMultiResults | protocol::kClientPluginAuth | protocol::kClientConnectAttrs |
    protocol::kClientPluginAuthLenencClientData | protocol::kClientSessionTrack | protocol::kClientDeprecateEof;

Bytes greeting(std::uint32_t connection_id) {
  protocol::InitialHandshakeV10 g;
  g.server_version = "8.0.36-scripted";
  g.connection_id = connection_id;
  g.auth_plugin_data = "abcdefghijklmnopqrst";
  g.capabilities = protocol::Capabilities{kServerCaps};
  g.character_set = 45;
  g.status_flags = protocol::kServerStatusAutocommit;
  g.auth_plugin_name = "mysql_native_password";
  Bytes payload;
  protocol::encode_initial_handshake(g, payload);
  return payload;
}

std::uint32_t statement_id_of(const Bytes& p) {
  return p.size() < 5 ? 0 : p[1] | p[2] << 8 | p[3] << 16 | static_cast<std::uint32_t>(p[4]) << 24;
}

std::string text_after_command_byte(const Bytes& p) { return p.empty() ? std::string() : std::string(p.begin() + 1, p.end()); }

PacketMatcher text_command(std::uint8_t command, const char* name, std::string sql) {
  return {std::string(name) + " " + sql, [command, sql](const Bytes& p) {
            return !p.empty() && p[0] == command && text_after_command_byte(p) == sql;
          }};
}

std::string describe_step(const ConnectionScript::Step& s) {
  switch (s.kind) {
    case Kind::kExpect: return "expecting " + s.command.description;
    case Kind::kAnswer: return "answering with " + std::to_string(s.answer.size()) + " packets";
    case Kind::kClose: return "closing";
    case Kind::kHangUp: return "waiting for the proxy to hang up";
  }
  return "?";
}

}  // namespace

PacketMatcher com_query(std::string sql) { return text_command(0x03, "COM_QUERY", std::move(sql)); }
PacketMatcher com_stmt_prepare(std::string sql) { return text_command(0x16, "COM_STMT_PREPARE", std::move(sql)); }
PacketMatcher com_stmt_execute(std::uint32_t statement_id) {
  return {"COM_STMT_EXECUTE id=" + std::to_string(statement_id), [statement_id](const Bytes& p) {
            return p.size() >= 10 && p[0] == 0x17 && statement_id_of(p) == statement_id;
          }};
}

std::string describe_command(const Bytes& p) {
  if (p.empty()) return "an empty packet";
  switch (p[0]) {
    case 0x01: return "COM_QUIT";
    case 0x02: return "COM_INIT_DB " + text_after_command_byte(p);
    case 0x03: return "COM_QUERY " + text_after_command_byte(p);
    case 0x0e: return "COM_PING";
    case 0x16: return "COM_STMT_PREPARE " + text_after_command_byte(p);
    case 0x17: return "COM_STMT_EXECUTE id=" + std::to_string(statement_id_of(p));
    case 0x19: return "COM_STMT_CLOSE id=" + std::to_string(statement_id_of(p));
    case 0x1a: return "COM_STMT_RESET id=" + std::to_string(statement_id_of(p));
    case 0x1b: return "COM_SET_OPTION";
    case 0x1f: return "COM_RESET_CONNECTION";
    default: return "command " + to_hex(std::span<const std::uint8_t>(p.data(), 1)) + " (" + std::to_string(p.size()) + " bytes)";
  }
}

ConnectionScript& ConnectionScript::expect(PacketMatcher command) {
  steps_.push_back(Step{Kind::kExpect, std::move(command), {}, {}});
  return *this;
}

ConnectionScript& ConnectionScript::answer(Answer packets, std::chrono::milliseconds pace) {
  steps_.push_back(Step{Kind::kAnswer, {}, std::move(packets), pace});
  return *this;
}

ConnectionScript& ConnectionScript::close() {
  steps_.push_back(Step{Kind::kClose, {}, {}, {}});
  return *this;
}

ConnectionScript& ConnectionScript::expect_hang_up() {
  steps_.push_back(Step{Kind::kHangUp, {}, {}, {}});
  return *this;
}

ScriptedBackend::ScriptedBackend(proxy::asio::io_context& io, std::string name)
    : name_(std::move(name)), acceptor_(io, proxy::tcp::endpoint(proxy::asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  ++running_;  // from now on, not from the coroutine's first turn: stop() must wait for it
  proxy::asio::co_spawn(io, accept_loop(), [this, name = name_](std::exception_ptr e) {
    --running_;
    if (e) ADD_FAILURE() << "backend '" << name << "': the accept loop ended by an exception";
  });
}

ScriptedBackend::~ScriptedBackend() { stop(); }

void ScriptedBackend::add_connection(ConnectionScript script) { scripts_.push_back(std::move(script)); }

bool ScriptedBackend::closed_by_proxy(std::size_t connection) const {
  return connection < connections_.size() && connections_[connection]->closed_by_proxy;
}

bool ScriptedBackend::closed(std::size_t connection) const {
  return connection < connections_.size() && connections_[connection]->closed;
}

proxy::awaitable<bool> ScriptedBackend::hang_up_seen(std::size_t connection, std::chrono::milliseconds limit) const {
  co_return co_await eventually([this, connection] { return closed_by_proxy(connection); }, limit);
}

void ScriptedBackend::verify() const {
  for (const auto& c : connections_) {
    const auto& steps = c->script.steps();
    if (!c->scripted || c->next_step >= steps.size()) continue;
    ADD_FAILURE() << "backend '" << name_ << "', connection " << c->index << ": the script stopped at step "
                  << c->next_step + 1 << " of " << steps.size() << " (" << describe_step(steps[c->next_step]) << ")"
                  << (c->closed_by_proxy ? ": the proxy closed the connection" : "");
  }
  if (!scripts_.empty()) {
    ADD_FAILURE() << "backend '" << name_ << "': " << scripts_.size() << " scripted connection(s) never opened";
  }
}

void ScriptedBackend::stop() {
  stopping_ = true;
  proxy::error_code ignored;
  acceptor_.close(ignored);
  for (auto& c : connections_) close(*c);
}

void ScriptedBackend::note(const Connection& c, const std::string& what) {
  log_.push_back("conn " + std::to_string(c.index) + ": " + what);
}

void ScriptedBackend::closed_by_proxy(Connection& c) {
  c.closed_by_proxy = true;
  note(c, "closed by the proxy");
  close(c);
}

void ScriptedBackend::close(Connection& c) {
  c.closed = true;
  proxy::error_code ignored;
  c.socket.close(ignored);
}

proxy::awaitable<void> ScriptedBackend::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(proxy::kUseTuple);
    if (ec || stopping_) co_return;
    auto& c = *connections_.emplace_back(std::make_unique<Connection>(std::move(socket)));
    c.index = connections_.size() - 1;
    if (!scripts_.empty()) {
      c.script = std::move(scripts_.front());
      scripts_.pop_front();
      c.scripted = true;
    }
    ++running_;
    proxy::asio::co_spawn(acceptor_.get_executor(), serve(c), [this, name = name_](std::exception_ptr e) {
      --running_;
      if (e) ADD_FAILURE() << "backend '" << name << "': a connection ended by an exception";
    });
  }
}

proxy::awaitable<void> ScriptedBackend::serve(Connection& c) {
  if (!c.scripted) {
    ADD_FAILURE() << "backend '" << name_ << "': the proxy opened connection " << c.index
                  << ", for which the test has no script";
    note(c, "unscripted: closed");
    close(c);
    co_return;
  }
  if (!co_await log_in(c)) co_return;
  const auto& steps = c.script.steps();
  while (c.next_step < steps.size()) {
    if (!co_await run_step(c, steps[c.next_step])) co_return;
  }
  co_await after_script(c);
}

proxy::awaitable<bool> ScriptedBackend::log_in(Connection& c) {
  const Bytes hello = greeting(static_cast<std::uint32_t>(c.index + 1));
  if (co_await write_wire_packet(c.socket, hello, 0)) co_return false;
  proxy::error_code ec;
  auto response = co_await read_wire_packet(c.socket, ec);
  if (!response) {
    if (!stopping_) closed_by_proxy(c);
    co_return false;
  }
  if (!protocol::decode_handshake_response(response->payload) || protocol::is_ssl_request(response->payload)) {
    ADD_FAILURE() << "backend '" << name_ << "', connection " << c.index << ": not a handshake response:\n"
                  << to_hex(response->payload);
    close(c);
    co_return false;
  }
  const auto ok = ok_answer();
  co_return !co_await write_wire_packet(c.socket, ok.front(), static_cast<std::uint8_t>(response->seq + 1));
}

proxy::awaitable<bool> ScriptedBackend::run_step(Connection& c, const ConnectionScript::Step& step) {
  const auto& steps = c.script.steps();
  switch (step.kind) {
    case Kind::kExpect: {
      proxy::error_code ec;
      auto packet = co_await read_wire_packet(c.socket, ec);
      if (!packet) {
        if (!stopping_) closed_by_proxy(c);
        co_return false;
      }
      received_.push_back({c.index, packet->payload});
      note(c, describe_command(packet->payload));
      if (!step.command.matches(packet->payload)) {
        ADD_FAILURE() << "backend '" << name_ << "', connection " << c.index << ": the proxy sent "
                      << describe_command(packet->payload) << " where the script expects " << step.command.description
                      << " (step " << c.next_step + 1 << " of " << steps.size() << "):\n"
                      << to_hex(packet->payload);
        close(c);
        co_return false;
      }
      EXPECT_EQ(packet->seq, 0) << "backend '" << name_ << "': a command must start a new sequence";
      ++c.next_step;
      co_return true;
    }
    case Kind::kAnswer: {
      for (std::size_t i = 0; i < step.answer.size(); ++i) {
        if (i > 0 && step.pace.count() > 0) co_await pause_for(step.pace);
        if (stopping_) co_return false;
        if (co_await write_wire_packet(c.socket, step.answer[i], static_cast<std::uint8_t>(i + 1))) {
          if (stopping_) co_return false;
          closed_by_proxy(c);
          // The hang-up the script waits for next, if it does, has happened.
          if (c.next_step + 1 < steps.size() && steps[c.next_step + 1].kind == Kind::kHangUp) c.next_step += 2;
          co_return false;
        }
      }
      ++c.next_step;
      co_return true;
    }
    case Kind::kClose:
      close(c);
      note(c, "closed by the script");
      ++c.next_step;
      co_return false;
    case Kind::kHangUp: {
      proxy::error_code ec;
      auto packet = co_await read_wire_packet(c.socket, ec);
      if (stopping_) co_return false;
      if (packet) {
        received_.push_back({c.index, packet->payload});
        note(c, describe_command(packet->payload));
        ADD_FAILURE() << "backend '" << name_ << "', connection " << c.index << ": the proxy sent "
                      << describe_command(packet->payload) << " where the script expects it to hang up";
        close(c);
        co_return false;
      }
      closed_by_proxy(c);
      ++c.next_step;
      co_return false;
    }
  }
  co_return false;
}

proxy::awaitable<void> ScriptedBackend::after_script(Connection& c) {
  // A pooled connection waits here; the proxy may close it any time, but must send nothing more.
  proxy::error_code ec;
  auto packet = co_await read_wire_packet(c.socket, ec);
  if (stopping_) co_return;
  if (!packet) {
    closed_by_proxy(c);
    co_return;
  }
  received_.push_back({c.index, packet->payload});
  note(c, describe_command(packet->payload));
  ADD_FAILURE() << "backend '" << name_ << "', connection " << c.index << ": the proxy sent "
                << describe_command(packet->payload) << " after the connection's script ended";
  close(c);
}

}  // namespace mysqlproxy::test
