#include "proxy/routing/sql_classifier.hpp"

#include "proxy/routing/sql_lexer.hpp"
#include "proxy/routing/sql_statement.hpp"

namespace mysqlproxy::proxy {
namespace {

// Which class a multi-statement text takes: the highest-ranked of its statements'.
int rank(StatementClass c) {
  switch (c) {
    case StatementClass::kEmpty:
      return 0;
    case StatementClass::kRead:
      return 1;
    case StatementClass::kSessionState:
      return 2;
    case StatementClass::kTransaction:
      return 3;
    case StatementClass::kLocking:
      return 4;
    case StatementClass::kWrite:
      return 5;
  }
  return 5;
}

void merge(StatementTraits& all, const StatementTraits& one) {
  if (rank(one.statement_class) > rank(all.statement_class)) all.statement_class = one.statement_class;
  all.replica_safe = all.replica_safe && one.replica_safe;
  all.locking_read |= one.locking_read;
  all.select_into |= one.select_into;
  all.assigns_user_variable |= one.assigns_user_variable;
  all.uses_last_insert_id |= one.uses_last_insert_id;
  all.uses_previous_statement_state |= one.uses_previous_statement_state;
  all.sets_found_rows |= one.sets_found_rows;
  all.uses_named_lock |= one.uses_named_lock;
  all.uses_sequence |= one.uses_sequence;
  all.calls_unknown_function |= one.calls_unknown_function;
  all.reads_server_state |= one.reads_server_state;
  all.uses_connection_id |= one.uses_connection_id;
  all.creates_temporary_table |= one.creates_temporary_table;
  all.drops_temporary_table |= one.drops_temporary_table;
  all.sql_prepare |= one.sql_prepare;
  all.unlocks |= one.unlocks;
  all.changes_privileges |= one.changes_privileges;
  if (all.transaction == TransactionOp::kNone) all.transaction = one.transaction;
  all.and_chain |= one.and_chain;
  all.sets_user_variable |= one.sets_user_variable;
  all.sets_system_variable |= one.sets_system_variable;
  all.sets_global |= one.sets_global;
  if (one.sets_autocommit) {
    all.sets_autocommit = true;
    all.autocommit_value = one.autocommit_value;
  }
  all.sets_next_transaction |= one.sets_next_transaction;
  all.sets_names |= one.sets_names;
  if (!one.use_database.empty()) all.use_database = one.use_database;
  if (!one.drops_database.empty()) all.drops_database = one.drops_database;
}

}  // namespace

StatementTraits classify_sql(std::string_view sql) noexcept { return classify_sql(sql, SqlMode{}); }

StatementTraits classify_sql(std::string_view sql, SqlMode mode) noexcept {
  sql::StatementParser parser(sql, sql::LexMode{mode.ansi_quotes, mode.no_backslash_escapes});
  sql::Lexer& lexer = parser.lexer();
  StatementTraits all;
  StatementTraits one;
  std::uint32_t count = 0;
  while (parser.next(count == 0 ? all : one)) {
    if (count > 0) {
      merge(all, one);
      one = StatementTraits{};
    }
    if (count < 0xFFFF) ++count;
    if (parser.compound()) {
      while (lexer.next().kind != sql::TokenKind::kEnd) {
      }  // the body: only a route hint in it still counts
      break;
    }
  }
  all.statement_count = static_cast<std::uint16_t>(count);
  all.multi_statement = count > 1;
  if (count == 0) {
    all.statement_class = StatementClass::kEmpty;
    all.replica_safe = false;
  }
  if (lexer.malformed()) {
    all.statement_class = StatementClass::kWrite;
    all.replica_safe = false;
  }
  switch (lexer.hint()) {
    case sql::RouteHint::kPrimary:
      all.hint = Target::kPrimary;
      break;
    case sql::RouteHint::kReplica:
      all.hint = Target::kReplica;
      break;
    case sql::RouteHint::kNone:
      break;
  }
  return all;
}

Target default_target(const StatementTraits& t) noexcept {
  if (t.hint) return *t.hint;
  return t.replica_safe ? Target::kReplica : Target::kPrimary;
}

}  // namespace mysqlproxy::proxy
