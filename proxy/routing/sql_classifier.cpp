#include "proxy/routing/sql_classifier.hpp"

#include <algorithm>
#include <array>
#include <span>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// How one way of reading the text (a quoting mode, a charset, a reading of each versioned
// comment) ended.
struct ReadingEnd {
  bool malformed = false;
  bool unterminated = false;  // the last statement has a string, name or comment that never ends
  bool has_complete = false;  // *complete holds the statements before the last one
};

// Classifies one reading into `all`, which must be default-constructed (on the common path it is
// the caller's return value: no copy), and, when `complete` is given, the statements before the
// last one into *complete. The quoting mode by index (0-3): bit 1 ANSI_QUOTES, bit 0
// NO_BACKSLASH_ESCAPES.
ReadingEnd classify_reading(std::string_view sql, unsigned mode_index, sql::MultiByte charset,
                            sql::CommentChoices& choices, StatementTraits& all, StatementTraits* complete) noexcept {
  choices.begin_pass();
  sql::StatementParser parser(sql, sql::LexMode{(mode_index & 2) != 0, (mode_index & 1) != 0, charset}, &choices);
  sql::Lexer& lexer = parser.lexer();
  StatementTraits one;
  std::uint32_t count = 0;
  while (parser.next(count == 0 ? all : one)) {
    if (count > 0) {
      if (complete != nullptr) *complete = all;
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
  ReadingEnd end;
  end.malformed = lexer.malformed();
  end.unterminated = lexer.unterminated();
  end.has_complete = complete != nullptr && count > 1;
  if (end.has_complete) {
    complete->statement_count = static_cast<std::uint16_t>(count - 1);
    complete->multi_statement = count - 1 > 1;
  }
  return end;
}

// Text the classifier cannot make sense of is a write.
void make_write(StatementTraits& t) noexcept {
  t.statement_class = StatementClass::kWrite;
  t.replica_safe = false;
}

// The strictest of several readings of one text. A reading whose last statement never ends
// counts with the statements before it only (the server refuses that one), as long as some
// reading makes sense; when none does, the text is a write as with one reading. Readings in
// which nothing runs don't count. Where the readings differ in what runs, the session can't
// know which ran: the result has readings_differ (no SET of it is replayed: the session keeps
// its connection instead), and a USE or DROP DATABASE in it names no database but keeps the
// connection too.
class Strictest {
 public:
  void add(const StatementTraits& all, ReadingEnd end, const StatementTraits& complete) noexcept {
    if (!clean_) add_to(fallback_, any_, all);  // wanted only when no reading makes sense
    add_hint(all.hint);
    if (!end.malformed) {
      clean_ = true;
      if (all.statement_count > 0) add_to(result_, found_, all);
    } else if (end.unterminated) {
      if (end.has_complete) add_to(result_, found_, complete);
    } else {  // a versioned comment never closed: a write, as with a single reading
      StatementTraits w = all;
      make_write(w);
      add_to(result_, found_, w);
    }
  }

  [[nodiscard]] StatementTraits result() const noexcept {
    StatementTraits t;
    if (!clean_) {  // no reading makes sense
      t = fallback_;
      make_write(t);
    } else if (found_) {
      t = result_;
    } else {
      t.statement_class = StatementClass::kEmpty;
      t.replica_safe = false;
    }
    t.hint = hint_;
    return t;
  }

  // Too many readings to try: whatever the ones tried say, a write that pins what it may set.
  [[nodiscard]] StatementTraits unsure() const noexcept {
    StatementTraits t = found_ ? result_ : fallback_;
    make_write(t);
    t.readings_differ = true;
    t.hint.reset();
    return t;
  }

 private:
  // A hint all readings agree on; else primary if one says so.
  void add_hint(std::optional<Target> hint) noexcept {
    if (!hinted_) {
      hint_ = hint;
      hinted_ = true;
    } else if (hint_ != hint) {
      hint_ = hint_ == Target::kPrimary || hint == Target::kPrimary ? std::optional(Target::kPrimary) : std::nullopt;
    }
  }

  static void add_to(StatementTraits& acc, bool& any, const StatementTraits& t) noexcept {
    if (!any) {
      acc = t;
      any = true;
      return;
    }
    const bool same_statements = acc.statement_class == t.statement_class &&
                                 acc.statement_count == t.statement_count && acc.transaction == t.transaction &&
                                 acc.use_database == t.use_database && acc.drops_database == t.drops_database;
    const bool names_differ = acc.use_database != t.use_database || acc.drops_database != t.drops_database;
    const bool autocommit_differs =
        acc.sets_autocommit != t.sets_autocommit || acc.autocommit_value != t.autocommit_value;
    const TransactionOp transaction = acc.transaction;
    const std::uint16_t count = std::max(acc.statement_count, t.statement_count);
    const bool multi_statement = acc.multi_statement || t.multi_statement;
    merge(acc, t);  // class by rank, replica_safe and-ed, flags or-ed
    acc.statement_count = count;
    acc.multi_statement = multi_statement;
    if (autocommit_differs) acc.autocommit_value = false;  // a transaction may be open: the safe side
    if (same_statements) return;
    acc.readings_differ = true;
    if (transaction != t.transaction) acc.transaction = TransactionOp::kNone;
    if (names_differ) {
      acc.use_database = {};
      acc.drops_database = {};
      acc.sets_system_variable = true;  // with readings_differ: the session keeps this connection
    }
  }

  StatementTraits result_;
  StatementTraits fallback_;
  std::optional<Target> hint_;
  bool hinted_ = false;
  bool found_ = false;  // result_ holds a reading in which something runs
  bool any_ = false;    // fallback_ holds a reading
  bool clean_ = false;
};

// Readings of one text beyond the first are tried this often at most.
constexpr std::size_t kMaxReadings = 32;

// Which client charsets with two-byte characters could hide a '\' or '`' of this text in a
// character: those with a lead byte right before one.
struct MultiByteRisk {
  bool gbk = false;
  bool big5 = false;
  bool sjis = false;
};

// Which bytes that may call for more readings the text holds (kBackslash | kDoubleQuote |
// kLeadBeforeEscapeOrBacktick), in one pass.
enum : unsigned { kBackslash = 1, kDoubleQuote = 2, kLeadBeforeEscapeOrBacktick = 4 };

unsigned scan_bytes(std::string_view sql) noexcept {
  const auto* const begin = reinterpret_cast<const unsigned char*>(sql.data());
  const std::size_t n = sql.size();
#if defined(__SSE2__)
  if (n >= 16) {
    __m128i backslashes = _mm_setzero_si128();
    __m128i double_quotes = _mm_setzero_si128();
    __m128i pairs = _mm_setzero_si128();  // high bit: a '\' or '`' after a byte 0x80 or above
    // 16 bytes, and the 16 before them one byte earlier (their high bits are what counts).
    const auto chunk = [&](__m128i v, __m128i before) {
      const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
      const __m128i special = _mm_or_si128(backslash, _mm_cmpeq_epi8(v, _mm_set1_epi8('`')));
      backslashes = _mm_or_si128(backslashes, backslash);
      double_quotes = _mm_or_si128(double_quotes, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
      pairs = _mm_or_si128(pairs, _mm_and_si128(special, before));
    };
    const auto load = [&](std::size_t at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(begin + at)); };
    const __m128i first = load(0);
    chunk(first, _mm_slli_si128(first, 1));
    std::size_t i = 16;
    for (; i + 16 <= n; i += 16) chunk(load(i), load(i - 1));
    if (i < n) chunk(load(n - 16), load(n - 17));  // the last bytes, overlapping
    return (_mm_movemask_epi8(backslashes) != 0 ? kBackslash : 0U) |
           (_mm_movemask_epi8(double_quotes) != 0 ? kDoubleQuote : 0U) |
           (_mm_movemask_epi8(pairs) != 0 ? kLeadBeforeEscapeOrBacktick : 0U);
  }
#endif
  unsigned found = 0;
  unsigned before_high = 0;
  for (std::size_t i = 0; i < n; ++i) {  // without branches
    const unsigned c = begin[i];
    const unsigned backslash = static_cast<unsigned>(c == '\\');
    const unsigned special = backslash | static_cast<unsigned>(c == '`');
    found |= backslash * kBackslash | static_cast<unsigned>(c == '"') * kDoubleQuote |
             (special & before_high) * kLeadBeforeEscapeOrBacktick;
    before_high = c >> 7;
  }
  return found;
}

MultiByteRisk multibyte_risk(std::string_view sql) noexcept {
  MultiByteRisk risk;
  for (std::size_t i = 1; i < sql.size(); ++i) {
    // In a string a backslash escapes, a backtick opens and closes names: such a second byte
    // moves where the server thinks they end.
    if (sql[i] != '\\' && sql[i] != '`') continue;
    const auto lead = static_cast<unsigned char>(sql[i - 1]);
    risk.gbk = risk.gbk || sql::lex::is_lead(sql::MultiByte::kGbk, lead);
    risk.big5 = risk.big5 || sql::lex::is_lead(sql::MultiByte::kBig5, lead);
    risk.sjis = risk.sjis || sql::lex::is_lead(sql::MultiByte::kSjis, lead);
  }
  return risk;
}

// A quoting mode's bit in a set of them: 1 << its index (classify_reading()).
constexpr unsigned mode_bit(SqlMode m) {
  return 1U << ((m.ansi_quotes ? 2U : 0U) | (m.no_backslash_escapes ? 1U : 0U));
}

// Every reading of `sql` in the quoting modes of `modes` (bits, as mode_bit() gives them), under
// every charset and reading of its versioned comments that could change it; the strictest.
StatementTraits classify_readings(std::string_view sql, unsigned modes, bool lead_pairs) noexcept {
  const std::size_t n_modes = (modes & 1) + ((modes >> 1) & 1) + ((modes >> 2) & 1) + ((modes >> 3) & 1);
  const auto first_index = static_cast<unsigned>(__builtin_ctz(modes));
  sql::CommentChoices choices;
  StatementTraits result;  // the first reading: on the common path, the answer as it is
  const ReadingEnd first_end =
      classify_reading(sql, first_index, sql::MultiByte::kNone, choices, result, nullptr);
  const MultiByteRisk risk = lead_pairs ? multibyte_risk(sql) : MultiByteRisk{};
  const bool charsets = risk.gbk || risk.big5 || risk.sjis;
  if (n_modes == 1 && choices.met == 0 && !charsets) {  // one way to read it
    if (first_end.malformed) make_write(result);
    return result;
  }

  std::array<sql::MultiByte, 4> sets{sql::MultiByte::kNone};
  std::size_t n_sets = 1;
  if (risk.gbk) sets[n_sets++] = sql::MultiByte::kGbk;
  if (risk.big5) sets[n_sets++] = sql::MultiByte::kBig5;
  if (risk.sjis) sets[n_sets++] = sql::MultiByte::kSjis;

  Strictest strictest;
  StatementTraits complete;  // a reading's statements before its last one
  if (first_end.unterminated && result.statement_count > 1) {
    // The first pass kept no statements before the last: the same reading again, keeping them.
    sql::CommentChoices same;
    StatementTraits all;
    const ReadingEnd end = classify_reading(sql, first_index, sql::MultiByte::kNone, same, all, &complete);
    strictest.add(all, end, complete);
  } else {
    strictest.add(result, first_end, complete);
  }
  // As many readings as the first one's comments allow, in every mode and charset: too many, and
  // the text is a write without trying them.
  std::size_t expected = n_modes * n_sets;
  for (int i = 0; i < std::min(choices.met, sql::CommentChoices::kMax); ++i) {
    expected *= choices.options[static_cast<std::size_t>(i)];
  }
  std::size_t readings = 1;
  // One more reading; false when there are too many (a later comment allowed more than the
  // first reading's did).
  const auto read = [&](unsigned mode_index, sql::MultiByte cs) {
    if (++readings > kMaxReadings) return false;
    StatementTraits all;
    const ReadingEnd end = classify_reading(sql, mode_index, cs, choices, all, &complete);
    strictest.add(all, end, complete);
    return !choices.overflow();
  };
  bool tried_all = !choices.overflow() && expected <= kMaxReadings;
  for (unsigned m = 0; tried_all && m < 4; ++m) {
    if ((modes & (1U << m)) == 0) continue;
    for (std::size_t c = 0; tried_all && c < n_sets; ++c) {
      if (m != first_index || c > 0) {  // (the first reading was taken above)
        choices = sql::CommentChoices{};
        tried_all = read(m, sets[c]);
      }
      while (tried_all && choices.advance()) tried_all = read(m, sets[c]);
    }
  }
  result = tried_all ? strictest.result() : strictest.unsure();
  return result;
}

}  // namespace

StatementTraits classify_sql(std::string_view sql) noexcept {
  // The session's sql_mode is not known for sure (a stored procedure, SET STATEMENT, a prepared
  // SET may change it): every quoting mode that could read this text differently.
  const unsigned bytes = scan_bytes(sql);
  unsigned modes = mode_bit({});
  if (bytes & kBackslash) modes |= mode_bit({.no_backslash_escapes = true});
  if (bytes & kDoubleQuote) modes |= mode_bit({.ansi_quotes = true});
  if ((bytes & kBackslash) && (bytes & kDoubleQuote)) modes |= mode_bit({true, true});
  return classify_readings(sql, modes, (bytes & kLeadBeforeEscapeOrBacktick) != 0);
}

StatementTraits classify_sql(std::string_view sql, SqlMode mode) noexcept {
  return classify_readings(sql, mode_bit(mode), (scan_bytes(sql) & kLeadBeforeEscapeOrBacktick) != 0);
}

Target default_target(const StatementTraits& t) noexcept {
  if (t.hint) return *t.hint;
  return t.replica_safe ? Target::kReplica : Target::kPrimary;
}

}  // namespace mysqlproxy::proxy
