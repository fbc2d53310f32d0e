// ClientSession: binary prepared statements across backends. The client sees one statement id;
// each execute is routed like its SQL (a read to a replica, a write to the primary) and runs on
// whichever connection is leased, where the statement is prepared on first use and kept in the
// connection's cache. A cursor or pending long data keeps the session on its connection.
#include "protocol/command.hpp"
#include "protocol/stmt_execute.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/session/client_session_impl.hpp"

namespace mysqlproxy::proxy {
namespace {

using protocol::Command;

std::string_view sql_of(const protocol::Packet& command) {
  return {reinterpret_cast<const char*>(command.payload.data()) + 1, command.payload.size() - 1};
}

}  // namespace

awaitable<bool> ClientSession::unknown_statement(const protocol::Packet& command) {
  const auto id = protocol::decode_statement_id(command.payload);
  const bool fetch = protocol::command_of(command.payload) == Command::kStmtFetch;
  const std::string message =
      unknown_statement_message(id ? *id : 0, fetch ? "mysqld_stmt_fetch" : "mysqld_stmt_execute");
  const auto refused = SessionError::of(kErrUnknownStatement, message, std::nullopt);
  co_return co_await answer_error(refused, command.next_seq);
}

awaitable<CommandHooks::Before> ClientSession::on_backend(BackendConnection& backend, ClientStatement& st,
                                                          std::span<const std::uint8_t> payload) {
  CommandHooks::Before out;
  StatementCache& cache = backend.statements();
  BackendStatement* bs = cache.find(backend.carried().schema, st.sql);
  if (bs == nullptr) {
    std::vector<std::uint8_t> prepare;
    protocol::encode_com_stmt_prepare(st.sql, prepare);
    out.failure = co_await run_backend_command(backend, prepare);
    if (!out.failure.ok()) co_return out;
    if (!out.failure.prepared) {
      out.failure.ec = protocol::ProtocolErrc::kUnexpectedPacket;
      co_return out;
    }
    cache.insert(backend.carried().schema, st.sql,
                 BackendStatement{out.failure.prepared->statement_id, st.num_params, false});
    if (auto ec = co_await close_displaced_statements(backend)) {
      out.failure.ec = ec;
      co_return out;
    }
    bs = cache.find(backend.carried().schema, st.sql);
  }
  const Command kind = protocol::command_of(payload);
  if (kind != Command::kStmtExecute) {
    std::vector<std::uint8_t> copy(payload.begin(), payload.end());
    protocol::rewrite_statement_id(copy, bs->id);
    out.payload = std::move(copy);
    co_return out;
  }
  auto layout = protocol::parse_execute_layout(payload, st.num_params);
  if (!layout) {
    out.failure.ec = layout.error();
    co_return out;
  }
  // A backend statement that never got parameter types gets the ones the client sent last.
  const bool inject = !layout->params_bound && !bs->types_sent;
  out.payload = protocol::rewrite_execute(payload, *layout, bs->id,
                                          inject ? std::span<const std::uint8_t>(st.param_types) : std::span<const std::uint8_t>{});
  if (layout->params_bound || (inject && !st.param_types.empty())) bs->types_sent = true;
  co_return out;
}

awaitable<bool> ClientSession::stmt_prepare(const protocol::Packet& command) {
  drop_transient_lease(nullptr);
  // Refused before the backend sees it: each statement's text stays in the session (and in the
  // pooled connections' caches), so a client must not make the proxy hold without bound.
  const config::LimitsConfig& limits = config_->limits;
  const std::size_t sql_size = command.payload.size() - 1;
  if (statements_.size() >= limits.max_session_prepared_statements ||
      statements_.bytes() + sql_size > limits.max_session_prepared_bytes) {
    log_.info("prepare refused: the session holds {} statements of {} bytes "
              "(limits.max_session_prepared_statements {}, max_session_prepared_bytes {})",
              statements_.size(), statements_.bytes(), limits.max_session_prepared_statements,
              limits.max_session_prepared_bytes);
    const std::string message = too_many_statements_message(limits.max_session_prepared_statements);
    const auto refused = SessionError::of(kErrTooManyStatements, message, std::nullopt);
    co_return co_await answer_error(refused, command.next_seq);
  }
  const std::string sql(sql_of(command));
  const StatementTraits traits = classify_sql(sql);
  RouteDecision decision = route(Command::kStmtPrepare, &traits);
  if (decision.reason == RouteReason::kNoReplica) decision = {Target::kPrimary, RouteReason::kFallbackToPrimary};
  // The backend's answer goes to the client with the session's id in it; the backend's own id
  // goes into the connection's cache, so the first execute there needs no second prepare.
  CommandHooks hooks;
  hooks.prepare_id = statements_.next_id();
  hooks.after = [this, &sql](BackendConnection& backend, const protocol::ResponseTracker& tracker) {
    const auto& info = tracker.prepared();
    if (tracker.ended_with_error() || !info) return;
    statements_.add(sql, info->num_params, info->num_columns);
    // A statement this displaces is closed before the connection's next command.
    backend.statements().insert(backend.carried().schema, sql,
                                BackendStatement{info->statement_id, info->num_params, false});
  };
  auto ran = co_await run_routed(command, decision, nullptr, {}, &hooks);
  co_return co_await settle(ran, command.next_seq);
}

awaitable<bool> ClientSession::stmt_execute(const protocol::Packet& command) {
  const auto id = protocol::decode_statement_id(command.payload);
  ClientStatement* st = id ? statements_.find(*id) : nullptr;
  if (st == nullptr) co_return co_await unknown_statement(command);
  auto layout = protocol::parse_execute_layout(command.payload, st->num_params);
  if (!layout) {
    const std::string message = wrong_arguments_message("mysqld_stmt_execute");
    const auto refused = SessionError::of(kErrWrongArguments, message, std::nullopt);
    co_return co_await answer_error(refused, command.next_seq);
  }
  if (layout->params_bound) st->param_types.assign(layout->types.begin(), layout->types.end());
  drop_transient_lease(&st->traits);
  const std::uint32_t client_id = *id;
  const bool wants_cursor = (layout->flags & protocol::kCursorTypeReadOnly) != 0;
  CommandHooks hooks;
  hooks.before = [this, st, payload = command.payload](BackendConnection& backend) { return on_backend(backend, *st, payload); };
  hooks.after = [this, client_id, wants_cursor](BackendConnection&, const protocol::ResponseTracker& tracker) {
    state_.pin(PinReason::kLongData, false);  // the execute consumed it
    const bool open = wants_cursor && tracker.status() && (*tracker.status() & protocol::kServerStatusCursorExists);
    state_.pin(PinReason::kCursor, open);
    if (open) cursor_statement_ = client_id;
  };
  // Without parameters its text says what it did (a SET, a USE), so learn() can keep it.
  const std::string_view executed_sql = st->num_params == 0 ? std::string_view(st->sql) : std::string_view();
  auto ran = co_await run_routed(command, route(Command::kStmtExecute, &st->traits), &st->traits, executed_sql, &hooks);
  co_return co_await settle(ran, command.next_seq);
}

awaitable<bool> ClientSession::stmt_send_long_data(const protocol::Packet& command) {
  const auto id = protocol::decode_statement_id(command.payload);
  ClientStatement* st = id ? statements_.find(*id) : nullptr;
  if (st == nullptr) co_return true;  // no answer exists for this command, not even an error
  // The data waits on the backend for the execute: both must run on one connection.
  drop_transient_lease(&st->traits);
  CommandHooks hooks;
  hooks.before = [this, st, payload = command.payload](BackendConnection& backend) { return on_backend(backend, *st, payload); };
  hooks.after = [this](BackendConnection&, const protocol::ResponseTracker&) { state_.pin(PinReason::kLongData, true); };
  auto ran = co_await run_routed(command, route(Command::kStmtExecute, &st->traits), &st->traits, {}, &hooks);
  co_return co_await settle(ran, command.next_seq);
}

awaitable<bool> ClientSession::stmt_fetch(const protocol::Packet& command) {
  const auto id = protocol::decode_statement_id(command.payload);
  ClientStatement* st = id ? statements_.find(*id) : nullptr;
  if (st == nullptr) co_return co_await unknown_statement(command);
  if (!lease_ || !state_.pinned_for(PinReason::kCursor) || cursor_statement_ != id) {
    const std::string message = no_open_cursor_message(*id);
    const auto refused = SessionError::of(kErrNoOpenCursor, message, std::nullopt);
    co_return co_await answer_error(refused, command.next_seq);
  }
  CommandHooks hooks;
  hooks.before = [this, st, payload = command.payload](BackendConnection& backend) { return on_backend(backend, *st, payload); };
  hooks.after = [this](BackendConnection&, const protocol::ResponseTracker& tracker) {
    if (tracker.status() && (*tracker.status() & protocol::kServerStatusLastRowSent)) {
      state_.pin(PinReason::kCursor, false);
      cursor_statement_.reset();
    }
  };
  auto ran = co_await run_routed(command, RouteDecision{lease_->target, RouteReason::kPinned}, &st->traits, {}, &hooks);
  co_return co_await settle(ran, command.next_seq);
}

// COM_STMT_RESET drops a statement's long data and closes its cursor. Both live on the pinned
// connection if anywhere; otherwise there is nothing to reset and the proxy answers itself.
awaitable<bool> ClientSession::stmt_reset(const protocol::Packet& command) {
  const auto id = protocol::decode_statement_id(command.payload);
  ClientStatement* st = id ? statements_.find(*id) : nullptr;
  if (st == nullptr) co_return co_await unknown_statement(command);
  const bool holds_state = lease_ && (state_.pinned_for(PinReason::kLongData) ||
                                      (state_.pinned_for(PinReason::kCursor) && cursor_statement_ == id));
  if (!holds_state) co_return co_await send_ok(command.next_seq);
  CommandHooks hooks;
  hooks.before = [this, st, payload = command.payload](BackendConnection& backend) { return on_backend(backend, *st, payload); };
  hooks.after = [this](BackendConnection&, const protocol::ResponseTracker&) {
    state_.pin(PinReason::kLongData, false);
    state_.pin(PinReason::kCursor, false);
    cursor_statement_.reset();
  };
  auto ran = co_await run_routed(command, RouteDecision{lease_->target, RouteReason::kPinned}, &st->traits, {}, &hooks);
  co_return co_await settle(ran, command.next_seq);
}

// COM_STMT_CLOSE has no answer. The backend statements stay in their connections' caches for
// the next session that prepares the same SQL; an open cursor is closed with a reset.
awaitable<bool> ClientSession::stmt_close(const protocol::Packet& command) {
  const auto id = protocol::decode_statement_id(command.payload);
  if (!id) co_return true;
  ClientStatement* st = statements_.find(*id);
  if (st != nullptr && lease_ && state_.pinned_for(PinReason::kCursor) && cursor_statement_ == id) {
    if (BackendStatement* bs = lease_->connection->statements().find(lease_->connection->carried().schema, st->sql)) {
      std::vector<std::uint8_t> reset;
      protocol::encode_com_stmt_reset(bs->id, reset);
      const auto done = co_await run_backend_command(*lease_->connection, reset);
      if (!done.ok()) lease_->connection->carried().tainted = true;
    }
    state_.pin(PinReason::kCursor, false);
    cursor_statement_.reset();
    if (!state_.pinned()) release_lease();
  }
  statements_.erase(*id);
  co_return true;
}

}  // namespace mysqlproxy::proxy
