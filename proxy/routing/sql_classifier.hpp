#pragma once
// Classifies the text of one COM_QUERY for read/write splitting and session tracking. Pure: no
// I/O, no allocation, no regular expressions; linear in the length of the text; never throws.
//
// It is a lexer with a little grammar, not a parser. Comments and whitespace are skipped,
// strings and quoted names are understood (a keyword inside one never counts), keywords are
// case-insensitive; optimizer hints (/*+ ... */) are comments. Text it cannot make sense of
// (unterminated string, quoted name or comment; unknown statement) is a write.
//
// One text, several readings: where servers may read a text differently, it is classified in
// every way they may, and the strictest result is kept (class by the rank below, replica_safe
// only if every reading is a replica-safe read, flags OR-ed), so that no reading's write passes
// for a read:
// - Quoting modes. classify_sql(sql) does not know the session's sql_mode (a stored procedure,
//   SET STATEMENT, a prepared SET or a pooled connection may change it): a text with a backslash
//   is also read with NO_BACKSLASH_ESCAPES, one with a '"' also with ANSI_QUOTES (sql_mode=ANSI
//   includes it), both when it has both. Other modes don't move where strings end.
//   classify_sql(sql, mode) reads it in that mode only.
// - Versioned comments. /*!NNNNN ... */ and /*M!NNNNNN ... */ are code to a server at least that
//   version and comments to older ones; MariaDB never runs /*! versions 50700-99999 (MySQL 5.7 to
//   9), MySQL takes /*M! for a plain comment. A comment whose meaning depends on the server is
//   read both ways (and, for a 6-digit version, as MySQL's 5 digits too): see sql_lexer.hpp,
//   VersionedReading. /*! without a version, and /*! versions below 50700, are code to every
//   server; version 999999 to none.
// - Client charsets. In gbk, big5, sjis and cp932 a lead byte and the ASCII byte after it ('\',
//   '`', ...) are one character: a text with such a pair is read in those charsets too.
// - A reading in which a string, name or comment never ends is refused by the server at that
//   statement (ER_PARSE_ERROR): it counts with the statements before it only, as long as another
//   reading makes sense ('O\'Brien' stays a read). Readings in which nothing runs don't count.
// - Readings that run different statements set readings_differ: the session can't know which
//   ran, so it replays no SET of it (and a USE or DROP DATABASE in it names no database).
// - More than 32 readings (or 8 conditional versioned comments): a write, with readings_differ.
// A text without backslashes, double quotes, versioned comments that depend on the server or
// such byte pairs is read once: the common case costs one pass and a scan for those bytes.
//
// Routing hints: a comment (any form: /* */, -- or #) containing the word `route`, optional
// blanks, '=', optional blanks, then `primary` or `replica` (any case), e.g.
//   /* route=replica */ SELECT ...      SELECT /* app:orders route = primary */ ...
//   SELECT ... -- route=primary
// sets `hint`. Only the first well-formed hint in the text counts; one inside a string doesn't.
//
// Decisions on questions a proxy must answer somehow:
// - A call of a function not on the built-in allow-list (see sql_words.cpp) may be a stored
//   function that writes: the read is not replica-safe (calls_unknown_function). The list covers
//   aggregates, window, string, date, math, JSON_*, ST_*, cast and information functions. A call
//   qualified by a schema (db.f(), whatever f is) is always a stored function.
// - Which tables a read touches doesn't matter: SELECTs from mysql.*, information_schema or
//   performance_schema stay replica-safe.
// - CONNECTION_ID() is not replica-safe: the id must be that of the connection that KILL and
//   named locks refer to, the primary one; the session is pinned to that connection from then on
//   (uses_connection_id). SLEEP, BENCHMARK, UUID, RAND are replica-safe.
// - @@server_id, @@hostname, @@port name the server that answers: replica-safe (it is how a
//   client sees which backend served it).
// - Reading @@read_only, @@gtid_* and SHOW of server or replication
//   state (MASTER/SLAVE/REPLICA STATUS, BINARY LOGS, PROCESSLIST, STATUS, VARIABLES, ENGINE ...)
//   describe the server that answers: reads, not replica-safe (reads_server_state). SHOW of
//   schema objects (TABLES, COLUMNS, CREATE ..., INDEX, DATABASES, GRANTS ...) is replica-safe.
// - SHOW WARNINGS/ERRORS/COUNT(*) WARNINGS/PROFILE(S), @@warning_count, @@error_count,
//   @@last_gtid, @@identity, @@last_insert_id, LAST_INSERT_ID(), FOUND_ROWS(), ROW_COUNT() are
//   about the previous statement on the same connection: not replica-safe
//   (uses_previous_statement_state). SELECT SQL_CALC_FOUND_ROWS is not replica-safe either, so
//   it and the FOUND_ROWS() after it both run on the primary (sets_found_rows).
// - EXPLAIN/DESCRIBE of a table or a query is a read; its replica-safety is the query's.
//   EXPLAIN of INSERT/UPDATE/DELETE/REPLACE is a read that is not replica-safe (the plan wanted
//   is the primary's); EXPLAIN ANALYZE or MariaDB ANALYZE of one executes it: a write.
// - DO is a write (it exists for its side effects), with function flags set as for a SELECT.
// - SQL-level PREPARE/EXECUTE/DEALLOCATE are writes with sql_prepare set: the statement lives
//   on one connection. SET ... = <expression> stays kSessionState even when the expression calls
//   a session-bound function; its flags say so, and the session must not replay such a SET. A
//   call of an unknown (maybe stored) function in a SET sets calls_unknown_function: the session
//   does not replay it, since the function would run again wherever it is replayed.
// - SET autocommit to anything but a literal (0/1/ON/OFF/TRUE/FALSE/DEFAULT, bare or quoted)
//   reports autocommit_value false: assuming a transaction may be open is the safe side.
//
// Several statements in one text: counted in statement_count; replica_safe only if every one is
// a replica-safe read; statement_class is that of the highest-ranked statement in the order
// kWrite > kLocking > kTransaction > kSessionState > kRead (a text of only reads is kRead);
// boolean flags are OR-ed; `transaction` is the first statement's that has one; autocommit_value
// and use_database are the last ones set. Once a statement is a compound one (CREATE PROCEDURE/
// FUNCTION/TRIGGER/EVENT/PACKAGE, ALTER EVENT, BEGIN NOT ATOMIC, top-level IF/CASE/LOOP/WHILE/
// REPEAT), the rest of the text is its body: one write.
#include <cstdint>
#include <optional>
#include <string_view>

namespace mysqlproxy::proxy {

enum class Target : std::uint8_t { kPrimary, kReplica };

enum class StatementClass : std::uint8_t {
  kRead,          // SELECT, WITH ... SELECT, (SELECT ...), VALUES, TABLE, SHOW, DESCRIBE, EXPLAIN, HELP
  kWrite,         // DML, DDL, CALL, DO, LOAD, HANDLER, GRANT, KILL, SET GLOBAL ... and anything unknown
  kSessionState,  // SET of session or user variables, SET NAMES/CHARACTER SET, SET TRANSACTION, USE
  kTransaction,   // BEGIN, START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, RELEASE SAVEPOINT, XA
  kLocking,       // LOCK/UNLOCK TABLES, FLUSH TABLES ... WITH READ LOCK/FOR EXPORT, LOCK INSTANCE, BACKUP
  kEmpty,         // only whitespace, comments and semicolons
};

enum class TransactionOp : std::uint8_t {
  kNone,
  kBegin,
  kBeginReadOnly,
  kCommit,
  kRollback,
  kSavepoint,
  kReleaseSavepoint,
  kRollbackToSavepoint,
  kXa,
};

// How the session's sql_mode changes lexing.
struct SqlMode {
  bool ansi_quotes = false;
  bool no_backslash_escapes = false;
};

struct StatementTraits {
  StatementClass statement_class = StatementClass::kWrite;
  // A read that may run on a replica: none of the flags below that pin it to the primary.
  bool replica_safe = false;
  bool locking_read = false;            // FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE
  bool select_into = false;             // INTO OUTFILE/DUMPFILE/@var
  bool assigns_user_variable = false;   // @x := ...
  bool uses_last_insert_id = false;     // LAST_INSERT_ID(), FOUND_ROWS(), ROW_COUNT(), @@identity
  bool uses_previous_statement_state = false;  // the above, SHOW WARNINGS/ERRORS, @@warning_count...
  bool sets_found_rows = false;         // SELECT SQL_CALC_FOUND_ROWS
  bool uses_named_lock = false;         // GET_LOCK and family: pins the session to its connection
  bool uses_sequence = false;           // NEXTVAL/LASTVAL/SETVAL, NEXT/PREVIOUS VALUE FOR
  bool uses_connection_id = false;      // CONNECTION_ID(): the session keeps one connection from then on
  bool calls_unknown_function = false;  // a read calls a function not known to be a pure built-in
  bool reads_server_state = false;      // CONNECTION_ID(), @@server_id, SHOW MASTER STATUS...
  bool creates_temporary_table = false;  // CREATE TEMPORARY TABLE (pins)
  bool drops_temporary_table = false;    // DROP TEMPORARY TABLE
  bool sql_prepare = false;              // SQL-level PREPARE / EXECUTE / DEALLOCATE PREPARE (pins)
  bool unlocks = false;                  // UNLOCK TABLES/INSTANCE, BACKUP UNLOCK (kLocking)
  // GRANT, REVOKE, CREATE/ALTER/DROP/RENAME USER or ROLE, SET PASSWORD, SET DEFAULT ROLE, FLUSH
  // PRIVILEGES: connections that logged in before it may hold other rights than new logins get.
  bool changes_privileges = false;
  TransactionOp transaction = TransactionOp::kNone;
  bool and_chain = false;  // COMMIT/ROLLBACK AND CHAIN: a new transaction starts at once
  // SET details (statement_class kSessionState unless sets_global):
  bool sets_user_variable = false;     // SET @x = ...
  bool sets_system_variable = false;   // SET [SESSION|@@session.|@@] var = ..., SET NAMES/CHARACTER SET
  bool sets_global = false;            // SET GLOBAL / @@global. / PERSIST: primary only, never replayed (kWrite)
  bool sets_autocommit = false;        // SET autocommit = ... in any form; value in autocommit_value
  bool autocommit_value = true;
  bool sets_next_transaction = false;  // SET TRANSACTION ... without a scope: the next transaction only
  bool sets_names = false;             // SET NAMES/CHARACTER SET/CHARSET, character_set_*, collation_connection
  // USE db: a view into the input without the quotes; when the quoted name contains a doubled
  // quote it is the whole quoted token (starting with ` or ") for the caller to unquote.
  std::string_view use_database;
  // DROP DATABASE|SCHEMA [IF EXISTS] db: the database, as use_database gives it. A session whose
  // default database is dropped has none from then on.
  std::string_view drops_database;
  std::optional<Target> hint;          // from a route= comment
  std::uint16_t statement_count = 0;   // saturates at 65535
  bool multi_statement = false;
  // The ways servers may read the text (quoting mode, charset, versioned comments) run different
  // statements: the session can't tell which ran, and replays no SET of it.
  bool readings_differ = false;
};

[[nodiscard]] StatementTraits classify_sql(std::string_view sql) noexcept;
[[nodiscard]] StatementTraits classify_sql(std::string_view sql, SqlMode mode) noexcept;

// Where a statement goes in a fresh autocommit session with replicas available: the hint if any,
// else kReplica for a replica-safe read, else kPrimary.
[[nodiscard]] Target default_target(const StatementTraits& t) noexcept;

}  // namespace mysqlproxy::proxy
