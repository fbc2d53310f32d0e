// StatementParser for statements that are not reads: SET, USE, transaction control, locking,
// DDL and the rest.
#include "proxy/routing/sql_statement.hpp"

namespace mysqlproxy::proxy::sql {
namespace {

inline char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

bool equals_upper(std::string_view s, std::string_view upper_word) {
  if (s.size() != upper_word.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (upper(s[i]) != upper_word[i]) return false;
  }
  return true;
}

// The value of `SET autocommit = <tok>` when <tok> is a literal; false (a transaction may be
// open: the safe assumption) for anything else.
bool autocommit_literal(const Token& tok) {
  std::string_view text = tok.text();
  switch (tok.kind) {
    case TokenKind::kNumber:
      if (text.find_first_not_of("0123456789") != std::string_view::npos) return false;
      return text.find_first_not_of('0') != std::string_view::npos;
    case TokenKind::kWord:
      return tok.word().kw == Kw::kOn || tok.word().kw == Kw::kTrue || tok.word().kw == Kw::kDefault;
    case TokenKind::kString:
      if (text.size() < 2) return false;
      text = text.substr(1, text.size() - 2);
      return text == "1" || equals_upper(text, "ON") || equals_upper(text, "TRUE");
    default:
      return false;
  }
}

// A database name as written after USE: unquoted when that needs no copy.
std::string_view unquoted_name(const Token& tok) {
  const std::string_view text = tok.text();
  if (tok.kind != TokenKind::kQuotedName || text.size() < 2) return text;
  const std::string_view inner = text.substr(1, text.size() - 2);
  return inner.find(text.front()) == std::string_view::npos ? inner : text;
}

}  // namespace

// Skips one SET value: up to a ',' outside parentheses or the end of the statement.
void StatementParser::skip_value() noexcept {
  std::size_t depth = 0;
  while (!at_end()) {
    if (cur_->is('(')) {
      ++depth;
    } else if (cur_->is(')')) {
      if (depth > 0) --depth;
    } else if (depth == 0 && cur_->is(',')) {
      return;
    }
    scan();
    advance();
  }
}

// True when cur_ is now the statement a SET STATEMENT ... FOR wraps, to be classified instead.
bool StatementParser::set() noexcept {
  t_->statement_class = StatementClass::kSessionState;
  scan_ = Scan::kDml;
  advance();
  if (cur_->is(Kw::kStatement)) {  // MariaDB: SET STATEMENT var = value [, ...] FOR <statement>
    advance();
    std::size_t depth = 0;
    while (!at_end()) {
      if (cur_->is('(')) ++depth;
      if (cur_->is(')') && depth > 0) --depth;
      if (depth == 0 && cur_->is(Kw::kFor)) {
        advance();
        return true;
      }
      scan();
      advance();
    }
    unsure_ = true;
    return false;
  }
  if (cur_->is(Kw::kPassword) || cur_->is(Kw::kResource) || (cur_->is(Kw::kDefault) && nxt_->is(Kw::kRole))) {
    write(Scan::kNone);  // stored in the grant tables, or server-specific
    t_->changes_privileges = !cur_->is(Kw::kResource);
    return false;
  }
  if (cur_->is(Kw::kRole)) {
    t_->sets_system_variable = true;
    return false;
  }
  if (cur_->is(Kw::kTransaction)) {
    t_->sets_next_transaction = true;
    return false;
  }
  if (nxt_->is(Kw::kTransaction)) {
    if (cur_->is(Kw::kGlobal)) {
      write(Scan::kNone);
      t_->sets_global = true;
      return false;
    }
    if (cur_->is(Kw::kSession) || cur_->is(Kw::kLocal)) {
      t_->sets_system_variable = true;
      return false;
    }
  }
  assignments();
  if (t_->sets_global) write(Scan::kDml);
  return false;
}

void StatementParser::system_variable(bool global, VarClass var) noexcept {
  if (global) {
    t_->sets_global = true;
    return;
  }
  t_->sets_system_variable = true;
  if (var == VarClass::kNames) t_->sets_names = true;
}

// target = value [, target = value ...]. A scope keyword applies to the assignments after it
// that have none of their own, as in MySQL.
void StatementParser::assignments() noexcept {
  bool global = false;
  for (;;) {
    VarClass var = VarClass::kPlain;
    bool system = true;
    bool is_global = global;
    if (cur_->kind == TokenKind::kUserVar) {
      t_->sets_user_variable = true;
      system = false;
      advance();
    } else if (cur_->kind == TokenKind::kSysVar) {
      const Kw scope = cur_->word().kw;
      var = cur_->word().var;
      is_global = false;  // @@name is the session value
      if (nxt_->is('.') && (scope == Kw::kGlobal || scope == Kw::kSession || scope == Kw::kLocal ||
                           scope == Kw::kPersist || scope == Kw::kPersistOnly)) {
        is_global = scope != Kw::kSession && scope != Kw::kLocal;
        advance();
        advance();
        var = cur_->kind == TokenKind::kWord ? cur_->word().var : VarClass::kPlain;
      }
      if (!at_end()) advance();
    } else {
      if (cur_->is(Kw::kGlobal) || cur_->is(Kw::kPersist) || cur_->is(Kw::kPersistOnly)) {
        is_global = global = true;
        advance();
      } else if (cur_->is(Kw::kSession) || cur_->is(Kw::kLocal)) {
        is_global = global = false;
        advance();
      }
      const bool names = cur_->is(Kw::kNames) || cur_->is(Kw::kCharset);
      if (names || (cur_->is(Kw::kCharacter) && nxt_->is(Kw::kSet))) {
        if (!names) advance();
        advance();
        t_->sets_names = t_->sets_system_variable = true;
        skip_value();
        if (cur_->is(',')) {
          advance();
          continue;
        }
        if (!at_end()) unsure_ = true;
        return;
      }
      if (cur_->kind != TokenKind::kWord && cur_->kind != TokenKind::kQuotedName &&
          cur_->kind != TokenKind::kQualifiedName) {  // keycache.key_buffer_size: structured
        unsure_ = true;
        return;
      }
      var = cur_->kind == TokenKind::kWord ? cur_->word().var : VarClass::kPlain;
      advance();
      while (cur_->is('.') && (nxt_->kind == TokenKind::kWord || nxt_->kind == TokenKind::kQuotedName)) {
        advance();  // structured variable: name.component
        var = VarClass::kPlain;
        advance();
      }
    }
    if (system) system_variable(is_global, var);
    if (!cur_->is('=') && cur_->kind != TokenKind::kAssign) {
      unsure_ = true;
      return;
    }
    advance();
    if (system && !is_global && var == VarClass::kAutocommit) {
      t_->sets_autocommit = true;
      const bool lone = nxt_->ends_statement() || nxt_->is(',');
      t_->autocommit_value = lone && autocommit_literal(*cur_);
    }
    skip_value();
    if (!cur_->is(',')) return;
    advance();
  }
}

void StatementParser::use() noexcept {
  t_->statement_class = StatementClass::kSessionState;
  advance();
  if (cur_->kind != TokenKind::kWord && cur_->kind != TokenKind::kQuotedName) {
    unsure_ = true;
    return;
  }
  t_->use_database = unquoted_name(*cur_);
  advance();
  if (!at_end()) unsure_ = true;
}

void StatementParser::transaction() noexcept {
  t_->statement_class = StatementClass::kTransaction;
  const Kw first = cur_->word().kw;
  advance();
  TransactionOp op = TransactionOp::kNone;
  switch (first) {
    case Kw::kBegin:
      if (cur_->is(Kw::kNot)) {  // MariaDB BEGIN NOT ATOMIC ... END: an anonymous block
        compound_ = true;
        return;
      }
      if (cur_->is(Kw::kWork)) advance();
      if (!at_end()) {
        unsure_ = true;
        return;
      }
      op = TransactionOp::kBegin;
      break;
    case Kw::kStart:
      if (!cur_->is(Kw::kTransaction)) return write(Scan::kNone);  // START SLAVE/REPLICA...
      op = TransactionOp::kBegin;
      for (advance(); !at_end(); advance()) {
        if (cur_->is(Kw::kRead) && nxt_->is(Kw::kOnly)) op = TransactionOp::kBeginReadOnly;
      }
      break;
    case Kw::kCommit:
    case Kw::kRollback:
      op = first == Kw::kCommit ? TransactionOp::kCommit : TransactionOp::kRollback;
      for (; !at_end(); advance()) {
        if (first == Kw::kRollback && cur_->is(Kw::kTo)) op = TransactionOp::kRollbackToSavepoint;
        if (cur_->is(Kw::kAnd) && nxt_->is(Kw::kChain)) t_->and_chain = true;
      }
      break;
    case Kw::kSavepoint:
      op = TransactionOp::kSavepoint;
      break;
    case Kw::kRelease:
      if (!cur_->is(Kw::kSavepoint)) return write(Scan::kNone);
      op = TransactionOp::kReleaseSavepoint;
      break;
    default:  // XA
      op = TransactionOp::kXa;
      break;
  }
  t_->transaction = op;
}

void StatementParser::locking() noexcept {
  const Kw first = cur_->word().kw;
  advance();
  bool locks = false;
  switch (first) {
    case Kw::kLock:
    case Kw::kUnlock:
      locks = cur_->is(Kw::kTable) || cur_->is(Kw::kTables) || cur_->is(Kw::kInstance);
      t_->unlocks = locks && first == Kw::kUnlock;
      break;
    case Kw::kBackup:  // MariaDB BACKUP LOCK t / BACKUP UNLOCK / BACKUP STAGE x
      locks = cur_->is(Kw::kLock) || cur_->is(Kw::kUnlock) || cur_->is(Kw::kStage);
      t_->unlocks = cur_->is(Kw::kUnlock);
      break;
    default: {  // FLUSH [LOCAL|NO_WRITE_TO_BINLOG] TABLE[S] [t, ...] WITH READ LOCK | FOR EXPORT
      bool tables = false;
      for (; !at_end(); advance()) {
        if (cur_->is(Kw::kPrivileges)) t_->changes_privileges = true;
        tables = tables || cur_->is(Kw::kTable) || cur_->is(Kw::kTables);
        if (tables && ((cur_->is(Kw::kWith) && nxt_->is(Kw::kRead)) || (cur_->is(Kw::kFor) && nxt_->is(Kw::kExport)))) {
          locks = true;
        }
      }
      break;
    }
  }
  t_->statement_class = locks ? StatementClass::kLocking : StatementClass::kWrite;
}

// CREATE/ALTER: looks past the modifiers (OR REPLACE, DEFINER = ..., ALGORITHM = ..., SQL
// SECURITY ..., TEMPORARY, IF NOT EXISTS) at the kind of object.
void StatementParser::create_or_alter() noexcept {
  write(Scan::kNone);
  const bool create = cur_->is(Kw::kCreate);
  advance();
  bool temporary = false;
  for (int i = 0; i < 24 && !at_end() && !cur_->is('(') && !cur_->is(Kw::kAs) && !cur_->is(Kw::kSelect); ++i) {
    const Kw k = cur_->kind == TokenKind::kWord ? cur_->word().kw : Kw::kNone;
    if (k == Kw::kTemporary) temporary = true;
    // (a definer named `user` sets it too: a needless refresh of pooled connections, no harm)
    if (k == Kw::kUser || k == Kw::kRole) t_->changes_privileges = true;
    if (k == Kw::kEvent || (create && (k == Kw::kProcedure || k == Kw::kFunction || k == Kw::kTrigger ||
                                       k == Kw::kPackage))) {
      compound_ = true;  // the body may hold BEGIN ... ; ... END
      return;
    }
    if (k == Kw::kTable) {
      t_->creates_temporary_table = create && temporary;
      return;
    }
    advance();
  }
}

// Writes told apart by what they mean to the session.
void StatementParser::other_write() noexcept {
  write(Scan::kNone);
  const Kw first = cur_->kind == TokenKind::kWord ? cur_->word().kw : Kw::kNone;
  if (first == Kw::kNone) return;
  advance();
  switch (first) {
    case Kw::kDrop:
      t_->drops_temporary_table = cur_->is(Kw::kTemporary);
      t_->sql_prepare = cur_->is(Kw::kPrepare);
      t_->changes_privileges = cur_->is(Kw::kUser) || cur_->is(Kw::kRole);
      if (cur_->is(Kw::kDatabase) || cur_->is(Kw::kSchema)) {
        advance();
        if (cur_->is(Kw::kIf) && nxt_->is(Kw::kExists)) {
          advance();
          advance();
        }
        if (cur_->kind == TokenKind::kWord || cur_->kind == TokenKind::kQuotedName) {
          t_->drops_database = unquoted_name(*cur_);
        }
      }
      return;
    case Kw::kRename:
      t_->changes_privileges = cur_->is(Kw::kUser);
      return;
    case Kw::kGrant:
    case Kw::kRevoke:
      t_->changes_privileges = true;
      return;
    case Kw::kPrepare:
    case Kw::kDeallocate:
      t_->sql_prepare = true;
      return;
    case Kw::kExecute:
      t_->sql_prepare = !cur_->is(Kw::kImmediate);
      scan_ = Scan::kDml;
      return;
    case Kw::kGet:  // GET [CURRENT|STACKED] DIAGNOSTICS reads the previous statement's
      t_->uses_previous_statement_state = cur_->is(Kw::kDiagnostics) || nxt_->is(Kw::kDiagnostics);
      return;
    default:
      return;
  }
}

}  // namespace mysqlproxy::proxy::sql
