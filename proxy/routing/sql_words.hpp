#pragma once
// The words the SQL classifier knows: keywords it acts on, built-in functions by what calling one
// implies for routing, and system variables by what reading or setting one implies. Internal to
// proxy/routing.
#include <cstddef>
#include <cstdint>

namespace mysqlproxy::proxy::sql {

// Keywords the classifier looks at by identity. Other words are kNone.
#define MYSQLPROXY_SQL_KEYWORDS(X)                                                                   \
  X(kAll, "ALL") X(kAlter, "ALTER") X(kAnalyze, "ANALYZE") X(kAnd, "AND") X(kAs, "AS")               \
  X(kAtomic, "ATOMIC") X(kAuthors, "AUTHORS") X(kBackup, "BACKUP") X(kBegin, "BEGIN")                \
  X(kCall, "CALL") X(kCase, "CASE") X(kChain, "CHAIN") X(kCharacter, "CHARACTER") X(kCharset, "CHARSET")              \
  X(kCollation, "COLLATION") X(kColumns, "COLUMNS") X(kCommit, "COMMIT")                             \
  X(kConnection, "CONNECTION") X(kConsistent, "CONSISTENT") X(kContributors, "CONTRIBUTORS")         \
  X(kCount, "COUNT") X(kCreate, "CREATE") X(kCurrent, "CURRENT") X(kDatabase, "DATABASE") X(kDatabases, "DATABASES")          \
  X(kDeallocate, "DEALLOCATE") X(kDefault, "DEFAULT") X(kDelete, "DELETE") X(kDesc, "DESC")          \
  X(kDescribe, "DESCRIBE") X(kDiagnostics, "DIAGNOSTICS") X(kDo, "DO") X(kDrop, "DROP")              \
  X(kEngines, "ENGINES") X(kErrors, "ERRORS") X(kEvent, "EVENT") X(kEvents, "EVENTS")                \
  X(kExecute, "EXECUTE") X(kExists, "EXISTS") X(kExplain, "EXPLAIN") X(kExport, "EXPORT") X(kExtended, "EXTENDED")        \
  X(kFalse, "FALSE") X(kFields, "FIELDS") X(kFlush, "FLUSH") X(kFor, "FOR") X(kFormat, "FORMAT")     \
  X(kFull, "FULL") X(kFunction, "FUNCTION") X(kGet, "GET") X(kGlobal, "GLOBAL")                      \
  X(kGrant, "GRANT") X(kGrants, "GRANTS") X(kHelp, "HELP") X(kIf, "IF") X(kImmediate, "IMMEDIATE") X(kIn, "IN")         \
  X(kIndex, "INDEX") X(kIndexes, "INDEXES") X(kInsert, "INSERT") X(kInstance, "INSTANCE")            \
  X(kInto, "INTO") X(kKeys, "KEYS") X(kLocal, "LOCAL") X(kLock, "LOCK") X(kLoop, "LOOP")             \
  X(kNames, "NAMES") X(kNext, "NEXT") X(kNo, "NO") X(kNot, "NOT") X(kOff, "OFF") X(kOn, "ON")        \
  X(kOnly, "ONLY") X(kPackage, "PACKAGE") X(kPartitions, "PARTITIONS") X(kPassword, "PASSWORD")      \
  X(kPersist, "PERSIST") X(kPersistOnly, "PERSIST_ONLY") X(kPlugins, "PLUGINS")                      \
  X(kPrepare, "PREPARE") X(kPrevious, "PREVIOUS") X(kPrivileges, "PRIVILEGES")                       \
  X(kProcedure, "PROCEDURE") X(kProfile, "PROFILE") X(kProfiles, "PROFILES") X(kRead, "READ")        \
  X(kRecursive, "RECURSIVE") X(kRelease, "RELEASE") X(kRename, "RENAME") X(kRepeat, "REPEAT") X(kRevoke, "REVOKE") X(kReplace, "REPLACE")      \
  X(kResource, "RESOURCE") X(kRole, "ROLE") X(kRollback, "ROLLBACK") X(kSavepoint, "SAVEPOINT")      \
  X(kSchema, "SCHEMA") X(kSchemas, "SCHEMAS") X(kSelect, "SELECT") X(kSession, "SESSION") X(kSet, "SET")                  \
  X(kShare, "SHARE") X(kShow, "SHOW") X(kSnapshot, "SNAPSHOT")                                       \
  X(kSqlCalcFoundRows, "SQL_CALC_FOUND_ROWS") X(kStage, "STAGE") X(kStart, "START")                  \
  X(kStatement, "STATEMENT") X(kStorage, "STORAGE") X(kTable, "TABLE") X(kTables, "TABLES")          \
  X(kTemporary, "TEMPORARY") X(kTo, "TO") X(kTransaction, "TRANSACTION") X(kTrigger, "TRIGGER")      \
  X(kTriggers, "TRIGGERS") X(kTrue, "TRUE") X(kUnlock, "UNLOCK") X(kUpdate, "UPDATE") X(kUse, "USE") X(kUser, "USER") \
  X(kValue, "VALUE") X(kValues, "VALUES") X(kWhile, "WHILE") X(kWith, "WITH") X(kWarnings, "WARNINGS") X(kWork, "WORK")       \
  X(kWrite, "WRITE") X(kXa, "XA")

#define MYSQLPROXY_SQL_KW_ENUM(id, name) id,
enum class Kw : std::uint8_t { kNone, MYSQLPROXY_SQL_KEYWORDS(MYSQLPROXY_SQL_KW_ENUM) };
#undef MYSQLPROXY_SQL_KW_ENUM

// What a call `word(` implies. kUnknown: not a built-in we know, so possibly a stored function.
enum class FnClass : std::uint8_t {
  kUnknown,
  kSafe,           // pure built-in, or a keyword that may stand before '(' without being a call
  kSessionBound,   // LAST_INSERT_ID, FOUND_ROWS, ROW_COUNT: results of this session's last statement
  kNamedLock,      // GET_LOCK family: the lock belongs to one connection
  kSequence,       // NEXTVAL/LASTVAL/SETVAL: advance or read a sequence's session state
  kServerState,    // MASTER_POS_WAIT...: the answer depends on which server runs it
  kConnectionId,   // CONNECTION_ID: the answer depends on the connection
};

// What reading (@@name) or setting (SET name) a system variable implies.
enum class VarClass : std::uint8_t {
  kPlain,
  kAutocommit,
  kNames,              // character_set_client/connection/results, collation_connection
  kPreviousStatement,  // warning_count, error_count, last_gtid
  kLastInsertId,       // identity, last_insert_id
  kServerState,        // read_only, gtid_*: differ between primary and replica in ways that matter
};

struct WordInfo {
  Kw kw = Kw::kNone;
  FnClass fn = FnClass::kUnknown;
  VarClass var = VarClass::kPlain;
};

// Case-insensitive look-up of an unquoted word [p, p + n); reads no byte outside it.
[[nodiscard]] WordInfo lookup_word(const char* p, std::size_t n) noexcept;

}  // namespace mysqlproxy::proxy::sql
