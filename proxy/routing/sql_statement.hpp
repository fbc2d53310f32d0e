#pragma once
// Classifies the statements of one text one at a time, from the lexer's tokens. Internal to
// proxy/routing: classify_sql combines the results.
#include "proxy/routing/sql_classifier.hpp"
#include "proxy/routing/sql_lexer.hpp"

namespace mysqlproxy::proxy::sql {

class StatementParser {
 public:
  StatementParser(std::string_view sql, LexMode mode, CommentChoices* choices = nullptr) noexcept
      : lexer_(sql, mode, choices) {
    lexer_.next(*cur_);
    lexer_.next(*nxt_);
  }

  // Skips empty statements; false at the end of the text. Else classifies the next statement
  // into `out`, which must be default-constructed, and consumes it with its ';'.
  bool next(StatementTraits& out) noexcept;

  // The statement just classified is compound: the rest of the text is its body.
  [[nodiscard]] bool compound() const noexcept { return compound_; }
  [[nodiscard]] Lexer& lexer() noexcept { return lexer_; }

 private:
  // What scan() looks for in the tokens it is shown.
  enum class Scan : std::uint8_t {
    kNone,
    kDml,    // function calls with session effects, locking clauses, user variable assignment
    kQuery,  // the above, plus INTO, SQL_CALC_FOUND_ROWS and calls of unknown functions
  };

  [[nodiscard]] bool at_end() const noexcept { return cur_->ends_statement(); }
  // Moves on by one token: rotates the slots and lexes into the free one.
  void advance() noexcept {
    rotate();
    lexer_.next(*nxt_);
  }
  void rotate() noexcept {
    Token* const free = prev_;
    prev_ = cur_;
    cur_ = nxt_;
    nxt_ = free;
  }
  // Looks at cur_ for what makes a statement session-bound or not replica-safe. The filter
  // inline, the looking out of line: most tokens are punctuation and names that can't matter.
  void scan() noexcept {
    if (worth_scanning(*cur_, *nxt_)) scan_token();
  }
  [[gnu::always_inline]] static bool worth_scanning(const Token& cur, const Token& nxt) noexcept {
    switch (cur.kind) {
      case TokenKind::kWord:
        return nxt.is('(') || maybe_scanned_keyword(cur);
      case TokenKind::kQualifiedName:
      case TokenKind::kQuotedName:
      case TokenKind::kString:
      case TokenKind::kNumber:
        return nxt.is('(');
      case TokenKind::kUserVar:
      case TokenKind::kSysVar:
        return true;
      default:
        return false;
    }
  }
  // Whether a word not followed by '(' may be one of the keywords scan_token() acts on, by
  // length and first letter: FOR, LOCK, INTO, NEXT, PREVIOUS, SQL_CALC_FOUND_ROWS.
  static bool maybe_scanned_keyword(const Token& w) noexcept {
    const char first = static_cast<char>(w.begin[0] & 0xDF);
    switch (w.size) {
      case 3:
        return first == 'F';
      case 4:
        return first == 'L' || first == 'I' || first == 'N';
      case 8:
        return first == 'P';
      case 19:
        return first == 'S';
      default:
        return false;
    }
  }
  void scan_token() noexcept;
  void rest() noexcept;
  void call(FnClass fn) noexcept;
  void read_system_variable() noexcept;
  bool balanced(bool scan_inside) noexcept;
  void skip_value() noexcept;

  void statement() noexcept;
  void read(Scan scan) noexcept;
  void write(Scan scan) noexcept;
  bool query_head() noexcept;
  void with() noexcept;
  void show() noexcept;
  void explain(bool analyze_statement) noexcept;
  bool set() noexcept;
  void assignments() noexcept;
  void system_variable(bool global, VarClass var) noexcept;
  void use() noexcept;
  void transaction() noexcept;
  void locking() noexcept;
  void create_or_alter() noexcept;
  void other_write() noexcept;

  Lexer lexer_;
  // Three slots, rotated by advance(): tokens are filled in place and never copied.
  Token slots_[3];
  Token* prev_ = &slots_[0];  // before cur_ in this statement
  Token* cur_ = &slots_[1];
  Token* nxt_ = &slots_[2];   // one token of lookahead

  StatementTraits* t_ = nullptr;
  Scan scan_ = Scan::kNone;
  bool unsure_ = false;    // structure not understood: a write
  bool not_safe_ = false;  // a read that stays on the primary for a reason without a flag
  bool compound_ = false;
};

}  // namespace mysqlproxy::proxy::sql
