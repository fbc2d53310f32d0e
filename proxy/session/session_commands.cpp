// ClientSession: commands that run on a backend. Each is routed (router.hpp), runs on a leased
// connection, and the session learns from the answer: transaction flags, replayable state, pins.
#include "protocol/command.hpp"
#include "proxy/observability/proxy_metrics.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/session/client_session_impl.hpp"
#include "proxy/session/relay.hpp"
#include "proxy/session/statement_plan.hpp"

namespace mysqlproxy::proxy {
namespace {

using protocol::Command;

}  // namespace

RouteDecision ClientSession::route(Command command, const StatementTraits* statement) const {
  const auto snap = shared_.pool.get();
  RouteInput in;
  in.command = command;
  in.statement = statement;
  in.in_transaction = state_.in_transaction();
  in.autocommit = state_.autocommit();
  in.pinned = lease_.has_value() && state_.pinned();
  in.replica_available = !snap->reads_fall_back_to_primary;
  return decide_route(in, policy_);
}

void ClientSession::drop_transient_lease(const StatementTraits* statement) {
  if (!lease_ || !state_.only_transient_pins()) return;
  if (statement != nullptr && (statement->uses_previous_statement_state || statement->uses_last_insert_id)) return;
  state_.drop_transient_pins();
  release_lease();
}

awaitable<bool> ClientSession::query(const protocol::Packet& command) {
  const std::string_view sql(reinterpret_cast<const char*>(command.payload.data()) + 1, command.payload.size() - 1);
  const StatementTraits traits = classify_sql(sql);
  drop_transient_lease(&traits);
  const RouteDecision decision = route(Command::kQuery, &traits);
  if (decision.reason == RouteReason::kNoReplica) {
    const auto refused = acquire_error(AcquireFailure::kNoBackend)
                             .logged(fmt::format("no replica can take reads and routing.reads_fallback_to_primary is "
                                                 "off: refused with ERR {}", kErrNoBackend.code));
    co_return co_await answer_error(refused, command.next_seq);
  }
  // `sql` (and the views in `traits`) stay valid through the relay: only LOCAL INFILE reads from
  // the client meanwhile, and a LOAD DATA makes the text a write, whose SQL learn() never keeps.
  // (The command's payload is not: that read reuses the client's buffer. run_routed() reads the
  // command byte before relaying.)
  auto ran = co_await run_routed(command, decision, &traits, sql);
  co_return co_await settle(ran, command.next_seq);
}

awaitable<Outcome<bool>> ClientSession::run_routed(const protocol::Packet& command, RouteDecision decision,
                                                    const StatementTraits* statement, std::string_view sql,
                                                    const CommandHooks* hooks) {
  std::vector<std::uint32_t> avoid;  // backends that failed this command before it answered
  const auto started = std::chrono::steady_clock::now();
  // Read now: a LOCAL INFILE exchange during the relay reuses the buffer `command` points into.
  const Command kind = protocol::command_of(command.payload);
  CommandFailure failure;
  failure.decision = decision;
  failure.replica_safe_read =
      statement != nullptr && statement->statement_class == StatementClass::kRead && statement->replica_safe;
  for (int attempt = 0;; ++attempt) {
    failure.attempt = attempt;
    const auto required = decision.target == Target::kReplica && !lease_ ? required_position() : std::nullopt;
    std::optional<Outcome<Lease*>> leased;  // (no co_await inside ?: or if-conditions: GCC 12 miscompiles them)
    if (required) {
      leased.emplace(co_await acquire_consistent(*required, decision.reason));
    } else {
      leased.emplace(co_await acquire(decision.target, decision.reason, avoid));
    }
    if (!leased->ok()) co_return std::move(leased->error());
    // consistency: global — another session may read the moment this client sees its write
    // done, so the write's GTID is recorded before the end of the answer goes out.
    const bool hold_end = consistency_ == config::Consistency::kGlobal && statement != nullptr &&
                          (statement->statement_class == StatementClass::kWrite ||
                           statement->transaction == TransactionOp::kCommit);
    // The binary protocol may need another packet on this connection (its own statement id).
    const protocol::Packet* to_send = &command;
    protocol::Packet rewritten;
    std::vector<std::uint8_t> payload;
    std::vector<std::uint8_t> wire;
    if (hooks != nullptr && hooks->before) {
      query_timeout_ = QueryTimeout::kNone;
      watch_.begin(WaitingOn::kBackend);  // (a prepare on this connection: timeouts.query applies)
      auto before = co_await hooks->before(*lease_->connection);
      watch_.end();
      if (!before.failure.ok()) {
        if (!before.failure.error_packet.empty()) {
          // The backend refused to prepare the statement (a table gone): the client hears why.
          if (!state_.pinned()) release_lease();
          co_return SessionError::relayed(std::move(before.failure.error_packet));
        }
        failure.stage = CommandStage::kPrepare;
        failure.pinned = state_.pinned();
        failure.state_lost = state_.holds_connection_state();
        const std::string lost = lease_->backend_name;
        discard_lease();
        const Verdict verdict = plan_after_command_failure(failure);
        if (verdict == Verdict::kRetryElsewhere) continue;
        co_return command_error(failure, verdict)
            .logged(fmt::format("lost connection to backend '{}' while preparing a statement", lost));
      }
      if (before.payload) {
        payload = std::move(*before.payload);
        const std::uint8_t next = protocol::encode_frames(payload, 0, wire);
        rewritten = protocol::Packet{0, next, payload, wire};
        to_send = &rewritten;
      }
    }
    // (arguments of a co_await call are plain locals: GCC 12 mishandles temporaries made there)
    std::optional<std::uint32_t> prepare_id;
    if (hooks != nullptr) prepare_id = hooks->prepare_id;
    query_timeout_ = QueryTimeout::kNone;
    const auto outcome = co_await relay_command(client_, *lease_->connection, *to_send, scanner_, watch_, hold_end, prepare_id);
    if (outcome.end == RelayEnd::kDone) {
      count_query(started);
      learn(kind, command, statement, sql);
      if (hooks != nullptr && hooks->after) hooks->after(*lease_->connection, scanner_.tracker());
      co_await remember_write(statement);
      const error_code sent = co_await send_held(client_, *lease_->connection, outcome.held, watch_);
      if (!state_.pinned()) release_lease();
      co_return !sent;
    }
    if (outcome.end == RelayEnd::kClientFailed) {
      log_.debug("client failed during relay: {}", outcome.ec.message());
      discard_lease();
      co_return false;
    }
    // The backend broke, or was cut off by timeouts.query.
    const std::string name = lease_->backend_name;
    failure.stage = CommandStage::kRelay;
    failure.answered = outcome.forwarded > 0;
    failure.at_packet_boundary = outcome.at_packet_boundary;
    failure.timed_out = query_timeout_ == QueryTimeout::kClosed;
    failure.state_lost = state_.holds_connection_state();  // it dies with the connection
    failure.pinned = state_.pinned();
    failure.in_transaction = state_.in_transaction();
    failure.autocommit = state_.autocommit();
    if (!failure.timed_out) {
      log_.warn("backend '{}' failed: {}{}", name, outcome.ec.message(), failure.state_lost ? " (session state lost)" : "");
    }
    avoid.push_back(lease_->connection->backend_id);
    discard_lease();
    const Verdict verdict = plan_after_command_failure(failure);
    if (verdict == Verdict::kRetryElsewhere) {
      proxy_metrics().read_retries.inc();
      decision.target = Target::kReplica;
      continue;
    }
    auto error = command_error(failure, verdict);
    error.seq = outcome.next_client_seq;
    co_return std::move(error).logged(
        failure.timed_out
            ? fmt::format("backend '{}' answered nothing within timeouts.query and did not end the statement when killed", name)
            : fmt::format("lost connection to backend '{}' during query: {}", name, outcome.ec.message()));
  }
}

awaitable<bool> ClientSession::settle(Outcome<bool>& ran, std::uint8_t seq) {
  if (ran.ok()) co_return ran.value();
  co_return co_await answer_error(ran.error(), seq);
}

awaitable<bool> ClientSession::answer_error(const SessionError& error, std::uint8_t seq) {
  const std::uint8_t at = error.seq.value_or(seq);
  if (error.counted) count_error(*error.counted);
  const error_code ec = co_await send_session_error(client_, error, at, log_);
  co_return !ec && error.after == AfterError::kGoOn;
}

void ClientSession::count_query(std::chrono::steady_clock::time_point started) {
  const bool primary = lease_->on_primary;
  worker_.query_counters.at(lease_->connection->backend_id, lease_->backend_name, primary, lease_->reason).inc();
  proxy_metrics().query_duration_by_role[primary ? 1 : 0]->observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

void ClientSession::learn(Command kind, const protocol::Packet& command, const StatementTraits* statement,
                          std::string_view sql) {
  const auto& t = scanner_.tracker();
  const CommandResult result{!t.ended_with_error(), t.status(), t.last_insert_id(), t.warnings()};
  CarriedState& carried = lease_->connection->carried();
  std::bitset<static_cast<std::size_t>(PinReason::kCount)> added;
  // A statement's text, run: its SETs and USE are the session's now, and this connection's.
  const auto learn_text = [&] {
    const std::size_t log_before = state_.replay_log().size();
    added = state_.after_query(*statement, sql, result);
    // What ran here is now carried by this connection too.
    if (state_.replay_log().size() == log_before + 1) carried.applied.push_back(state_.replay_log().back().hash);
    if (result.ok && (!statement->use_database.empty() || !statement->drops_database.empty())) {
      carried.schema = state_.schema();
    }
  };
  // Even a failed GRANT may have changed something (a multi-statement text, a partial REVOKE).
  if (statement != nullptr && statement->changes_privileges) worker_.pool.privileges_changed();
  switch (kind) {
    case Command::kQuery:
      if (statement != nullptr) learn_text();
      break;
    case Command::kStmtExecute:
      // A prepared SET or USE (MariaDB prepares both; some drivers prepare every statement) changes
      // the session as its text would: without parameters it is learnt, and replayed, as text.
      if (statement != nullptr && !sql.empty()) {
        learn_text();
      } else {
        added = state_.after_command(result);
        const bool sets = statement != nullptr && (statement->sets_user_variable || statement->assigns_user_variable ||
                                                   statement->sets_system_variable ||
                                                   statement->sets_names || !statement->use_database.empty());
        if (result.ok && sets) state_.pin(PinReason::kUnreplayableState, true);  // it has parameters
      }
      break;
    case Command::kInitDb:
      added = state_.after_command(result);
      if (result.ok) {
        if (auto db = protocol::decode_com_init_db(command.payload)) {
          state_.after_init_db(*db);
          carried.schema = state_.schema();
        }
      }
      break;
    case Command::kSetOption:
      added = state_.after_command(result);
      if (result.ok) {
        if (auto option = protocol::decode_com_set_option(command.payload)) {
          state_.after_set_option(*option == protocol::kMysqlOptionMultiStatementsOn);
          carried.multi_statements = state_.multi_statements();
        }
      }
      break;
    default:
      added = state_.after_command(result);
      break;
  }
  for (std::size_t i = 0; i < added.size(); ++i) {
    if (!added.test(i)) continue;
    const auto reason = static_cast<PinReason>(i);
    if (taints_connection(reason)) carried.tainted = true;
    proxy_metrics().pins[i]->inc();
    log_.debug("pinned to backend '{}': {}", lease_->backend_name, to_string(reason));
  }
}

}  // namespace mysqlproxy::proxy
