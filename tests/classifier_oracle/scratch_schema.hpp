#pragma once
// The scratch database the oracle runs statements against: what it creates, and the summary of
// its data that must not change while statements run in a READ ONLY transaction.
#include <string>
#include <string_view>

namespace mysqlproxy::oracle {

// Schema `o`: tables o.t and o.t2 with rows, o.log written by the stored functions o.f_write()
// and o.concat() (named like a built-in: a call written `o .concat(...)` is the stored one).
inline constexpr std::string_view kSetupSql =
    "DROP DATABASE IF EXISTS o;"
    "CREATE DATABASE o;"
    "CREATE TABLE o.t (a INT PRIMARY KEY, b VARCHAR(20)) ENGINE=InnoDB;"
    "INSERT INTO o.t VALUES (1, 'one'), (2, 'two'), (3, 'three');"
    "CREATE TABLE o.t2 (a INT) ENGINE=InnoDB;"
    "INSERT INTO o.t2 VALUES (1), (2);"
    "CREATE TABLE o.log (a INT) ENGINE=InnoDB;"
    "CREATE FUNCTION o.f_write() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO o.log VALUES (1); RETURN 1; END;"
    "CREATE FUNCTION o.concat(x INT) RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO o.log VALUES (x); RETURN x; END;"
    "CREATE SEQUENCE o.seq";

// A temporary table the generated writes may create: READ ONLY transactions allow temporary
// tables, so its existence after a statement is looked for by name.
inline constexpr std::string_view kTempProbe = "o.tmp_probe";

// One row: everything a write anywhere would change. @@gtid_binlog_pos moves with every write
// the server logs (DML, DDL, grants), whatever the table; the rest checks the scratch data.
inline constexpr std::string_view kStateSql =
    "SELECT @@global.gtid_binlog_pos,"
    " (SELECT COUNT(*) FROM o.t), (SELECT BIT_XOR(CRC32(CONCAT_WS(',', a, b))) FROM o.t),"
    " (SELECT COUNT(*) FROM o.t2), (SELECT BIT_XOR(CRC32(a)) FROM o.t2), (SELECT COUNT(*) FROM o.log),"
    " (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'o'),"
    " (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'o')";

// The account statements run as: no SUPER, SHUTDOWN or READ_ONLY ADMIN, so nothing a statement
// does reaches past the scratch data.
inline constexpr std::string_view kRunnerUser = "oracle_runner";

}  // namespace mysqlproxy::oracle
