#include "proxy/routing/sql_classifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "proxy/routing/sql_lexer.hpp"

namespace mysqlproxy::proxy {
namespace {

using C = StatementClass;
using Tx = TransactionOp;

StatementTraits cls(std::string_view sql) { return classify_sql(sql); }

// A read that may go to a replica, or one that may not.
::testing::AssertionResult is_read(std::string_view sql, bool safe) {
  const auto t = cls(sql);
  if (t.statement_class == C::kRead && t.replica_safe == safe) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << sql << "': class " << static_cast<int>(t.statement_class)
                                       << ", replica_safe " << t.replica_safe;
}
::testing::AssertionResult is_class(std::string_view sql, C expected) {
  const auto t = cls(sql);
  if (t.statement_class == expected && (expected == C::kRead || !t.replica_safe)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << sql << "': class " << static_cast<int>(t.statement_class);
}

// ---- lexer ----

std::vector<sql::Token> lex(std::string_view s, bool* malformed = nullptr, sql::RouteHint* hint = nullptr) {
  sql::Lexer lexer(s, {});
  std::vector<sql::Token> out;
  for (auto t = lexer.next(); t.kind != sql::TokenKind::kEnd; t = lexer.next()) out.push_back(t);
  if (malformed != nullptr) *malformed = lexer.malformed();
  if (hint != nullptr) *hint = lexer.hint();
  return out;
}

TEST(SqlLexer, StringsWithEscapesAndDoubledQuotes) {
  for (std::string_view s : {R"('it''s')", R"('a\'b')", R"("say ""hi""")", R"("a\"b")", R"('a\\')", R"('')"}) {
    bool bad = true;
    const auto toks = lex(s, &bad);
    ASSERT_EQ(toks.size(), 1u) << s;
    EXPECT_EQ(toks[0].kind, sql::TokenKind::kString) << s;
    EXPECT_EQ(toks[0].text(), s);
    EXPECT_FALSE(bad) << s;
  }
  const auto toks = lex(R"('a\\' x)");
  ASSERT_EQ(toks.size(), 2u);  // the backslash escapes a backslash, not the quote
  EXPECT_EQ(toks[1].text(), "x");
}

TEST(SqlLexer, IntroducersAndHexLiterals) {
  const auto toks = lex("_utf8mb4'x' N'y' X'ff' 0xFF 1.5e-3");
  ASSERT_EQ(toks.size(), 8u);
  EXPECT_EQ(toks[1].kind, sql::TokenKind::kString);
  EXPECT_EQ(toks[7].text(), "1.5e-3");
}

TEST(SqlLexer, BacktickNamesWithDoubledBackticks) {
  const auto toks = lex("`a``b` `select`");
  ASSERT_EQ(toks.size(), 2u);
  EXPECT_EQ(toks[0].kind, sql::TokenKind::kQuotedName);
  EXPECT_EQ(toks[0].text(), "`a``b`");
  EXPECT_EQ(toks[1].word().kw, sql::Kw::kNone);
}

TEST(SqlLexer, QualifiedNamesAreOneToken) {
  const auto toks = lex("`a`.`b`.c d.e t . x `p``q`.r t.*");
  ASSERT_EQ(toks.size(), 9u);
  EXPECT_EQ(toks[0].kind, sql::TokenKind::kQualifiedName);
  EXPECT_EQ(toks[0].text(), "`a`.`b`.c");
  EXPECT_EQ(toks[1].text(), "d.e");
  EXPECT_TRUE(toks[3].is('.'));  // blanks around the dot: separate tokens
  EXPECT_EQ(toks[5].text(), "`p``q`.r");
  EXPECT_EQ(toks[6].text(), "t");
  EXPECT_TRUE(toks[7].is('.'));
}

TEST(SqlLexer, EveryCommentFormIsSkipped) {
  for (std::string_view s : {"/* c */ x", "-- c\nx", "--\tc\nx", "--\nx", "# c\nx", "/**/x", "/* a * / b */x",
                             "/*+ HINT(t) */ x", "x -- trailing", "x #", "x --", "--\x7f c\nx"}) {
    const auto toks = lex(s);
    ASSERT_EQ(toks.size(), 1u) << s;
    EXPECT_EQ(toks[0].text(), "x") << s;
  }
}

TEST(SqlLexer, DoubleDashWithoutBlankIsNotAComment) {
  const auto toks = lex("5--1");
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_TRUE(toks[1].is('-'));
  EXPECT_TRUE(toks[2].is('-'));
  EXPECT_EQ(lex("a --x").size(), 4u);
}

TEST(SqlLexer, VersionedCommentsAreCode) {
  for (std::string_view s : {"/*!50100 FOR UPDATE */", "/*! FOR UPDATE */", "/*M!100100 FOR UPDATE */",
                             "/*M! FOR UPDATE */", "/*!FOR UPDATE*/"}) {
    bool bad = true;
    const auto toks = lex(s, &bad);
    ASSERT_EQ(toks.size(), 2u) << s;
    EXPECT_TRUE(toks[0].is(sql::Kw::kFor)) << s;
    EXPECT_TRUE(toks[1].is(sql::Kw::kUpdate)) << s;
    EXPECT_FALSE(bad) << s;
  }
}

// mariadb-dump opens its output with "/*M!999999\- enable the sandbox mode */", which no server
// runs: a plain comment, so the SET behind it in the same statement is seen (and replayed).
TEST(SqlLexer, AVersionNoServerReachesIsAComment) {
  bool bad = true;
  const auto toks = lex("/*M!999999\\- enable the sandbox mode */ SET @a = 1", &bad);
  ASSERT_FALSE(toks.empty());
  EXPECT_TRUE(toks[0].is(sql::Kw::kSet));
  EXPECT_FALSE(bad);
  const auto t = classify_sql("/*M!999999\\- enable the sandbox mode */ \n\n/*!40101 SET @OLD_CSC=@@CHARACTER_SET_CLIENT */");
  EXPECT_TRUE(t.sets_user_variable);
  EXPECT_EQ(lex("/*!999999 FOR UPDATE */").size(), 0u);
}

TEST(SqlLexer, VariablesAndAssignment) {
  const auto toks = lex("@x := @@session.sql_mode, @'q', @`b`");
  ASSERT_EQ(toks.size(), 9u);
  EXPECT_EQ(toks[0].kind, sql::TokenKind::kUserVar);
  EXPECT_EQ(toks[1].kind, sql::TokenKind::kAssign);
  EXPECT_EQ(toks[2].kind, sql::TokenKind::kSysVar);
  EXPECT_EQ(toks[2].word().kw, sql::Kw::kSession);
  EXPECT_EQ(toks[6].kind, sql::TokenKind::kUserVar);
  EXPECT_EQ(toks[8].text(), "@`b`");
}

TEST(SqlLexer, KeywordsAreCaseInsensitive) {
  for (std::string_view s : {"select", "SELECT", "sElEcT"}) EXPECT_TRUE(lex(s)[0].is(sql::Kw::kSelect)) << s;
  EXPECT_FALSE(lex("selects")[0].is(sql::Kw::kSelect));
  EXPECT_TRUE(lex("sql_calc_found_rows")[0].is(sql::Kw::kSqlCalcFoundRows));  // longer than 8 bytes
  EXPECT_FALSE(lex("sql_calc_found_rowz")[0].is(sql::Kw::kSqlCalcFoundRows));
}

TEST(SqlLexer, UnterminatedInputIsMalformed) {
  for (std::string_view s : {"'abc", "\"abc", "`abc", "/* abc", "'abc\\'", "'a\\", "/*!50000 SELECT 1", "x /*"}) {
    bool bad = false;
    (void)lex(s, &bad);
    EXPECT_TRUE(bad) << s;
  }
}

TEST(SqlLexer, RouteHints) {
  using sql::RouteHint;
  using sql::parse_route_hint;
  EXPECT_EQ(parse_route_hint(" route=primary "), RouteHint::kPrimary);
  EXPECT_EQ(parse_route_hint("route = REPLICA"), RouteHint::kReplica);
  EXPECT_EQ(parse_route_hint("app:orders route=replica"), RouteHint::kReplica);
  EXPECT_EQ(parse_route_hint("Route=Primary,x"), RouteHint::kPrimary);
  EXPECT_EQ(parse_route_hint("reroute=primary"), RouteHint::kNone);
  EXPECT_EQ(parse_route_hint("route=primaryx"), RouteHint::kNone);
  EXPECT_EQ(parse_route_hint("route=slave"), RouteHint::kNone);
  EXPECT_EQ(parse_route_hint("x=1 route=replica"), RouteHint::kReplica);
  sql::RouteHint hint{};
  (void)lex("/* route=bogus */ -- route=replica\n /* route=primary */ x", nullptr, &hint);
  EXPECT_EQ(hint, RouteHint::kReplica);
  (void)lex("'route=primary' `route=primary`", nullptr, &hint);
  EXPECT_EQ(hint, RouteHint::kNone);
}

// ---- classifier: special cases ----

TEST(SqlClassifier, KeywordsInStringsCommentsAndNamesNeverCount) {
  EXPECT_TRUE(is_read("SELECT 'FOR UPDATE'", true));
  EXPECT_TRUE(is_read("SELECT `update` FROM t", true));
  EXPECT_TRUE(is_read("SELECT 1 -- FOR UPDATE", true));
  EXPECT_TRUE(is_read("SELECT 1 /* FOR UPDATE */", true));
  EXPECT_TRUE(is_read("SELECT 1 # FOR UPDATE", true));
  EXPECT_TRUE(is_read("SELECT 'a''; DELETE FROM t; SELECT ''' FROM t", true));
  EXPECT_TRUE(is_read("SELECT 'GET_LOCK(1)'", true));
  EXPECT_TRUE(is_read("SELECT 1 --x", true));
}

// The server ends "--" comments at any control byte after them, DEL (0x7f) included: a lexer that
// read on would take the quote on that line for a string's start, hiding the DELETE after it.
TEST(SqlClassifier, DoubleDashBeforeDelIsACommentAsOnTheServer) {
  const auto t = cls("SELECT 1 --\x7f '\n; DELETE FROM t; SELECT 1 -- '");
  EXPECT_EQ(t.statement_class, StatementClass::kWrite);
  EXPECT_EQ(t.statement_count, 3u);
  EXPECT_TRUE(is_read("SELECT 1 --\x7f DELETE FROM t", true));
}

TEST(SqlClassifier, WithClauses) {
  EXPECT_TRUE(is_read("WITH cte AS (SELECT id FROM t) SELECT * FROM cte", true));
  EXPECT_TRUE(is_read("WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5) SELECT n FROM s", true));
  EXPECT_TRUE(is_read("WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b", true));
  EXPECT_TRUE(is_class("WITH c AS (SELECT id FROM t) UPDATE t SET a = 1 WHERE id IN (SELECT id FROM c)", C::kWrite));
  EXPECT_TRUE(is_class("WITH c AS (SELECT id FROM t) DELETE FROM t WHERE id IN (SELECT id FROM c)", C::kWrite));
  EXPECT_TRUE(is_class("WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c", C::kWrite));
  EXPECT_TRUE(is_class("WITH c AS (SELECT 1", C::kWrite));  // unbalanced: not understood
  EXPECT_TRUE(is_class("WITH c (SELECT 1) SELECT 1", C::kWrite));
}

TEST(SqlClassifier, LeadingParenthesisIsAQuery) {
  EXPECT_TRUE(is_read("(SELECT 1) UNION (SELECT 2)", true));
  EXPECT_TRUE(is_read("((SELECT 1))", true));
  EXPECT_TRUE(is_class("(UPDATE t SET a = 1)", C::kWrite));
}

TEST(SqlClassifier, LockingReads) {
  for (std::string_view s : {"SELECT * FROM t FOR UPDATE", "SELECT * FROM t FOR UPDATE NOWAIT",
                             "SELECT * FROM t FOR UPDATE SKIP LOCKED", "SELECT * FROM t FOR SHARE",
                             "SELECT * FROM t LOCK IN SHARE MODE", "select * from t for update of t"}) {
    EXPECT_TRUE(is_read(s, false)) << s;
    EXPECT_TRUE(cls(s).locking_read) << s;
  }
  EXPECT_TRUE(is_read("SELECT * FROM t FOR SYSTEM_TIME AS OF '2024-01-01'", true));
}

TEST(SqlClassifier, SelectIntoAndVariables) {
  EXPECT_TRUE(cls("SELECT id INTO @v FROM t").select_into);
  EXPECT_TRUE(cls("SELECT * FROM t INTO OUTFILE '/tmp/x'").select_into);
  EXPECT_TRUE(cls("SELECT 1 INTO DUMPFILE '/tmp/x'").select_into);
  EXPECT_TRUE(is_read("SELECT id INTO @v FROM t", false));
  EXPECT_TRUE(cls("SELECT @a := 1").assigns_user_variable);
  EXPECT_TRUE(is_read("SELECT @a := 1", false));
  EXPECT_TRUE(is_read("SELECT 'x' = 'y'", true));
  EXPECT_TRUE(is_read("SELECT @x = 1", true));
  EXPECT_TRUE(is_read("SELECT @x", true));  // the session replays SET @x on every backend
  EXPECT_TRUE(is_read("SELECT @@session.sql_mode", true));
  EXPECT_TRUE(is_read("SELECT @@SESSION.time_zone, @@global.max_connections", true));
}

TEST(SqlClassifier, SessionBoundFunctionsAndVariables) {
  for (std::string_view s : {"SELECT LAST_INSERT_ID()", "SELECT found_rows()", "SELECT ROW_COUNT()", "SELECT @@identity",
                             "SELECT @@last_insert_id"}) {
    EXPECT_TRUE(is_read(s, false)) << s;
    EXPECT_TRUE(cls(s).uses_last_insert_id) << s;
    EXPECT_TRUE(cls(s).uses_previous_statement_state) << s;
  }
  for (std::string_view s : {"SELECT @@warning_count", "SELECT @@error_count", "SELECT @@session.last_gtid",
                             "SHOW WARNINGS", "SHOW ERRORS", "SHOW COUNT(*) WARNINGS", "SHOW COUNT(*) ERRORS",
                             "SHOW PROFILES", "SHOW PROFILE"}) {
    EXPECT_TRUE(is_read(s, false)) << s;
    EXPECT_TRUE(cls(s).uses_previous_statement_state) << s;
  }
  const auto calc = cls("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10");
  EXPECT_TRUE(calc.sets_found_rows);
  EXPECT_FALSE(calc.replica_safe);
}

TEST(SqlClassifier, NamedLocksSequencesAndServerState) {
  for (std::string_view s : {"SELECT GET_LOCK('a', 1)", "SELECT RELEASE_LOCK('a')", "SELECT IS_FREE_LOCK('a')",
                             "SELECT IS_USED_LOCK('a')", "SELECT RELEASE_ALL_LOCKS()"}) {
    EXPECT_TRUE(is_read(s, false)) << s;
    EXPECT_TRUE(cls(s).uses_named_lock) << s;
  }
  for (std::string_view s : {"SELECT NEXT VALUE FOR seq", "SELECT PREVIOUS VALUE FOR seq", "SELECT NEXTVAL(seq)",
                             "SELECT LASTVAL(seq)", "SELECT SETVAL(seq, 5)"}) {
    EXPECT_TRUE(is_read(s, false)) << s;
    EXPECT_TRUE(cls(s).uses_sequence) << s;
  }
  for (std::string_view s : {"SELECT CONNECTION_ID()", "SELECT MASTER_POS_WAIT('f', 4)", "SELECT MASTER_GTID_WAIT('0-1-1')",
                             "SELECT @@read_only", "SELECT @@global.read_only", "SHOW MASTER STATUS",
                             "SHOW SLAVE STATUS", "SHOW REPLICA STATUS", "SHOW BINARY LOGS", "SHOW BINLOG EVENTS",
                             "SHOW PROCESSLIST", "SHOW GLOBAL STATUS", "SHOW VARIABLES"}) {
    EXPECT_TRUE(is_read(s, false)) << s;
    EXPECT_TRUE(cls(s).reads_server_state) << s;
  }
  EXPECT_TRUE(cls("SELECT CONNECTION_ID()").uses_connection_id);
  EXPECT_FALSE(cls("SELECT @@server_id").uses_connection_id);
  for (std::string_view s : {"SELECT SLEEP(1)", "SELECT BENCHMARK(10, 1)", "SELECT UUID()", "SELECT RAND()",
                             "SELECT @@server_id", "SELECT @@hostname, @@port", "SELECT @@global.server_id"}) {
    EXPECT_TRUE(is_read(s, true)) << s;
  }
}

TEST(SqlClassifier, UnknownFunctionsAreNotReplicaSafe) {
  EXPECT_TRUE(cls("SELECT my_func(1)").calls_unknown_function);
  EXPECT_TRUE(is_read("SELECT my_func(1)", false));
  EXPECT_TRUE(is_read("SELECT db.count(1)", false));  // qualified: a stored function
  EXPECT_TRUE(is_read("SELECT `f`(1)", false));
  EXPECT_TRUE(is_read("SELECT my_func (1)", false));
  EXPECT_TRUE(is_read("SELECT db . f (1)", false));
  EXPECT_TRUE(is_read("SELECT my_func", true));  // a column
  EXPECT_TRUE(is_read("SELECT t.for, t.`update` FROM t", true));  // names after a dot are never keywords
  // The allow-list keeps typical reads replica-safe.
  for (std::string_view s : {
           "SELECT c FROM sbtest1 WHERE id=1", "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 1 AND 100",
           "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 1 AND 100 ORDER BY c",
           "SELECT a.x, COUNT(*), AVG(b.y), MAX(b.z) FROM a JOIN b ON a.id = b.a_id GROUP BY a.x HAVING COUNT(*) > 1",
           "SELECT CASE WHEN x > 0 THEN 'p' ELSE 'n' END, COALESCE(y, 0), IFNULL(z, ''), IF(w, 1, 2) FROM t",
           "SELECT DATE_FORMAT(d, '%Y'), NOW(), CURDATE(), DATE_SUB(NOW(), INTERVAL 1 DAY), TIMESTAMPDIFF(DAY, a, b) FROM t",
           "SELECT CONCAT(a, b), UPPER(a), LOWER(b), LENGTH(c), SUBSTRING(c, 1, 2), REPLACE(c, 'a', 'b') FROM t",
           "SELECT JSON_EXTRACT(j, '$.a'), JSON_UNQUOTE(j->'$.b'), JSON_ARRAYAGG(x), JSON_OBJECT('a', 1) FROM t",
           "SELECT id FROM t WHERE id IN (SELECT t_id FROM u WHERE EXISTS (SELECT 1 FROM v))",
           "SELECT id FROM t UNION SELECT id FROM u", "SELECT CAST(a AS CHAR(10)), CONVERT(b, DECIMAL(10,2)) FROM t",
           "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) FROM t", "SELECT ROUND(ABS(x), 2), GREATEST(a, b) FROM t",
           "SELECT DATABASE(), USER(), VERSION()", "SELECT * FROM t1 JOIN t2 USING (id) WHERE t1.a IN (1, 2)"}) {
    EXPECT_TRUE(is_read(s, true)) << s;
  }
}

TEST(SqlClassifier, ShowDescribeExplainHelp) {
  for (std::string_view s : {"SHOW TABLES", "SHOW FULL COLUMNS FROM t", "SHOW CREATE TABLE t", "SHOW INDEX FROM t",
                             "SHOW DATABASES", "SHOW TABLE STATUS", "DESCRIBE t", "DESC t", "EXPLAIN t",
                             "EXPLAIN SELECT * FROM t", "EXPLAIN FORMAT=JSON SELECT 1", "HELP 'contents'",
                             "ANALYZE SELECT * FROM t"}) {
    EXPECT_TRUE(is_read(s, true)) << s;
  }
  EXPECT_TRUE(is_read("EXPLAIN UPDATE t SET a = 1", false));
  EXPECT_TRUE(is_read("EXPLAIN DELETE FROM t", false));
  EXPECT_TRUE(is_class("EXPLAIN ANALYZE UPDATE t SET a = 1", C::kWrite));
  EXPECT_TRUE(is_class("ANALYZE UPDATE t SET a = 1", C::kWrite));
  EXPECT_TRUE(is_class("ANALYZE TABLE t", C::kWrite));
}

TEST(SqlClassifier, DoAndDualAndProcedureAnalyse) {
  EXPECT_TRUE(is_class("DO 1", C::kWrite));
  EXPECT_TRUE(cls("DO GET_LOCK('a', 1)").uses_named_lock);
  EXPECT_TRUE(is_read("SELECT 1 FROM dual", true));
  EXPECT_TRUE(is_read("SELECT a FROM t LIMIT 1 PROCEDURE ANALYSE()", true));
}

TEST(SqlClassifier, WritesAndTemporaryTables) {
  for (std::string_view s : {"CALL p()", "CREATE TABLE t2 SELECT * FROM t", "INSERT INTO t SELECT * FROM u",
                             "REPLACE INTO t VALUES (1)", "LOAD DATA LOCAL INFILE 'x' INTO TABLE t", "HANDLER t OPEN",
                             "HANDLER t READ FIRST", "HANDLER t CLOSE", "KILL 5", "KILL QUERY 5", "ANALYZE TABLE t",
                             "OPTIMIZE TABLE t", "CHECK TABLE t", "GRANT SELECT ON *.* TO u", "TRUNCATE t"}) {
    EXPECT_TRUE(is_class(s, C::kWrite)) << s;
  }
  EXPECT_TRUE(cls("CREATE TEMPORARY TABLE t (a INT)").creates_temporary_table);
  EXPECT_TRUE(cls("CREATE TEMPORARY TABLE IF NOT EXISTS t (a INT)").creates_temporary_table);
  EXPECT_FALSE(cls("CREATE TABLE t (a INT)").creates_temporary_table);
  EXPECT_TRUE(cls("DROP TEMPORARY TABLE t").drops_temporary_table);
  EXPECT_FALSE(cls("DROP TABLE t").drops_temporary_table);
}

TEST(SqlClassifier, Locking) {
  for (std::string_view s : {"LOCK TABLES t READ", "LOCK TABLE t WRITE", "FLUSH TABLES WITH READ LOCK",
                             "FLUSH TABLES t FOR EXPORT", "LOCK INSTANCE FOR BACKUP"}) {
    EXPECT_TRUE(is_class(s, C::kLocking)) << s;
    EXPECT_FALSE(cls(s).unlocks) << s;
  }
  EXPECT_TRUE(is_class("UNLOCK TABLES", C::kLocking));
  EXPECT_TRUE(cls("UNLOCK TABLES").unlocks);
  EXPECT_TRUE(is_class("FLUSH TABLES", C::kWrite));
}

TEST(SqlClassifier, Transactions) {
  const std::pair<std::string_view, Tx> cases[] = {
      {"BEGIN", Tx::kBegin}, {"BEGIN WORK", Tx::kBegin}, {"START TRANSACTION", Tx::kBegin},
      {"START TRANSACTION READ ONLY", Tx::kBeginReadOnly}, {"START TRANSACTION READ WRITE", Tx::kBegin},
      {"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", Tx::kBeginReadOnly}, {"COMMIT", Tx::kCommit},
      {"COMMIT WORK", Tx::kCommit}, {"COMMIT AND CHAIN", Tx::kCommit}, {"ROLLBACK", Tx::kRollback},
      {"ROLLBACK TO SAVEPOINT s", Tx::kRollbackToSavepoint}, {"ROLLBACK WORK TO s", Tx::kRollbackToSavepoint},
      {"SAVEPOINT s", Tx::kSavepoint}, {"RELEASE SAVEPOINT s", Tx::kReleaseSavepoint}, {"XA START 'x'", Tx::kXa}};
  for (const auto& [sql, op] : cases) {
    EXPECT_TRUE(is_class(sql, C::kTransaction)) << sql;
    EXPECT_EQ(cls(sql).transaction, op) << sql;
  }
  EXPECT_TRUE(cls("COMMIT AND CHAIN").and_chain);
  EXPECT_FALSE(cls("COMMIT AND NO CHAIN").and_chain);
  EXPECT_TRUE(is_class("BEGIN NOT ATOMIC SELECT 1; END", C::kWrite));
}

TEST(SqlClassifier, SetAutocommit) {
  const std::pair<std::string_view, bool> cases[] = {
      {"SET autocommit=0", false}, {"SET @@autocommit = 1", true}, {"SET SESSION autocommit=OFF", false},
      {"set autocommit = on", true}, {"SET @@session.autocommit = TRUE", true}, {"SET autocommit = '0'", false},
      {"SET autocommit = @x", false}, {"SET autocommit = 1, sql_mode = ''", true}};
  for (const auto& [sql, value] : cases) {
    const auto t = cls(sql);
    EXPECT_EQ(t.statement_class, C::kSessionState) << sql;
    EXPECT_TRUE(t.sets_autocommit) << sql;
    EXPECT_EQ(t.autocommit_value, value) << sql;
  }
  EXPECT_FALSE(cls("SET GLOBAL autocommit=0").sets_autocommit);
}

TEST(SqlClassifier, SetVariables) {
  for (std::string_view s : {"SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci", "SET CHARACTER SET utf8", "SET CHARSET latin1",
                             "SET character_set_results = NULL", "/*!40101 SET NAMES utf8 */"}) {
    EXPECT_TRUE(is_class(s, C::kSessionState)) << s;
    EXPECT_TRUE(cls(s).sets_names) << s;
  }
  for (std::string_view s : {"SET sql_mode = 'ANSI_QUOTES'", "SET @@session.time_zone='+00:00'",
                             "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"}) {
    EXPECT_TRUE(is_class(s, C::kSessionState)) << s;
    EXPECT_TRUE(cls(s).sets_system_variable) << s;
    EXPECT_FALSE(cls(s).sets_names) << s;
  }
  EXPECT_TRUE(cls("SET TRANSACTION READ ONLY").sets_next_transaction);
  EXPECT_FALSE(cls("SET TRANSACTION READ ONLY").sets_system_variable);
  for (std::string_view s : {"SET GLOBAL max_connections=1", "SET @@global.x = 1", "SET PERSIST x = 1"}) {
    EXPECT_TRUE(is_class(s, C::kWrite)) << s;
    EXPECT_TRUE(cls(s).sets_global) << s;
  }
  for (std::string_view s : {"SET @x = 1, @y = 2", "SET @x := (SELECT MAX(id) FROM t)"}) {
    EXPECT_TRUE(is_class(s, C::kSessionState)) << s;
    EXPECT_TRUE(cls(s).sets_user_variable) << s;
    EXPECT_FALSE(cls(s).sets_system_variable) << s;
  }
  EXPECT_TRUE(is_read("SET STATEMENT max_statement_time=1 FOR SELECT * FROM t", true));
  EXPECT_TRUE(is_class("SET STATEMENT max_statement_time=1 FOR DELETE FROM t", C::kWrite));
}

TEST(SqlClassifier, UseAndPrepared) {
  EXPECT_EQ(cls("USE db").use_database, "db");
  EXPECT_EQ(cls("USE `my db`").use_database, "my db");
  EXPECT_EQ(cls("USE `a``b`").use_database, "`a``b`");
  EXPECT_TRUE(is_class("USE db", C::kSessionState));
  EXPECT_TRUE(is_class("USE", C::kWrite));
  for (std::string_view s : {"PREPARE s FROM 'SELECT 1'", "EXECUTE s", "DEALLOCATE PREPARE s"}) {
    EXPECT_TRUE(is_class(s, C::kWrite)) << s;
    EXPECT_TRUE(cls(s).sql_prepare) << s;
  }
}

TEST(SqlClassifier, CommentsCaseAndHints) {
  EXPECT_TRUE(is_read("sElEcT 1", true));
  EXPECT_TRUE(is_read("\n\n  \t-- c\n/* c */ # c\n SELECT 1", true));
  EXPECT_TRUE(is_read("/*+ MAX_EXECUTION_TIME(1000) */ SELECT 1", true));
  EXPECT_TRUE(is_read("SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1", true));
  EXPECT_TRUE(is_read("SELECT * FROM t /*!50000 FOR UPDATE */", false));
  EXPECT_EQ(cls("/* route=primary */ SELECT 1").hint, Target::kPrimary);
  EXPECT_EQ(default_target(cls("/* route=primary */ SELECT 1")), Target::kPrimary);
  EXPECT_EQ(cls("SELECT /* route=replica */ c FROM t").hint, Target::kReplica);
  EXPECT_EQ(cls("SELECT 1 -- route=replica").hint, Target::kReplica);
  EXPECT_EQ(cls("SELECT 'route=replica'").hint, std::nullopt);
  EXPECT_EQ(default_target(cls("SELECT 1")), Target::kReplica);
  EXPECT_EQ(default_target(cls("UPDATE t SET a = 1")), Target::kPrimary);
  EXPECT_EQ(default_target(cls("/* route=replica */ UPDATE t SET a = 1")), Target::kReplica);
}

TEST(SqlClassifier, MultiStatements) {
  auto t = cls("SELECT 1; SELECT 2");
  EXPECT_TRUE(t.replica_safe);
  EXPECT_EQ(t.statement_count, 2);
  EXPECT_TRUE(t.multi_statement);
  t = cls("SELECT 1; UPDATE t SET a=1");
  EXPECT_EQ(t.statement_class, C::kWrite);
  EXPECT_FALSE(t.replica_safe);
  t = cls("INSERT INTO t VALUES (1); SELECT LAST_INSERT_ID()");
  EXPECT_EQ(t.statement_class, C::kWrite);
  EXPECT_TRUE(t.uses_last_insert_id);
  t = cls("SELECT 1 ;  ; \n");
  EXPECT_EQ(t.statement_count, 1);
  EXPECT_FALSE(t.multi_statement);
  t = cls("SET autocommit=0; BEGIN; COMMIT");  // transaction beats session state; first op counts
  EXPECT_EQ(t.statement_class, C::kTransaction);
  EXPECT_EQ(t.transaction, Tx::kBegin);
  EXPECT_TRUE(t.sets_autocommit);
  t = cls("CREATE PROCEDURE p() BEGIN SELECT 1; COMMIT; END; SELECT 2");
  EXPECT_EQ(t.statement_class, C::kWrite);
  EXPECT_EQ(t.statement_count, 1);
  EXPECT_EQ(t.transaction, Tx::kNone);
  EXPECT_EQ(cls("").statement_class, C::kEmpty);
  EXPECT_EQ(cls(" /* x */ ;; -- y").statement_class, C::kEmpty);
}

TEST(SqlClassifier, SqlModeChangesWhereStringsEnd) {
  const std::string_view s = "SELECT 'a\\'; DELETE FROM t; SELECT '";
  const auto in_default_mode = classify_sql(s, SqlMode{});  // one string
  EXPECT_EQ(in_default_mode.statement_class, C::kRead);
  EXPECT_TRUE(in_default_mode.replica_safe);
  const auto t = classify_sql(s, SqlMode{.no_backslash_escapes = true});
  EXPECT_EQ(t.statement_class, C::kWrite);
  EXPECT_EQ(cls(s).statement_class, C::kWrite);  // the session's mode unknown: the strictest reading
  EXPECT_EQ(classify_sql("SELECT \"f\"(1)", SqlMode{.ansi_quotes = true}).calls_unknown_function, true);
  EXPECT_EQ(classify_sql("USE \"d b\"", SqlMode{.ansi_quotes = true}).use_database, "d b");
}

// ---- robustness ----

void expect_valid(const StatementTraits& t, std::string_view input) {
  ASSERT_LE(static_cast<int>(t.statement_class), static_cast<int>(C::kEmpty)) << input.size();
  ASSERT_LE(static_cast<int>(t.transaction), static_cast<int>(Tx::kXa));
  if (t.replica_safe) {
    ASSERT_EQ(t.statement_class, C::kRead);
  }
  ASSERT_EQ(t.multi_statement, t.statement_count > 1);
  if (!t.use_database.empty()) {
    ASSERT_GE(t.use_database.data(), input.data());
    ASSERT_LE(t.use_database.data() + t.use_database.size(), input.data() + input.size());
  }
}

TEST(SqlClassifierRobustness, RandomBytes) {
  std::mt19937 rng(20240601);
  const std::string_view alphabet = "'\"`\\/*-#!M;:=@()., \n\tselectSELECTforupdateFORUPDATEwithWITHbegin0123456789";
  std::string s;
  for (int i = 0; i < 4000; ++i) {
    s.resize(rng() % 4097);
    const bool raw = i % 2 == 0;
    for (auto& c : s) c = raw ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    expect_valid(cls(s), s);
    expect_valid(classify_sql(s, SqlMode{true, true}), s);
  }
}

TEST(SqlClassifierRobustness, EveryPrefixOfTrickyStatements) {
  const std::string_view tricky[] = {
      "/*!50100 SELECT 'a\\'b', \"c\"\"d\", `e``f` FROM t /* x */ -- y\n# z\n WHERE @a := 1 FOR UPDATE; */",
      "WITH RECURSIVE c (n) AS (SELECT 1 UNION SELECT n+1 FROM c) SELECT @@session.x, NEXT VALUE FOR s",
      "SET STATEMENT a=1 FOR SET @@global.b = 2, NAMES utf8 COLLATE x, CHARACTER SET y; USE `d``b`",
      "CREATE DEFINER=`a`@`b` PROCEDURE p() BEGIN SELECT 1; END; /*M!100100 LOCK TABLES t READ */",
      "EXPLAIN ANALYZE FORMAT=TREE (SELECT 1) UNION (SELECT GET_LOCK('x', 1)); START TRANSACTION READ ONLY"};
  for (const auto full : tricky) {
    for (std::size_t n = 0; n <= full.size(); ++n) {
      const std::string prefix(full.substr(0, n));  // own buffer, so reading past it would be caught by ASan
      expect_valid(cls(prefix), prefix);
    }
  }
}

TEST(SqlClassifierRobustness, MegabyteInputsInLinearTime) {
  const std::size_t mib = std::size_t{1} << 20;
  std::string in_list = "SELECT c FROM t WHERE id IN (1";
  while (in_list.size() < mib) in_list += ", 12345";
  in_list += ") FOR UPDATE";
  const std::string inputs[] = {in_list, std::string(mib, '('), "SELECT " + std::string(mib, '('),
                                std::string(mib, ';'), "SELECT '" + std::string(mib, '\\'),
                                [&] { std::string s; while (s.size() < mib) s += "SET STATEMENT a=1 FOR "; return s; }(),
                                [&] { std::string s; while (s.size() < mib) s += "/* route=x */ SELECT 1;"; return s; }(),
                                "WITH " + std::string(mib, 'a'), std::string(mib, '\x80')};
  const auto start = std::chrono::steady_clock::now();
  for (const auto& s : inputs) expect_valid(cls(s), s);
  EXPECT_TRUE(cls(in_list).locking_read);
  EXPECT_EQ(cls(inputs[6]).statement_count, inputs[6].size() / 23);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// ---- corpus ----

struct CorpusCase {
  int line = 0;
  std::string sql;
  std::vector<std::string> fields;
  std::string error;
};

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char n = i + 1 < s.size() ? s[i + 1] : '\0';
    if (s[i] != '\\' || (n != 't' && n != 'n' && n != 'r' && n != '0' && n != '\\')) {
      out += s[i];
      continue;
    }
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n == '0' ? '\0' : '\\';
    ++i;
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  for (std::size_t b = 0;;) {
    const auto e = s.find(sep, b);
    out.emplace_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) return out;
    b = e + 1;
  }
}

std::vector<CorpusCase> load_corpus() {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "classifier_corpus.tsv";
  std::ifstream in(path);
  std::vector<CorpusCase> cases;
  if (!in) return {CorpusCase{0, "", {}, "cannot open " + path.string()}};
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line.starts_with("//")) continue;
    CorpusCase c{n, "", split(line, '\t'), ""};
    if (c.fields.size() < 4 || c.fields.size() > 5) c.error = "expected 4 or 5 tab-separated fields";
    if (!c.fields.empty()) c.sql = unescape(c.fields[0]);
    cases.push_back(std::move(c));
  }
  return cases;
}

void PrintTo(const CorpusCase& c, std::ostream* os) { *os << "line " << c.line << ": " << c.sql; }

class SqlClassifierCorpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(SqlClassifierCorpus, ClassSafetyRouteAndFlags) {
  const auto& c = GetParam();
  ASSERT_TRUE(c.error.empty()) << c.error;
  const auto t = cls(c.sql);
  const char* names[] = {"read", "write", "session", "transaction", "locking", "empty"};
  EXPECT_EQ(names[static_cast<int>(t.statement_class)], c.fields[1]) << c.sql;
  EXPECT_EQ(t.replica_safe ? "yes" : "no", c.fields[2]) << c.sql;
  EXPECT_EQ(default_target(t) == Target::kReplica ? "replica" : "primary", c.fields[3]) << c.sql;
  if (c.fields.size() < 5 || c.fields[4].empty()) return;
  const std::pair<std::string_view, bool StatementTraits::*> flags[] = {
      {"locking_read", &StatementTraits::locking_read}, {"select_into", &StatementTraits::select_into},
      {"assigns_user_variable", &StatementTraits::assigns_user_variable},
      {"uses_last_insert_id", &StatementTraits::uses_last_insert_id},
      {"uses_previous_statement_state", &StatementTraits::uses_previous_statement_state},
      {"sets_found_rows", &StatementTraits::sets_found_rows}, {"uses_named_lock", &StatementTraits::uses_named_lock},
      {"uses_sequence", &StatementTraits::uses_sequence}, {"calls_unknown_function", &StatementTraits::calls_unknown_function},
      {"reads_server_state", &StatementTraits::reads_server_state},
      {"uses_connection_id", &StatementTraits::uses_connection_id},
      {"creates_temporary_table", &StatementTraits::creates_temporary_table},
      {"drops_temporary_table", &StatementTraits::drops_temporary_table}, {"sql_prepare", &StatementTraits::sql_prepare},
      {"unlocks", &StatementTraits::unlocks}, {"and_chain", &StatementTraits::and_chain},
      {"changes_privileges", &StatementTraits::changes_privileges},
      {"sets_user_variable", &StatementTraits::sets_user_variable},
      {"sets_system_variable", &StatementTraits::sets_system_variable}, {"sets_global", &StatementTraits::sets_global},
      {"sets_autocommit", &StatementTraits::sets_autocommit},
      {"sets_next_transaction", &StatementTraits::sets_next_transaction}, {"sets_names", &StatementTraits::sets_names},
      {"multi_statement", &StatementTraits::multi_statement}, {"readings_differ", &StatementTraits::readings_differ}};
  const char* tx_names[] = {"none", "begin", "begin_read_only", "commit", "rollback", "savepoint",
                            "release_savepoint", "rollback_to_savepoint", "xa"};
  for (const auto& flag : split(c.fields[4], ',')) {
    const auto eq = flag.find('=');
    const std::string key = flag.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : flag.substr(eq + 1);
    if (key == "tx") {
      EXPECT_EQ(tx_names[static_cast<int>(t.transaction)], value) << c.sql;
    } else if (key == "autocommit") {
      EXPECT_EQ(t.autocommit_value ? "1" : "0", value) << c.sql;
    } else if (key == "use") {
      EXPECT_EQ(t.use_database, value) << c.sql;
    } else if (key == "drops") {
      EXPECT_EQ(t.drops_database, value) << c.sql;
    } else if (key == "count") {
      EXPECT_EQ(std::to_string(t.statement_count), value) << c.sql;
    } else if (key == "hint") {
      EXPECT_EQ(!t.hint ? "none" : *t.hint == Target::kPrimary ? "primary" : "replica", value) << c.sql;
    } else {
      const bool negated = key.starts_with('!');
      const std::string_view name = negated ? std::string_view(key).substr(1) : std::string_view(key);
      const auto* it = std::find_if(std::begin(flags), std::end(flags), [&](const auto& f) { return f.first == name; });
      ASSERT_NE(it, std::end(flags)) << "unknown flag " << key;
      EXPECT_EQ(t.*(it->second), !negated) << key << " for " << c.sql;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, SqlClassifierCorpus, ::testing::ValuesIn(load_corpus()),
                         [](const auto& info) { return "line_" + std::to_string(info.param.line); });

TEST(SqlClassifierCorpusSize, HasAtLeast330Statements) { EXPECT_GE(load_corpus().size(), 330u); }

}  // namespace
}  // namespace mysqlproxy::proxy
