// The scanning core of StatementParser and the statements that read: queries, WITH, SHOW,
// EXPLAIN. The others are in sql_statement_other.cpp.
#include "proxy/routing/sql_statement.hpp"

namespace mysqlproxy::proxy::sql {

bool StatementParser::next(StatementTraits& out) noexcept {
  while (cur_->kind == TokenKind::kSemicolon) advance();
  if (cur_->kind == TokenKind::kEnd) return false;
  t_ = &out;
  scan_ = Scan::kNone;
  unsure_ = not_safe_ = compound_ = false;
  *prev_ = Token{};

  statement();
  if (!compound_) {
    rest();
    if (cur_->kind == TokenKind::kSemicolon) advance();
  }
  if (unsure_ || compound_) out.statement_class = StatementClass::kWrite;
  out.replica_safe = out.statement_class == StatementClass::kRead && !not_safe_ && !out.locking_read &&
                     !out.select_into && !out.assigns_user_variable && !out.uses_last_insert_id &&
                     !out.uses_previous_statement_state && !out.sets_found_rows && !out.uses_named_lock &&
                     !out.uses_sequence && !out.calls_unknown_function && !out.reads_server_state;
  return true;
}

// The rest of the statement, scanned or skipped: the loop every token of every statement
// goes through. Its state (lexer position, token slots) lives in registers, written back only
// around the rare scan_token().
void StatementParser::rest() noexcept {
  Token* prev = prev_;
  Token* cur = cur_;
  Token* nxt = nxt_;
  const char* p = lexer_.pos();
  const char* const end = lexer_.end();
  const bool scanning = scan_ != Scan::kNone;
  while (!cur->ends_statement()) {
    if (scanning && worth_scanning(*cur, *nxt)) {
      prev_ = prev;
      cur_ = cur;
      nxt_ = nxt;
      lexer_.set_pos(p);
      scan_token();
      prev = prev_;
      cur = cur_;
      nxt = nxt_;
      p = lexer_.pos();
    }
    Token* const free = prev;
    prev = cur;
    cur = nxt;
    nxt = free;
    lexer_.next_at(*nxt, p, end);
  }
  prev_ = prev;
  cur_ = cur;
  nxt_ = nxt;
  lexer_.set_pos(p);
}

// What scan() let through: a call, a keyword candidate, a variable.
void StatementParser::scan_token() noexcept {
  switch (cur_->kind) {
    case TokenKind::kWord: {
      if (nxt_->is('(')) {
        call(cur_->word().fn);
        return;
      }
      switch (cur_->word().kw) {
        case Kw::kFor:
          if (nxt_->is(Kw::kUpdate) || nxt_->is(Kw::kShare)) t_->locking_read = true;
          return;
        case Kw::kLock:  // LOCK IN SHARE MODE
          if (nxt_->is(Kw::kIn)) t_->locking_read = true;
          return;
        case Kw::kInto:
          if (scan_ == Scan::kQuery) {
            t_->select_into = true;
            // SELECT ... INTO @a, @b sets session variables as SET would
            if (nxt_->kind == TokenKind::kUserVar) t_->assigns_user_variable = true;
          }
          return;
        case Kw::kNext:  // NEXT VALUE FOR seq
        case Kw::kPrevious:
          if (nxt_->is(Kw::kValue)) t_->uses_sequence = true;
          return;
        case Kw::kSqlCalcFoundRows:
          t_->sets_found_rows = true;
          return;
        default:
          return;
      }
    }
    case TokenKind::kQualifiedName:  // db.f(...), `f`(...), "f"(...) under ANSI_QUOTES, 1f(...):
    case TokenKind::kQuotedName:     // stored functions
    case TokenKind::kString:
    case TokenKind::kNumber:
      if (nxt_->is('(')) call(FnClass::kUnknown);
      return;
    case TokenKind::kUserVar:
      if (nxt_->kind == TokenKind::kAssign) t_->assigns_user_variable = true;
      return;
    case TokenKind::kSysVar:
      read_system_variable();
      return;
    default:
      return;
  }
}

void StatementParser::call(FnClass fn) noexcept {
  if (prev_->is('.')) {
    fn = FnClass::kUnknown;  // db.f(): a stored function, whatever its name
  } else if (prev_->is(')') || prev_->is(Kw::kAs)) {
    return;  // `AS name (cols)` or `(subquery) name (cols)`: a column list
  }
  switch (fn) {
    case FnClass::kSafe:
      return;
    case FnClass::kSessionBound:
      t_->uses_last_insert_id = true;
      t_->uses_previous_statement_state = true;
      return;
    case FnClass::kNamedLock:
      t_->uses_named_lock = true;
      return;
    case FnClass::kSequence:
      t_->uses_sequence = true;
      return;
    case FnClass::kServerState:
      t_->reads_server_state = true;
      return;
    case FnClass::kConnectionId:
      t_->reads_server_state = true;
      t_->uses_connection_id = true;
      return;
    case FnClass::kUnknown:
      // In a query it keeps a read on the primary; in a SET (SET STATEMENT ... FOR included) it
      // may be a stored function that writes: such a SET is not replayed on other connections.
      if (scan_ == Scan::kQuery || t_->statement_class == StatementClass::kSessionState) {
        t_->calls_unknown_function = true;
      }
      return;
  }
}

// cur_ is @@name, perhaps @@scope followed by .name (then both are consumed but the last).
void StatementParser::read_system_variable() noexcept {
  VarClass var = cur_->word().var;
  const Kw scope = cur_->word().kw;
  if (nxt_->is('.') && (scope == Kw::kGlobal || scope == Kw::kSession || scope == Kw::kLocal)) {
    advance();
    if (nxt_->kind != TokenKind::kWord && nxt_->kind != TokenKind::kQuotedName) return;
    advance();
    var = cur_->kind == TokenKind::kWord ? cur_->word().var : VarClass::kPlain;
  }
  switch (var) {
    case VarClass::kLastInsertId:
      t_->uses_last_insert_id = true;
      [[fallthrough]];
    case VarClass::kPreviousStatement:
      t_->uses_previous_statement_state = true;
      return;
    case VarClass::kServerState:
      t_->reads_server_state = true;
      return;
    default:
      return;
  }
}

// cur_ is '('. Moves past the matching ')', scanning what is inside if asked. False (and the
// statement is not understood) when the statement ends first.
bool StatementParser::balanced(bool scan_inside) noexcept {
  std::size_t depth = 0;
  while (!at_end()) {
    if (cur_->is('(')) {
      ++depth;
    } else if (cur_->is(')') && --depth == 0) {
      advance();
      return true;
    }
    if (scan_inside) scan();
    advance();
  }
  unsure_ = true;
  return false;
}

void StatementParser::read(Scan scan) noexcept {
  t_->statement_class = StatementClass::kRead;
  scan_ = scan;
}

void StatementParser::write(Scan scan) noexcept {
  t_->statement_class = StatementClass::kWrite;
  scan_ = scan;
}

void StatementParser::statement() noexcept {
  for (;;) {  // loops only to unwrap SET STATEMENT ... FOR <statement>
    scan_ = Scan::kNone;
    if (query_head()) return;
    if (cur_->kind != TokenKind::kWord) return write(Scan::kNone);
    if (nxt_->is(':')) {  // `label: BEGIN ... END` and the like
      compound_ = true;
      return;
    }
    switch (cur_->word().kw) {
      case Kw::kShow:
        return show();
      case Kw::kDescribe:
      case Kw::kDesc:
      case Kw::kExplain:
        return explain(false);
      case Kw::kAnalyze:  // MariaDB ANALYZE <statement> executes it; ANALYZE TABLE is a write
        return explain(true);
      case Kw::kHelp:
        return read(Scan::kNone);
      case Kw::kSet:
        if (set()) continue;
        return;
      case Kw::kUse:
        return use();
      case Kw::kBegin:
      case Kw::kStart:
      case Kw::kCommit:
      case Kw::kRollback:
      case Kw::kSavepoint:
      case Kw::kRelease:
      case Kw::kXa:
        return transaction();
      case Kw::kLock:
      case Kw::kUnlock:
      case Kw::kFlush:
      case Kw::kBackup:
        return locking();
      case Kw::kCreate:
      case Kw::kAlter:
        return create_or_alter();
      case Kw::kInsert:
      case Kw::kUpdate:
      case Kw::kDelete:
      case Kw::kReplace:
      case Kw::kDo:
      case Kw::kCall:
        return write(Scan::kDml);
      case Kw::kIf:  // MariaDB runs these compound statements outside stored programs too
      case Kw::kCase:
      case Kw::kLoop:
      case Kw::kWhile:
      case Kw::kRepeat:
      case Kw::kFor:
        compound_ = true;
        return;
      default:
        return other_write();
    }
  }
}

// SELECT, VALUES, TABLE, WITH, or any of them after opening parentheses.
bool StatementParser::query_head() noexcept {
  if (cur_->is('(')) {
    while (cur_->is('(')) advance();
    if (!query_head()) unsure_ = true;
    return true;
  }
  if (cur_->is(Kw::kSelect) || cur_->is(Kw::kValues) || cur_->is(Kw::kTable)) {
    read(Scan::kQuery);
    return true;
  }
  if (cur_->is(Kw::kWith)) {
    with();
    return true;
  }
  return false;
}

// WITH [RECURSIVE] name [(cols)] AS (body) [, ...] followed by the statement proper.
void StatementParser::with() noexcept {
  read(Scan::kQuery);
  advance();
  if (cur_->is(Kw::kRecursive)) advance();
  for (;;) {
    if (cur_->kind != TokenKind::kWord && cur_->kind != TokenKind::kQuotedName) {
      unsure_ = true;
      return;
    }
    advance();
    if (cur_->is('(') && !balanced(false)) return;
    if (!cur_->is(Kw::kAs)) {
      unsure_ = true;
      return;
    }
    advance();
    if (!cur_->is('(')) {
      unsure_ = true;
      return;
    }
    if (!balanced(true)) return;
    if (!cur_->is(',')) break;
    advance();
  }
  if (cur_->is(Kw::kUpdate) || cur_->is(Kw::kDelete) || cur_->is(Kw::kInsert) || cur_->is(Kw::kReplace)) {
    return write(Scan::kDml);
  }
  if (!cur_->is(Kw::kSelect) && !cur_->is(Kw::kValues) && !cur_->is(Kw::kTable) && !cur_->is('(')) unsure_ = true;
}

void StatementParser::show() noexcept {
  read(Scan::kNone);
  advance();
  while (cur_->is(Kw::kFull) || cur_->is(Kw::kExtended) || cur_->is(Kw::kGlobal) || cur_->is(Kw::kSession) ||
         cur_->is(Kw::kAll) || cur_->is(Kw::kStorage)) {
    advance();
  }
  switch (cur_->kind == TokenKind::kWord ? cur_->word().kw : Kw::kNone) {
    // Schema objects and server metadata that replicate: the same on every server.
    case Kw::kTables:
    case Kw::kTable:
    case Kw::kColumns:
    case Kw::kFields:
    case Kw::kCreate:
    case Kw::kIndex:
    case Kw::kIndexes:
    case Kw::kKeys:
    case Kw::kDatabases:
    case Kw::kSchemas:
    case Kw::kTriggers:
    case Kw::kEvents:
    case Kw::kProcedure:
    case Kw::kFunction:
    case Kw::kPackage:
    case Kw::kCharacter:
    case Kw::kCharset:
    case Kw::kCollation:
    case Kw::kEngines:
    case Kw::kPlugins:
    case Kw::kPrivileges:
    case Kw::kGrants:
    case Kw::kAuthors:
    case Kw::kContributors:
      return;
    // About the previous statement on this connection.
    case Kw::kWarnings:
    case Kw::kErrors:
    case Kw::kCount:
    case Kw::kProfile:
    case Kw::kProfiles:
      t_->uses_previous_statement_state = true;
      return;
    // Replication, binary logs, processes, status and variables: the answering server's own.
    default:
      t_->reads_server_state = true;
      return;
  }
}

// EXPLAIN/DESCRIBE/DESC [modifiers] <table or statement>, or MariaDB's ANALYZE <statement>.
void StatementParser::explain(bool analyze_statement) noexcept {
  bool executes = analyze_statement;
  advance();
  for (;;) {
    if (cur_->is(Kw::kExtended) || cur_->is(Kw::kPartitions)) {
      advance();
    } else if (cur_->is(Kw::kAnalyze)) {  // EXPLAIN ANALYZE runs the statement
      executes = true;
      advance();
    } else if (cur_->is(Kw::kFormat) && nxt_->is('=')) {
      advance();
      advance();
      if (!at_end()) advance();
    } else {
      break;
    }
  }
  if (analyze_statement && (cur_->is(Kw::kTable) || cur_->is(Kw::kLocal) || cur_->kind != TokenKind::kWord)) {
    return other_write();  // ANALYZE [LOCAL|NO_WRITE_TO_BINLOG] TABLE: maintenance, binlogged
  }
  if (query_head()) {
    // a read, or WITH ... UPDATE/DELETE: a write
  } else if (cur_->is(Kw::kInsert) || cur_->is(Kw::kUpdate) || cur_->is(Kw::kDelete) || cur_->is(Kw::kReplace)) {
    write(Scan::kDml);
  } else if (analyze_statement) {
    return other_write();
  } else if (cur_->is(Kw::kFor)) {  // EXPLAIN FOR CONNECTION n
    read(Scan::kNone);
    t_->reads_server_state = true;
  } else if (cur_->kind == TokenKind::kWord || cur_->kind == TokenKind::kQuotedName ||
             cur_->kind == TokenKind::kQualifiedName) {
    read(Scan::kNone);  // DESCRIBE table [column]
  } else {
    unsure_ = true;
  }
  if (t_->statement_class == StatementClass::kWrite && !executes && !unsure_) {
    read(Scan::kNone);  // EXPLAIN of a write: nothing runs, but the plan wanted is the primary's
    not_safe_ = true;
  }
}

}  // namespace mysqlproxy::proxy::sql
