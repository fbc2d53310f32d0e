// Fuzz target: the SQL classifier that routes every COM_QUERY (proxy/routing), and its lexer.
//
// Input: [mode bits: 0 ANSI_QUOTES, 1 NO_BACKSLASH_ESCAPES, 2-3 the lexer's two-byte charset,
//         4-7 how the lexer reads conditional versioned comments][SQL text...]
// Invariants: classify_sql() is deterministic; a replica-safe text is a read with none of the
// flags that pin a statement to the primary; no statements means kEmpty (or kWrite when malformed);
// multi_statement is statement_count > 1; USE's database is a view into the text; a hint needs the
// word "route" in the text, and default_target() follows it; text without quotes or backslashes
// classifies the same under every sql_mode; a text replica-safe when the sql_mode is unknown is,
// in each mode, replica-safe or nothing the server runs (a write that makes no sense, or empty).
// The lexer's tokens lie inside the text, in order, and it reaches kEnd in at most one token per
// byte, whatever its charset and reading of versioned comments.
#include <cstring>

#include "proxy/routing/sql_classifier.hpp"
#include "proxy/routing/sql_lexer.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::proxy;

namespace {

bool same(const StatementTraits& a, const StatementTraits& b) {
  return a.statement_class == b.statement_class && a.replica_safe == b.replica_safe &&
         a.locking_read == b.locking_read && a.select_into == b.select_into &&
         a.assigns_user_variable == b.assigns_user_variable && a.uses_last_insert_id == b.uses_last_insert_id &&
         a.uses_previous_statement_state == b.uses_previous_statement_state &&
         a.sets_found_rows == b.sets_found_rows && a.uses_named_lock == b.uses_named_lock &&
         a.uses_sequence == b.uses_sequence && a.uses_connection_id == b.uses_connection_id &&
         a.calls_unknown_function == b.calls_unknown_function && a.reads_server_state == b.reads_server_state &&
         a.creates_temporary_table == b.creates_temporary_table &&
         a.drops_temporary_table == b.drops_temporary_table && a.sql_prepare == b.sql_prepare &&
         a.unlocks == b.unlocks && a.transaction == b.transaction && a.and_chain == b.and_chain &&
         a.sets_user_variable == b.sets_user_variable && a.sets_system_variable == b.sets_system_variable &&
         a.sets_global == b.sets_global && a.sets_autocommit == b.sets_autocommit &&
         a.autocommit_value == b.autocommit_value && a.sets_next_transaction == b.sets_next_transaction &&
         a.sets_names == b.sets_names && a.use_database == b.use_database && a.hint == b.hint &&
         a.statement_count == b.statement_count && a.multi_statement == b.multi_statement &&
         a.readings_differ == b.readings_differ;
}

bool contains_route(std::string_view sql) {
  for (std::size_t i = 0; i + 5 <= sql.size(); ++i) {
    bool match = true;
    for (std::size_t j = 0; j < 5 && match; ++j) match = (sql[i + j] | 0x20) == "route"[j];
    if (match) return true;
  }
  return false;
}

void lex(std::string_view sql, sql::LexMode mode, std::uint8_t reading) {
  sql::CommentChoices choices;
  for (std::size_t i = 0; i < choices.choice.size(); ++i) {
    choices.choice[i] = static_cast<std::uint8_t>((reading >> (i % 4)) & 3);
  }
  sql::Lexer lexer(sql, mode, &choices);
  const char* last_end = sql.data();
  for (std::size_t n = 0;; ++n) {
    FUZZ_CHECK(n <= sql.size());
    const sql::Token t = lexer.next();
    FUZZ_CHECK(t.begin >= last_end && t.begin + t.size <= sql.data() + sql.size());
    if (t.kind == sql::TokenKind::kEnd) break;
    FUZZ_CHECK(t.size > 0);
    last_end = t.begin + t.size;
    (void)t.word();
  }
  FUZZ_CHECK(lexer.next().kind == sql::TokenKind::kEnd);  // and stays there
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t mode_bits = in.u8();
  const std::string_view sql = mysqlproxy::fuzz::view_of(in.rest());
  const SqlMode mode{(mode_bits & 1) != 0, (mode_bits & 2) != 0};

  const StatementTraits t = classify_sql(sql, mode);
  FUZZ_CHECK(same(t, classify_sql(sql, mode)));

  if (t.replica_safe) {
    FUZZ_CHECK(t.statement_class == StatementClass::kRead);
    FUZZ_CHECK(!t.locking_read && !t.select_into && !t.assigns_user_variable && !t.uses_last_insert_id &&
               !t.uses_previous_statement_state && !t.sets_found_rows && !t.uses_named_lock &&
               !t.uses_sequence && !t.uses_connection_id && !t.calls_unknown_function && !t.reads_server_state &&
               !t.creates_temporary_table && !t.sql_prepare);
  }
  if (t.statement_count == 0) {
    FUZZ_CHECK(t.statement_class == StatementClass::kEmpty || t.statement_class == StatementClass::kWrite);
  } else {
    FUZZ_CHECK(t.statement_class != StatementClass::kEmpty);
  }
  FUZZ_CHECK(t.multi_statement == (t.statement_count > 1));
  if (!t.use_database.empty()) {
    FUZZ_CHECK(t.use_database.data() >= sql.data() &&
               t.use_database.data() + t.use_database.size() <= sql.data() + sql.size());
  }
  if (t.hint) {
    FUZZ_CHECK(contains_route(sql));
    FUZZ_CHECK(default_target(t) == *t.hint);
  } else {
    FUZZ_CHECK(default_target(t) == (t.replica_safe ? Target::kReplica : Target::kPrimary));
  }

  // sql_mode only changes how quotes and backslashes read.
  if (sql.find_first_of("'\"`\\") == std::string_view::npos) {
    for (int m = 0; m < 4; ++m) FUZZ_CHECK(same(t, classify_sql(sql, SqlMode{(m & 1) != 0, (m & 2) != 0})));
  }

  // With the mode unknown, the strictest of every mode's reading.
  const StatementTraits any = classify_sql(sql);
  FUZZ_CHECK(same(any, classify_sql(sql)));
  if (any.replica_safe) {
    FUZZ_CHECK(any.statement_class == StatementClass::kRead);
    for (int m = 0; m < 4; ++m) {
      const StatementTraits in_mode = classify_sql(sql, SqlMode{(m & 1) != 0, (m & 2) != 0});
      FUZZ_CHECK(in_mode.replica_safe || in_mode.statement_class == StatementClass::kWrite ||
                 in_mode.statement_class == StatementClass::kEmpty);
    }
  }

  const auto charset = static_cast<sql::MultiByte>((mode_bits >> 2) & 3);
  lex(sql, sql::LexMode{mode.ansi_quotes, mode.no_backslash_escapes, charset},
      static_cast<std::uint8_t>(mode_bits >> 4));
  return 0;
}
