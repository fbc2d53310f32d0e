#include "proxy/session/session_state.hpp"

#include <array>
#include <functional>

#include "protocol/constants.hpp"

namespace mysqlproxy::proxy {

std::string_view to_string(PinReason r) noexcept {
  switch (r) {
    case PinReason::kTransaction: return "transaction";
    case PinReason::kLockTables: return "lock_tables";
    case PinReason::kNamedLock: return "named_lock";
    case PinReason::kTemporaryTable: return "temporary_table";
    case PinReason::kSqlPrepare: return "sql_prepare";
    case PinReason::kUserVariableInQuery: return "user_variable_in_query";
    case PinReason::kNextTransaction: return "next_transaction";
    case PinReason::kLastInsertId: return "last_insert_id";
    case PinReason::kFoundRows: return "found_rows";
    case PinReason::kDiagnostics: return "diagnostics";
    case PinReason::kCursor: return "cursor";
    case PinReason::kLongData: return "long_data";
    case PinReason::kConnectionId: return "connection_id";
    case PinReason::kUnreplayableState: return "unreplayable_state";
    case PinReason::kCount: break;
  }
  return "unknown";
}

std::uint16_t SessionState::status_flags() const noexcept {
  std::uint16_t s = 0;
  if (in_transaction_) s |= protocol::kServerStatusInTrans;
  if (autocommit_) s |= protocol::kServerStatusAutocommit;
  return s;
}

namespace {

// Pins that last only until the next statement.
constexpr std::array kTransientPins{PinReason::kLastInsertId, PinReason::kFoundRows, PinReason::kDiagnostics};

}  // namespace

bool SessionState::only_transient_pins() const noexcept { return pins_.any() && !holds_lasting_pins(); }

SessionState::Pins SessionState::lasting_pins() const noexcept {
  Pins lasting = pins_;
  for (const PinReason r : kTransientPins) lasting.reset(static_cast<std::size_t>(r));
  return lasting;
}

bool SessionState::holds_lasting_pins() const noexcept { return lasting_pins().any(); }

bool SessionState::holds_connection_state() const noexcept {
  return in_transaction_ || lasting_pins().reset(static_cast<std::size_t>(PinReason::kTransaction)).any();
}

void SessionState::drop_transient_pins() noexcept {
  for (const PinReason r : kTransientPins) set_pin(r, false);
}

SessionState::Pins SessionState::set_pin(PinReason r, bool on) noexcept {
  Pins added;
  const auto i = static_cast<std::size_t>(r);
  if (on && !pins_.test(i)) added.set(i);
  pins_.set(i, on);
  return added;
}

void SessionState::apply_status(const CommandResult& r, Pins& added) noexcept {
  if (!r.status) return;  // an ERR carries no status: keep what we knew (conservative)
  in_transaction_ = (*r.status & protocol::kServerStatusInTrans) != 0;
  autocommit_ = (*r.status & protocol::kServerStatusAutocommit) != 0;
  added |= set_pin(PinReason::kTransaction, in_transaction_ || !autocommit_);
}

SessionState::Pins SessionState::after_command(const CommandResult& r) {
  Pins added;
  apply_status(r, added);
  return added;
}

void SessionState::record_state(const StatementTraits& s, std::string_view sql, Pins& added) {
  const bool changes_state =
      s.sets_user_variable || s.sets_system_variable || s.sets_names || s.sets_autocommit || s.sets_next_transaction;
  if (!s.use_database.empty() && !s.multi_statement) schema_ = std::string(s.use_database);
  if (!s.drops_database.empty() && s.drops_database == schema_) schema_.clear();  // the server unsets it too
  if (!changes_state || s.sets_global) return;
  // A value that calls a stored function, a sequence or a named lock would run it again on every
  // connection the SET is replayed on, a replica's included: such a SET stays on this connection,
  // as does one the server may have read as other statements (readings_differ).
  const bool has_effects = s.calls_unknown_function || s.uses_sequence || s.uses_named_lock;
  if (s.multi_statement || s.sets_next_transaction || has_effects || s.readings_differ) {
    // Replaying a multi-statement text would run its other statements again.
    const bool next_transaction_only =
        s.sets_next_transaction && !s.multi_statement && !has_effects && !s.readings_differ;
    added |= set_pin(next_transaction_only ? PinReason::kNextTransaction : PinReason::kUnreplayableState, true);
    return;
  }
  if (!log_.empty() && log_.back().sql == sql) return;  // the same SET again changes nothing
  if (log_.size() >= kMaxReplayLog) {
    added |= set_pin(PinReason::kUnreplayableState, true);
    return;
  }
  log_.push_back({std::hash<std::string_view>{}(sql), std::string(sql)});
  hashes_.push_back(log_.back().hash);
}

SessionState::Pins SessionState::after_query(const StatementTraits& s, std::string_view sql, const CommandResult& r) {
  Pins added;
  drop_transient_pins();  // they lasted until this statement
  if (s.transaction == TransactionOp::kCommit || s.transaction == TransactionOp::kRollback) {
    set_pin(PinReason::kNextTransaction, false);
  }
  apply_status(r, added);
  if (!r.ok || r.warnings > 0) added |= set_pin(PinReason::kDiagnostics, true);
  if (r.ok) {
    record_state(s, sql, added);
    if (s.statement_class == StatementClass::kLocking) added |= set_pin(PinReason::kLockTables, !s.unlocks);
    if (s.uses_named_lock) added |= set_pin(PinReason::kNamedLock, true);
    if (s.creates_temporary_table) added |= set_pin(PinReason::kTemporaryTable, true);
    if (s.sql_prepare) added |= set_pin(PinReason::kSqlPrepare, true);
    if (s.assigns_user_variable) added |= set_pin(PinReason::kUserVariableInQuery, true);
    if (s.sets_found_rows) added |= set_pin(PinReason::kFoundRows, true);
    if (s.uses_connection_id) added |= set_pin(PinReason::kConnectionId, true);
    if (r.last_insert_id != 0) added |= set_pin(PinReason::kLastInsertId, true);
  }
  return added;
}

void SessionState::reset() noexcept {
  log_.clear();
  hashes_.clear();
  multi_statements_ = initial_multi_statements_;
  pins_.reset();
  in_transaction_ = false;
  autocommit_ = true;
}

}  // namespace mysqlproxy::proxy
