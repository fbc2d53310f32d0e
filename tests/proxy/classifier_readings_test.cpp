// The classifier reads a text every way a server could (quoting modes, client charsets with
// two-byte characters, versioned comments run or skipped) and keeps the strictest result: a write
// that one server reading shows can't pass for a read (issue #21's bypasses).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "proxy/routing/sql_classifier.hpp"
#include "proxy/routing/sql_lexer.hpp"
#include "proxy/session/session_state.hpp"

namespace mysqlproxy::proxy {
namespace {

using C = StatementClass;

::testing::AssertionResult is_write(std::string_view sql) {
  const auto t = classify_sql(sql);
  if (t.statement_class == C::kWrite && !t.replica_safe) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << sql << "': class " << static_cast<int>(t.statement_class)
                                       << ", replica_safe " << t.replica_safe;
}

::testing::AssertionResult is_replica_read(std::string_view sql) {
  const auto t = classify_sql(sql);
  if (t.statement_class == C::kRead && t.replica_safe) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << sql << "': class " << static_cast<int>(t.statement_class)
                                       << ", replica_safe " << t.replica_safe;
}

// The tokens of one reading: the i-th conditional versioned comment read the choices[i]-th way.
std::vector<std::string> tokens(std::string_view sql, std::vector<std::uint8_t> choices = {},
                                sql::LexMode mode = {}, sql::CommentChoices* seen = nullptr) {
  sql::CommentChoices local;
  sql::CommentChoices& c = seen != nullptr ? *seen : local;
  c = sql::CommentChoices{};
  for (std::size_t i = 0; i < choices.size(); ++i) c.choice[i] = choices[i];
  sql::Lexer lexer(sql, mode, &c);
  std::vector<std::string> out;
  for (auto t = lexer.next(); t.kind != sql::TokenKind::kEnd; t = lexer.next()) out.emplace_back(t.text());
  return out;
}

using Tokens = std::vector<std::string>;

// ---- versioned comments ----

// "/*!99999 SELECT */ DELETE FROM t": MariaDB never runs a /*! comment of MySQL 5.7 to 9, MySQL
// none newer than itself; either way the server runs the DELETE alone.
TEST(ClassifierReadings, AVersionedCommentTheServerSkipsHidesNoWrite) {
  for (std::string_view s : {"/*!99999 SELECT */ DELETE FROM t", "/*M!999999 SELECT */ DELETE FROM t",
                             "/*!80000 SELECT */ DELETE FROM t", "/*!50700 SELECT */ DELETE FROM t",
                             "/*!100000 SELECT */ DELETE FROM t", "/*M!100000 SELECT */ DELETE FROM t",
                             "/*M! SELECT */ DELETE FROM t", "SELECT 1; /*!99999 SELECT */ DELETE FROM t",
                             "SELECT 1 /*!99999 ' */ ; DELETE FROM t ; -- ' */",
                             "SELECT 1 /*M!110000 , ' */ ; DELETE FROM t ; -- ' */"}) {
    EXPECT_TRUE(is_write(s));
  }
}

TEST(ClassifierReadings, AVersionedCommentTheServerRunsHidesNoWrite) {
  EXPECT_TRUE(is_write("SELECT 1 /*!99999 ; DELETE FROM t */"));
  EXPECT_TRUE(is_write("SELECT 1 /*M!100000 ; DELETE FROM t */"));
}

TEST(ClassifierReadings, VersionedCommentsEveryServerReadsAlikeStayReads) {
  for (std::string_view s : {"SELECT /*!40001 SQL_NO_CACHE */ * FROM t", "SELECT /*!80000 SQL_NO_CACHE */ * FROM t",
                             "/*M!100100 SELECT 1 */", "SELECT 1 /*!99999 , 2 */", "/*! SELECT 1 */",
                             "SELECT /*M!999999 x */ 1"}) {
    EXPECT_TRUE(is_replica_read(s)) << s;
  }
  const auto t = classify_sql("SELECT * FROM t /*!80000 FOR UPDATE */");  // locks on MySQL only
  EXPECT_EQ(t.statement_class, C::kRead);
  EXPECT_FALSE(t.replica_safe);
  EXPECT_TRUE(t.locking_read);
  EXPECT_TRUE(classify_sql("/*M! SET NAMES utf8mb4 */").sets_names);  // MySQL runs nothing
}

// How many ways each comment can be read, and what each reading lexes.
TEST(ClassifierReadings, VersionDigitsAsServersReadThem) {
  sql::CommentChoices seen;
  EXPECT_EQ(tokens("/*!40101 x */", {}, {}, &seen), (Tokens{"x"}));  // code on every server
  EXPECT_EQ(seen.met, 0);
  EXPECT_EQ(tokens("/*!12 x */", {}, {}, &seen), (Tokens{"12", "x"}));  // no version: the digits are code
  EXPECT_EQ(seen.met, 0);
  EXPECT_EQ(tokens("/*!999999 x */", {}, {}, &seen), (Tokens{}));  // newer than any server
  EXPECT_EQ(seen.met, 0);

  EXPECT_EQ(tokens("/*!99999 x */", {0}, {}, &seen), (Tokens{"x"}));
  EXPECT_EQ(seen.met, 1);
  EXPECT_EQ(seen.options[0], 2);  // code, skipped
  EXPECT_EQ(tokens("/*!99999 x */", {1}), (Tokens{}));

  EXPECT_EQ(tokens("/*!1000000 x */", {0}, {}, &seen), (Tokens{"0", "x"}));  // MariaDB: 6 digits
  EXPECT_EQ(seen.options[0], 3);
  EXPECT_EQ(tokens("/*!1000000 x */", {1}), (Tokens{"00", "x"}));  // MySQL: 5 digits
  EXPECT_EQ(tokens("/*!1000000 x */", {2}), (Tokens{}));

  EXPECT_EQ(tokens("/*M! x */", {0}, {}, &seen), (Tokens{"x"}));  // MariaDB: code
  EXPECT_EQ(seen.options[0], 2);
  EXPECT_EQ(tokens("/*M! x */", {1}), (Tokens{}));  // MySQL: a plain comment
  EXPECT_EQ(tokens("/*M!100000 x */", {}, {}, &seen), (Tokens{"x"}));
  EXPECT_EQ(seen.options[0], 2);  // code, not run (skipped and plain end at the same */)
}

// A comment the server skips may hold one /* ... */ of its own; a plain comment (MySQL's reading
// of /*M!) ends at the first */.
TEST(ClassifierReadings, SkippedCommentsNestOnce) {
  EXPECT_EQ(tokens("/*!99999 /* a */ DELETE FROM t */ SELECT 1", {1}), (Tokens{"SELECT", "1"}));
  sql::CommentChoices seen;
  EXPECT_EQ(tokens("/*M!100000 /* a */ DELETE FROM t */ SELECT 1", {2}, {}, &seen),
            (Tokens{"DELETE", "FROM", "t", "*", "/", "SELECT", "1"}));
  EXPECT_EQ(seen.options[0], 3);
  EXPECT_TRUE(is_write("/*M!100000 /* a */ DELETE FROM t */ SELECT 1"));
}

TEST(ClassifierReadings, ReadingsThatRunDifferentStatementsAreNotReplayed) {
  const CommandResult ok{true, std::uint16_t{0x0002}, 0, 0};
  for (std::string_view sql : {"/*!99999 SET @a = 1; */ SET @b = 2", "SET @a = 1 /*!99999 ; DELETE FROM t */",
                               "USE /*!99999 a */ b"}) {
    const auto t = classify_sql(sql);
    EXPECT_TRUE(t.readings_differ || t.multi_statement) << sql;
    SessionState s;
    const auto added = s.after_query(t, sql, ok);
    EXPECT_TRUE(added.test(static_cast<std::size_t>(PinReason::kUnreplayableState))) << sql;
    EXPECT_TRUE(s.replay_log().empty()) << sql;
  }
  // Every reading a SET: replayed as text, each server reads it its own way again.
  EXPECT_FALSE(classify_sql("SET @b = 2 /*!99999 , @c = 3 */").readings_differ);
  auto t = classify_sql("USE /*!99999 a */ b");
  EXPECT_TRUE(t.use_database.empty());
  EXPECT_TRUE(t.readings_differ);
  t = classify_sql("START TRANSACTION /*!99999 READ ONLY */");  // not a read-only transaction for sure
  EXPECT_EQ(t.transaction, TransactionOp::kNone);
  EXPECT_TRUE(t.readings_differ);
}

TEST(ClassifierReadings, TooManyWaysToReadAreAWrite) {
  std::string s = "SELECT 1";
  for (int i = 0; i < 12; ++i) s += " /*!99999 , 1 */";
  const auto start = std::chrono::steady_clock::now();
  const auto t = classify_sql(s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(t.statement_class, C::kWrite);
  EXPECT_FALSE(t.replica_safe);
}

// ---- quoting modes ----

// The session's sql_mode is not known for sure (a stored procedure, SET STATEMENT, a prepared SET
// can change it): the text is read in every quoting mode where it holds a '\' or a '"'.
TEST(ClassifierReadings, EveryQuotingModeCounts) {
  for (std::string_view s : {"SELECT 'a\\' ; DELETE FROM t; -- '", "SELECT \"a\\\" ; DELETE FROM t; -- \"",
                             "SELECT 1, '\\' ; DELETE FROM t ; SELECT '"}) {
    EXPECT_TRUE(is_write(s));
    EXPECT_EQ(classify_sql(s, SqlMode{}).statement_class, C::kRead) << s;  // what the default mode sees
  }
  // The other way round: a read without backslash escapes, a write with them.
  const std::string_view s = "SELECT 'a\\' , ''' ; DELETE FROM t; -- '";
  EXPECT_TRUE(is_write(s));
  EXPECT_EQ(classify_sql(s, SqlMode{.no_backslash_escapes = true}).statement_class, C::kRead);
}

// A reading in which a string never ends is one the server refuses (ER_PARSE_ERROR): it counts
// with its complete statements only, so escaped quotes don't send reads to the primary.
TEST(ClassifierReadings, ReadingsTheServerRefusesDontCount) {
  for (std::string_view s : {"SELECT 'O\\'Brien'", "SELECT * FROM t WHERE n = \"O\\\"Brien\"", "SELECT 'C:\\\\'",
                             "SELECT \"x\" FROM t", "SELECT 'line\\n'", "SELECT 1; SELECT 'it\\'s'"}) {
    EXPECT_TRUE(is_replica_read(s)) << s;
  }
  EXPECT_TRUE(is_write("DELETE FROM t; SELECT 'it\\'s'"));
  EXPECT_TRUE(is_write("SELECT \"abc"));         // no reading makes sense
  EXPECT_TRUE(is_write("SELECT 1; SELECT 'a\\"));  // nor here
}

// ---- client charsets with two-byte characters ----

// In gbk, big5, sjis and cp932 a lead byte and a '\' or '`' after it are one character: the '`'
// closes no name (and the '\' escapes nothing).
TEST(ClassifierReadings, TwoByteCharsetsCount) {
  EXPECT_EQ(tokens("'\xbf\\' x", {}, {.charset = sql::MultiByte::kGbk}), (Tokens{"'\xbf\\'", "x"}));
  EXPECT_EQ(tokens("`\xbf` x`", {}, {.charset = sql::MultiByte::kBig5}), (Tokens{"`\xbf` x`"}));
  // 0xbf is a one-byte katakana in sjis: the name ends there.
  EXPECT_EQ(tokens("`\xbf` x`", {}, {.charset = sql::MultiByte::kSjis}), (Tokens{"`\xbf`", "x", "`"}));
  EXPECT_EQ(tokens("a\x81` x", {}, {.charset = sql::MultiByte::kSjis}), (Tokens{"a\x81`", "x"}));

  EXPECT_TRUE(is_write("SELECT 1 AS `\xbf` ` ; DELETE FROM t; -- `"));
  EXPECT_TRUE(is_write("SELECT '\xbf\\' ; DELETE FROM t; -- '"));
  for (std::size_t pad = 0; pad < 40; ++pad) {  // the pair anywhere in the 16-byte blocks the text is scanned by
    EXPECT_TRUE(is_write(std::string(pad, ' ') + "SELECT 1 AS `\xbf` ` ; DELETE FROM t; -- `")) << pad;
  }
  EXPECT_TRUE(is_replica_read("SELECT `\xe5\x90\x8d\xe5\x89\x8d` FROM t"));  // UTF-8 names stay reads
}

// ---- SET with side effects ----

// A stored function in a SET runs again wherever the SET is replayed, a replica's connection
// included; in SET STATEMENT ... FOR SELECT it runs wherever the SELECT goes.
TEST(ClassifierReadings, StoredFunctionsInSetStayOnTheirConnection) {
  EXPECT_FALSE(classify_sql("SET STATEMENT max_statement_time = db.f() FOR SELECT 1").replica_safe);
  EXPECT_TRUE(classify_sql("SET @a = db.purge()").calls_unknown_function);
  EXPECT_FALSE(classify_sql("SET @a = CONCAT('a', 'b')").calls_unknown_function);

  const CommandResult ok{true, std::uint16_t{0x0002}, 0, 0};
  for (std::string_view sql : {"SET @a = db.purge()", "SET @b = NEXTVAL(s)", "SET @c = 1, @d = f()"}) {
    SessionState s;
    const auto added = s.after_query(classify_sql(sql), sql, ok);
    EXPECT_TRUE(added.test(static_cast<std::size_t>(PinReason::kUnreplayableState))) << sql;
    EXPECT_TRUE(s.replay_log().empty()) << sql;
  }
  SessionState s;
  s.after_query(classify_sql("SET @c = 1"), "SET @c = 1", ok);
  EXPECT_EQ(s.replay_log().size(), 1u);
}

}  // namespace
}  // namespace mysqlproxy::proxy
