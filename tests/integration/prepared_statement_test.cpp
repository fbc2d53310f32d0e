// Prepared statements through the binary protocol (mysql_stmt_*).
#include <gtest/gtest.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <random>

#include "support/test_env.hpp"

namespace itest {
namespace {

// ---------------------------------------------------------------- helpers

// RAII MYSQL_STMT.
class Stmt {
 public:
  explicit Stmt(Client& c) : stmt_(mysql_stmt_init(c.get())) {}
  ~Stmt() {
    if (stmt_ != nullptr) mysql_stmt_close(stmt_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  MYSQL_STMT* get() const { return stmt_; }
  bool prepare(const std::string& sql) { return mysql_stmt_prepare(stmt_, sql.data(), sql.size()) == 0; }
  std::string error() const {
    return "[" + std::to_string(mysql_stmt_errno(stmt_)) + " " + mysql_stmt_sqlstate(stmt_) + "] " +
           mysql_stmt_error(stmt_);
  }
  // Closes now (mysql_stmt_close); returns its result.
  bool close() {
    bool ok = mysql_stmt_close(stmt_) == 0;
    stmt_ = nullptr;
    return ok;
  }

 private:
  MYSQL_STMT* stmt_;
};

// A column of the all-types table: SQL type, how it is bound, how its values
// are written as text (the canonical form the tests compare).
struct ColSpec {
  const char* name;
  const char* sql_type;
  enum_field_types bind_type;    // parameter / result buffer type
  enum_field_types server_type;  // type in the result metadata
  bool is_unsigned;
  int frac;                      // fractional second digits (time types)
  bool text_comparable;          // text protocol prints the same canonical form
};

const std::vector<ColSpec>& columns() {
  static const std::vector<ColSpec> cols = {
      {"ti", "TINYINT", MYSQL_TYPE_TINY, MYSQL_TYPE_TINY, false, 0, true},
      {"tu", "TINYINT UNSIGNED", MYSQL_TYPE_TINY, MYSQL_TYPE_TINY, true, 0, true},
      {"si", "SMALLINT", MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT, false, 0, true},
      {"su", "SMALLINT UNSIGNED", MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT, true, 0, true},
      {"mi", "MEDIUMINT", MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, false, 0, true},
      {"mu", "MEDIUMINT UNSIGNED", MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, true, 0, true},
      {"i", "INT", MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, false, 0, true},
      {"iu", "INT UNSIGNED", MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, true, 0, true},
      {"bi", "BIGINT", MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, false, 0, true},
      {"bu", "BIGINT UNSIGNED", MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, true, 0, true},
      {"f", "FLOAT", MYSQL_TYPE_FLOAT, MYSQL_TYPE_FLOAT, false, 0, false},
      {"d", "DOUBLE", MYSQL_TYPE_DOUBLE, MYSQL_TYPE_DOUBLE, false, 0, false},
      {"dc", "DECIMAL(20,6)", MYSQL_TYPE_NEWDECIMAL, MYSQL_TYPE_NEWDECIMAL, false, 0, true},
      {"dt", "DATE", MYSQL_TYPE_DATE, MYSQL_TYPE_DATE, false, 0, true},
      {"tm", "TIME", MYSQL_TYPE_TIME, MYSQL_TYPE_TIME, false, 0, true},
      {"dtm", "DATETIME(6)", MYSQL_TYPE_DATETIME, MYSQL_TYPE_DATETIME, false, 6, true},
      {"ts", "TIMESTAMP NULL DEFAULT NULL", MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_TIMESTAMP, false, 0, true},
      {"vc", "VARCHAR(100) CHARACTER SET utf8mb4", MYSQL_TYPE_STRING, MYSQL_TYPE_VAR_STRING, false, 0, true},
      {"bl", "BLOB", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB, false, 0, true},
  };
  return cols;
}

template <typename T>
T parse_int(const std::string& s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) throw std::runtime_error("bad integer " + s);
  return v;
}

template <typename T>
std::string shortest(T v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

MYSQL_TIME parse_time(const std::string& s, enum_field_types type) {
  MYSQL_TIME t{};
  unsigned long frac = 0;
  int digits = 0;
  auto parse_frac = [&](const char* dot) {
    if (dot == nullptr) return;
    std::string f(dot + 1);
    digits = static_cast<int>(f.size());
    frac = std::stoul(f);
    for (int k = digits; k < 6; ++k) frac *= 10;
  };
  if (type == MYSQL_TYPE_DATE) {
    std::sscanf(s.c_str(), "%u-%u-%u", &t.year, &t.month, &t.day);
    t.time_type = MYSQL_TIMESTAMP_DATE;
  } else if (type == MYSQL_TYPE_TIME) {
    const char* p = s.c_str();
    if (*p == '-') {
      t.neg = 1;
      ++p;
    }
    std::sscanf(p, "%u:%u:%u", &t.hour, &t.minute, &t.second);
    parse_frac(std::strchr(p, '.'));
    // The binary protocol carries days and a one-byte hour.
    t.day = t.hour / 24;
    t.hour %= 24;
    t.time_type = MYSQL_TIMESTAMP_TIME;
  } else {
    std::sscanf(s.c_str(), "%u-%u-%u %u:%u:%u", &t.year, &t.month, &t.day, &t.hour, &t.minute, &t.second);
    parse_frac(std::strchr(s.c_str(), '.'));
    t.time_type = MYSQL_TIMESTAMP_DATETIME;
  }
  t.second_part = frac;
  return t;
}

std::string format_time(const MYSQL_TIME& t, enum_field_types type, int frac) {
  char buf[64];
  std::string out;
  if (type == MYSQL_TYPE_DATE) {
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", t.year, t.month, t.day);
    return buf;
  }
  if (type == MYSQL_TYPE_TIME) {
    std::snprintf(buf, sizeof buf, "%s%02u:%02u:%02u", t.neg ? "-" : "", t.day * 24 + t.hour, t.minute, t.second);
    out = buf;
  } else {
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u", t.year, t.month, t.day, t.hour, t.minute,
                  t.second);
    out = buf;
  }
  if (frac > 0) {
    std::snprintf(buf, sizeof buf, ".%06lu", t.second_part);
    out += std::string(buf).substr(0, 1 + frac);
  }
  return out;
}

// Storage behind one MYSQL_BIND.
struct Slot {
  std::vector<char> data;
  unsigned long length = 0;
  my_bool is_null = 0;
  my_bool error = 0;
};

// Fills a parameter bind from a canonical text value (nullopt = NULL).
void bind_param(const ColSpec& col, const Value& v, Slot& slot, MYSQL_BIND& b) {
  b = MYSQL_BIND{};
  b.buffer_type = col.bind_type;
  b.is_unsigned = col.is_unsigned;
  b.is_null = &slot.is_null;
  b.length = &slot.length;
  slot.is_null = !v.has_value();
  if (!v) {
    slot.data.assign(16, 0);
    b.buffer = slot.data.data();
    return;
  }
  const std::string& s = *v;
  auto put = [&](auto value) {
    slot.data.resize(sizeof value);
    std::memcpy(slot.data.data(), &value, sizeof value);
    slot.length = sizeof value;
  };
  switch (col.bind_type) {
    case MYSQL_TYPE_TINY:
      col.is_unsigned ? put(parse_int<uint8_t>(s)) : put(parse_int<int8_t>(s));
      break;
    case MYSQL_TYPE_SHORT:
      col.is_unsigned ? put(parse_int<uint16_t>(s)) : put(parse_int<int16_t>(s));
      break;
    case MYSQL_TYPE_LONG:
      col.is_unsigned ? put(parse_int<uint32_t>(s)) : put(parse_int<int32_t>(s));
      break;
    case MYSQL_TYPE_LONGLONG:
      col.is_unsigned ? put(parse_int<uint64_t>(s)) : put(parse_int<int64_t>(s));
      break;
    case MYSQL_TYPE_FLOAT:
      put(std::stof(s));
      break;
    case MYSQL_TYPE_DOUBLE:
      put(std::stod(s));
      break;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
      put(parse_time(s, col.bind_type));
      break;
    default:  // DECIMAL, strings, blobs: the bytes themselves
      slot.data.assign(s.begin(), s.end());
      slot.data.push_back('\0');
      slot.length = s.size();
      break;
  }
  b.buffer = slot.data.data();
  b.buffer_length = slot.length;
}

// Prepares a result bind for a column.
void bind_result(const ColSpec& col, Slot& slot, MYSQL_BIND& b) {
  b = MYSQL_BIND{};
  enum_field_types t = col.bind_type;
  if (t == MYSQL_TYPE_NEWDECIMAL) t = MYSQL_TYPE_STRING;
  b.buffer_type = t;
  b.is_unsigned = col.is_unsigned;
  slot.data.assign(4096, 0);
  b.buffer = slot.data.data();
  b.buffer_length = slot.data.size();
  b.length = &slot.length;
  b.is_null = &slot.is_null;
  b.error = &slot.error;
}

// Canonical text of a fetched result slot.
Value result_text(const ColSpec& col, const Slot& slot) {
  if (slot.is_null) return std::nullopt;
  const char* p = slot.data.data();
  auto get = [&](auto zero) {
    std::memcpy(&zero, p, sizeof zero);
    return zero;
  };
  switch (col.bind_type) {
    case MYSQL_TYPE_TINY:
      return col.is_unsigned ? std::to_string(get(uint8_t{})) : std::to_string(get(int8_t{}));
    case MYSQL_TYPE_SHORT:
      return col.is_unsigned ? std::to_string(get(uint16_t{})) : std::to_string(get(int16_t{}));
    case MYSQL_TYPE_LONG:
      return col.is_unsigned ? std::to_string(get(uint32_t{})) : std::to_string(get(int32_t{}));
    case MYSQL_TYPE_LONGLONG:
      return col.is_unsigned ? std::to_string(get(uint64_t{})) : std::to_string(get(int64_t{}));
    case MYSQL_TYPE_FLOAT:
      return shortest(get(float{}));
    case MYSQL_TYPE_DOUBLE:
      return shortest(get(double{}));
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
      return format_time(get(MYSQL_TIME{}), col.bind_type, col.frac);
    default:
      return std::string(p, slot.length);
  }
}

// Normalises float/double literals to the shortest round-trip form so that
// expected values compare with fetched ones.
Value canonical(const ColSpec& col, const Value& v) {
  if (!v) return v;
  if (col.bind_type == MYSQL_TYPE_FLOAT) return shortest(std::stof(*v));
  if (col.bind_type == MYSQL_TYPE_DOUBLE) return shortest(std::stod(*v));
  return v;
}

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s;
}

const std::string kUnicode = "h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xe2\x9c\x93";

// Rows of the all-types table: id, then one value per column().
std::vector<std::pair<int, Row>> typed_rows() {
  return {
      {1,
       {"-128", "255", "-32768", "65535", "-8388608", "16777215", "-2147483648", "4294967295",
        "-9223372036854775808", "18446744073709551615", "3.1415927", "2.718281828459045",
        "-12345678901234.123456", "2024-02-29", "-838:59:59", "2024-02-29 23:59:58.123456",
        "2038-01-19 03:14:07", kUnicode, all_bytes()}},
      {2, Row(19, std::nullopt)},
      {3,
       {"127", "0", "32767", "0", "8388607", "0", "2147483647", "0", "9223372036854775807", "0", "-1.5e-10",
        "-1e+300", "0.000001", "1000-01-01", "838:59:59", "1970-01-01 00:00:00.000001", "1970-01-01 00:00:01",
        "", ""}},
      {4,
       {std::nullopt, "7", std::nullopt, "300", std::nullopt, "70000", std::nullopt, "123456789", std::nullopt,
        "12345678901234567890", std::nullopt, "0.5", std::nullopt, "2000-12-31", std::nullopt,
        "1999-12-31 23:59:59.999999", std::nullopt, std::string("nul\0byte", 8), std::nullopt}},
  };
}

size_t utf8_code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s)
    if ((ch & 0xC0) != 0x80) ++n;
  return n;
}

std::string hex(const std::string& s) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    out += digits[ch >> 4];
    out += digits[ch & 15];
  }
  return out;
}

class PreparedStatementTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    c_ = connect_with([](Client& c) { c.set_charset("utf8mb4"); });
    ASSERT_TRUE(c_.connected());
    must_exec(c_, "SET time_zone = '+00:00'");
  }

  // Creates a table named unique_name(prefix) dropped again in TearDown.
  std::string create_table(const std::string& prefix, const std::string& columns_sql) {
    std::string t = unique_name(prefix);
    cleanup("DROP TABLE IF EXISTS " + t);
    must_exec(c_, "DROP TABLE IF EXISTS " + t);
    must_exec(c_, "CREATE TABLE " + t + " (" + columns_sql + ") ENGINE=InnoDB");
    return t;
  }

  Client c_;
};

// ---------------------------------------------------------------- tests

TEST_F(PreparedStatementTest, AllTypesRoundTripWithNulls) {
  const auto& cols = columns();
  std::string ddl = "id INT PRIMARY KEY";
  std::string names = "id", marks = "?";
  for (const auto& col : cols) {
    ddl += std::string(", ") + col.name + " " + col.sql_type;
    names += std::string(", ") + col.name;
    marks += ", ?";
  }
  std::string t = create_table("it_types", ddl);
  const auto rows = typed_rows();

  // Insert every row with one prepared INSERT, re-bound per row.
  {
    Stmt ins(c_);
    ASSERT_TRUE(ins.prepare("INSERT INTO " + t + " (" + names + ") VALUES (" + marks + ")")) << ins.error();
    ASSERT_EQ(mysql_stmt_param_count(ins.get()), cols.size() + 1);
    for (const auto& [id, values] : rows) {
      std::vector<Slot> slots(cols.size() + 1);
      std::vector<MYSQL_BIND> binds(cols.size() + 1);
      int id_value = id;
      binds[0] = MYSQL_BIND{};
      binds[0].buffer_type = MYSQL_TYPE_LONG;
      binds[0].buffer = &id_value;
      for (size_t i = 0; i < cols.size(); ++i) bind_param(cols[i], values[i], slots[i + 1], binds[i + 1]);
      ASSERT_EQ(mysql_stmt_bind_param(ins.get(), binds.data()), 0) << ins.error();
      ASSERT_EQ(mysql_stmt_execute(ins.get()), 0) << "row " << id << ": " << ins.error();
      EXPECT_EQ(mysql_stmt_affected_rows(ins.get()), 1u);
    }
  }

  // Read each row back with a prepared SELECT and bound results.
  Stmt sel(c_);
  ASSERT_TRUE(sel.prepare("SELECT " + names + " FROM " + t + " WHERE id = ?")) << sel.error();
  ASSERT_EQ(mysql_stmt_field_count(sel.get()), cols.size() + 1);
  {
    MYSQL_RES* meta = mysql_stmt_result_metadata(sel.get());
    ASSERT_NE(meta, nullptr) << sel.error();
    MYSQL_FIELD* fields = mysql_fetch_fields(meta);
    for (size_t i = 0; i < cols.size(); ++i) {
      EXPECT_STREQ(fields[i + 1].name, cols[i].name);
      EXPECT_EQ(fields[i + 1].type, cols[i].server_type) << cols[i].name;
      if (IS_NUM(cols[i].server_type)) {  // MariaDB flags TIMESTAMP columns UNSIGNED too
        EXPECT_EQ((fields[i + 1].flags & UNSIGNED_FLAG) != 0, cols[i].is_unsigned) << cols[i].name;
      }
    }
    mysql_free_result(meta);
  }
  for (const auto& [id, values] : rows) {
    int id_param = id;
    MYSQL_BIND pb{};
    pb.buffer_type = MYSQL_TYPE_LONG;
    pb.buffer = &id_param;
    ASSERT_EQ(mysql_stmt_bind_param(sel.get(), &pb), 0) << sel.error();
    ASSERT_EQ(mysql_stmt_execute(sel.get()), 0) << sel.error();

    std::vector<Slot> slots(cols.size() + 1);
    std::vector<MYSQL_BIND> binds(cols.size() + 1);
    int id_out = 0;
    binds[0] = MYSQL_BIND{};
    binds[0].buffer_type = MYSQL_TYPE_LONG;
    binds[0].buffer = &id_out;
    for (size_t i = 0; i < cols.size(); ++i) bind_result(cols[i], slots[i + 1], binds[i + 1]);
    ASSERT_EQ(mysql_stmt_bind_result(sel.get(), binds.data()), 0) << sel.error();
    ASSERT_EQ(mysql_stmt_fetch(sel.get()), 0) << "row " << id << ": " << sel.error();
    EXPECT_EQ(id_out, id);
    for (size_t i = 0; i < cols.size(); ++i) {
      EXPECT_EQ(result_text(cols[i], slots[i + 1]), canonical(cols[i], values[i]))
          << "row " << id << " column " << cols[i].name;
    }
    EXPECT_EQ(mysql_stmt_fetch(sel.get()), MYSQL_NO_DATA);
    mysql_stmt_free_result(sel.get());
  }

  // Cross-check through the text protocol: the server stored what was bound.
  auto text_rows = must_query(c_, "SELECT " + names + " FROM " + t + " ORDER BY id");
  ASSERT_EQ(text_rows.size(), rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    ASSERT_EQ(text_rows[r].size(), cols.size() + 1);
    EXPECT_EQ(text_rows[r][0], std::to_string(rows[r].first));
    for (size_t i = 0; i < cols.size(); ++i) {
      if (!cols[i].text_comparable && rows[r].second[i]) continue;
      EXPECT_EQ(text_rows[r][i + 1], rows[r].second[i]) << "text protocol row " << rows[r].first << " column "
                                                        << cols[i].name;
    }
  }
  // utf8mb4 arrived as characters, not as mojibake.
  auto uni = must_query(c_, "SELECT CHAR_LENGTH(vc), HEX(vc) FROM " + t + " WHERE id = 1");
  ASSERT_EQ(uni.size(), 1u);
  EXPECT_EQ(uni[0][0], std::to_string(utf8_code_points(kUnicode)));
  EXPECT_EQ(uni[0][1], hex(kUnicode));
}

TEST_F(PreparedStatementTest, ReExecute200TimesWithDifferentParameters) {
  std::string t = create_table("it_reexec", "id BIGINT PRIMARY KEY, s VARCHAR(20), d DOUBLE NULL");
  Stmt ins(c_);
  ASSERT_TRUE(ins.prepare("INSERT INTO " + t + " (id, s, d) VALUES (?, ?, ?)")) << ins.error();
  Stmt sel(c_);
  ASSERT_TRUE(sel.prepare("SELECT ? + 1, CONCAT('v', ?), s, d FROM " + t + " WHERE id = ?")) << sel.error();

  long long expected_sum = 0;
  for (long long i = 0; i < 200; ++i) {
    long long id = i * 1000 + 7;
    std::string s = "s" + std::to_string(i);
    unsigned long s_len = s.size();
    double d = i / 4.0;
    my_bool d_null = (i % 10 == 0);
    MYSQL_BIND p[3]{};
    p[0].buffer_type = MYSQL_TYPE_LONGLONG;
    p[0].buffer = &id;
    p[1].buffer_type = MYSQL_TYPE_STRING;
    p[1].buffer = s.data();
    p[1].buffer_length = s_len;
    p[1].length = &s_len;
    p[2].buffer_type = MYSQL_TYPE_DOUBLE;
    p[2].buffer = &d;
    p[2].is_null = &d_null;
    ASSERT_EQ(mysql_stmt_bind_param(ins.get(), p), 0) << ins.error();
    ASSERT_EQ(mysql_stmt_execute(ins.get()), 0) << "iteration " << i << ": " << ins.error();
    expected_sum += id;

    MYSQL_BIND q[3]{};
    q[0].buffer_type = MYSQL_TYPE_LONGLONG;
    q[0].buffer = &id;
    q[1].buffer_type = MYSQL_TYPE_LONGLONG;
    q[1].buffer = &id;
    q[2].buffer_type = MYSQL_TYPE_LONGLONG;
    q[2].buffer = &id;
    ASSERT_EQ(mysql_stmt_bind_param(sel.get(), q), 0) << sel.error();
    ASSERT_EQ(mysql_stmt_execute(sel.get()), 0) << "iteration " << i << ": " << sel.error();
    long long plus_one = 0;
    char concat[64] = {}, s_out[64] = {};
    unsigned long concat_len = 0, s_out_len = 0;
    double d_out = -1;
    my_bool d_out_null = 0;
    MYSQL_BIND r[4]{};
    r[0].buffer_type = MYSQL_TYPE_LONGLONG;
    r[0].buffer = &plus_one;
    r[1].buffer_type = MYSQL_TYPE_STRING;
    r[1].buffer = concat;
    r[1].buffer_length = sizeof concat;
    r[1].length = &concat_len;
    r[2].buffer_type = MYSQL_TYPE_STRING;
    r[2].buffer = s_out;
    r[2].buffer_length = sizeof s_out;
    r[2].length = &s_out_len;
    r[3].buffer_type = MYSQL_TYPE_DOUBLE;
    r[3].buffer = &d_out;
    r[3].is_null = &d_out_null;
    ASSERT_EQ(mysql_stmt_bind_result(sel.get(), r), 0) << sel.error();
    ASSERT_EQ(mysql_stmt_fetch(sel.get()), 0) << "iteration " << i << ": " << sel.error();
    EXPECT_EQ(plus_one, id + 1);
    EXPECT_EQ(std::string(concat, concat_len), "v" + std::to_string(id));
    EXPECT_EQ(std::string(s_out, s_out_len), s);
    EXPECT_EQ(static_cast<bool>(d_out_null), static_cast<bool>(d_null)) << "iteration " << i;
    if (!d_null) {
      EXPECT_EQ(d_out, d);
    }
    EXPECT_EQ(mysql_stmt_fetch(sel.get()), MYSQL_NO_DATA);
    mysql_stmt_free_result(sel.get());
    if (HasFailure()) break;
  }
  auto agg = must_query(c_, "SELECT COUNT(*), SUM(id), COUNT(d) FROM " + t);
  ASSERT_EQ(agg.size(), 1u);
  EXPECT_EQ(agg[0], (Row{"200", std::to_string(expected_sum), "180"}));
}

TEST_F(PreparedStatementTest, ResetDiscardsPendingRowsAndLongData) {
  std::string t = create_table("it_reset", "id INT PRIMARY KEY, b BLOB");
  must_exec(c_, "INSERT INTO " + t + " (id) SELECT seq FROM seq_1_to_100");

  // 1. Reset with unread rows of an unbuffered result.
  Stmt sel(c_);
  ASSERT_TRUE(sel.prepare("SELECT id FROM " + t + " ORDER BY id")) << sel.error();
  int id = 0;
  MYSQL_BIND r{};
  r.buffer_type = MYSQL_TYPE_LONG;
  r.buffer = &id;
  ASSERT_EQ(mysql_stmt_execute(sel.get()), 0) << sel.error();
  ASSERT_EQ(mysql_stmt_bind_result(sel.get(), &r), 0) << sel.error();
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(mysql_stmt_fetch(sel.get()), 0) << sel.error();
    EXPECT_EQ(id, i);
  }
  ASSERT_EQ(mysql_stmt_reset(sel.get()), 0) << sel.error();
  EXPECT_EQ(must_scalar(c_, "SELECT 'between'"), "between");
  ASSERT_EQ(mysql_stmt_execute(sel.get()), 0) << sel.error();
  ASSERT_EQ(mysql_stmt_bind_result(sel.get(), &r), 0) << sel.error();
  int n = 0, sum = 0;
  while (mysql_stmt_fetch(sel.get()) == 0) {
    ++n;
    sum += id;
  }
  EXPECT_EQ(n, 100);
  EXPECT_EQ(sum, 5050);

  // 2. Reset throws away long data sent before it.
  Stmt upd(c_);
  ASSERT_TRUE(upd.prepare("UPDATE " + t + " SET b = ? WHERE id = 5")) << upd.error();
  MYSQL_BIND p{};
  p.buffer_type = MYSQL_TYPE_BLOB;
  ASSERT_EQ(mysql_stmt_bind_param(upd.get(), &p), 0) << upd.error();
  ASSERT_EQ(mysql_stmt_send_long_data(upd.get(), 0, "discarded-", 10), 0) << upd.error();
  ASSERT_EQ(mysql_stmt_reset(upd.get()), 0) << upd.error();
  ASSERT_EQ(mysql_stmt_send_long_data(upd.get(), 0, "kept", 4), 0) << upd.error();
  ASSERT_EQ(mysql_stmt_execute(upd.get()), 0) << upd.error();
  EXPECT_EQ(must_scalar(c_, "SELECT b FROM " + t + " WHERE id = 5"), "kept");
}

TEST_F(PreparedStatementTest, SendLongDataForBlobParameter) {
  std::string t = create_table("it_longdata", "id INT PRIMARY KEY, b LONGBLOB");
  Stmt ins(c_);
  ASSERT_TRUE(ins.prepare("INSERT INTO " + t + " (id, b) VALUES (?, ?)")) << ins.error();
  int id = 1;
  MYSQL_BIND p[2]{};
  p[0].buffer_type = MYSQL_TYPE_LONG;
  p[0].buffer = &id;
  p[1].buffer_type = MYSQL_TYPE_LONG_BLOB;
  ASSERT_EQ(mysql_stmt_bind_param(ins.get(), p), 0) << ins.error();

  std::mt19937 rng(42);
  std::string expected;
  for (int chunk = 0; chunk < 5; ++chunk) {
    std::string data(300 * 1024 + chunk, '\0');
    for (auto& ch : data) ch = static_cast<char>(rng());
    ASSERT_EQ(mysql_stmt_send_long_data(ins.get(), 1, data.data(), data.size()), 0)
        << "chunk " << chunk << ": " << ins.error();
    expected += data;
  }
  ASSERT_EQ(mysql_stmt_execute(ins.get()), 0) << ins.error();
  EXPECT_EQ(mysql_stmt_affected_rows(ins.get()), 1u);

  // Long data is per execution: a second execute without it stores an empty value.
  id = 2;
  ASSERT_EQ(mysql_stmt_send_long_data(ins.get(), 1, "x", 1), 0) << ins.error();
  ASSERT_EQ(mysql_stmt_execute(ins.get()), 0) << ins.error();

  auto rows = must_query(c_, "SELECT id, LENGTH(b), b FROM " + t + " ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], std::to_string(expected.size()));
  EXPECT_TRUE(rows[0][2] == expected) << "long data was not stored byte-exact";
  EXPECT_EQ(rows[1][2], "x");
}

TEST_F(PreparedStatementTest, CursorFetchWalks1000Rows) {
  Stmt sel(c_);
  ASSERT_TRUE(sel.prepare("SELECT seq, CONCAT('r', seq) FROM seq_1_to_1000 ORDER BY seq")) << sel.error();
  unsigned long cursor = CURSOR_TYPE_READ_ONLY;
  unsigned long prefetch = 7;
  ASSERT_EQ(mysql_stmt_attr_set(sel.get(), STMT_ATTR_CURSOR_TYPE, &cursor), 0);
  ASSERT_EQ(mysql_stmt_attr_set(sel.get(), STMT_ATTR_PREFETCH_ROWS, &prefetch), 0);
  ASSERT_EQ(mysql_stmt_execute(sel.get()), 0) << sel.error();
  EXPECT_TRUE(c_.get()->server_status & SERVER_STATUS_CURSOR_EXISTS) << "server did not open a cursor";

  long long seq = 0;
  char text[32];
  unsigned long text_len = 0;
  MYSQL_BIND r[2]{};
  r[0].buffer_type = MYSQL_TYPE_LONGLONG;
  r[0].buffer = &seq;
  r[0].is_unsigned = 1;
  r[1].buffer_type = MYSQL_TYPE_STRING;
  r[1].buffer = text;
  r[1].buffer_length = sizeof text;
  r[1].length = &text_len;
  ASSERT_EQ(mysql_stmt_bind_result(sel.get(), r), 0) << sel.error();

  long long n = 0, bad = 0;
  int rc;
  while ((rc = mysql_stmt_fetch(sel.get())) == 0) {
    ++n;
    if (seq != n || std::string(text, text_len) != "r" + std::to_string(n)) ++bad;
    if (n == 500) {
      // With an open cursor the connection is free for other commands.
      EXPECT_EQ(must_scalar(c_, "SELECT 'mid-cursor'"), "mid-cursor");
    }
  }
  EXPECT_EQ(rc, MYSQL_NO_DATA) << sel.error();
  EXPECT_EQ(n, 1000);
  EXPECT_EQ(bad, 0);

  // The statement can be executed again and the cursor re-opened.
  ASSERT_EQ(mysql_stmt_execute(sel.get()), 0) << sel.error();
  ASSERT_EQ(mysql_stmt_fetch(sel.get()), 0) << sel.error();
  EXPECT_EQ(seq, 1);
  ASSERT_EQ(mysql_stmt_reset(sel.get()), 0) << sel.error();
  EXPECT_EQ(must_scalar(c_, "SELECT 'after cursor'"), "after cursor");
}

TEST_F(PreparedStatementTest, ExecutingAClosedStatementIsAnError) {
  Stmt first(c_);
  ASSERT_TRUE(first.prepare("SELECT 1")) << first.error();
  Stmt second(c_);
  ASSERT_TRUE(second.prepare("SELECT 2")) << second.error();
  unsigned long closed_id = first.get()->stmt_id;
  unsigned long live_id = second.get()->stmt_id;
  ASSERT_NE(closed_id, live_id);
  ASSERT_TRUE(first.close());

  // Send COM_STMT_EXECUTE for the closed id (the C API frees the handle on
  // close, so borrow the other handle and point it at the old id).
  second.get()->stmt_id = closed_id;
  int rc = mysql_stmt_execute(second.get());
  unsigned err = mysql_stmt_errno(second.get());
  std::string msg = mysql_stmt_error(second.get());
  second.get()->stmt_id = live_id;
  EXPECT_NE(rc, 0) << "executing closed statement id " << closed_id << " succeeded";
  EXPECT_EQ(err, 1243u) << msg;  // ER_UNKNOWN_STMT_HANDLER

  // The connection and the other statement still work.
  mysql_stmt_reset(second.get());
  ASSERT_EQ(mysql_stmt_execute(second.get()), 0) << second.error();
  long long v = 0;
  MYSQL_BIND r{};
  r.buffer_type = MYSQL_TYPE_LONGLONG;
  r.buffer = &v;
  ASSERT_EQ(mysql_stmt_bind_result(second.get(), &r), 0);
  ASSERT_EQ(mysql_stmt_fetch(second.get()), 0) << second.error();
  EXPECT_EQ(v, 2);
  mysql_stmt_free_result(second.get());
  EXPECT_EQ(must_scalar(c_, "SELECT 'ok'"), "ok");
}

TEST_F(PreparedStatementTest, PrepareAndExecuteErrorsKeepTheConnection) {
  Stmt bad(c_);
  EXPECT_FALSE(bad.prepare("SELEC ?"));
  EXPECT_EQ(mysql_stmt_errno(bad.get()), 1064u) << bad.error();

  std::string t = create_table("it_stmt_err", "id INT PRIMARY KEY");
  Stmt ins(c_);
  ASSERT_TRUE(ins.prepare("INSERT INTO " + t + " VALUES (?)")) << ins.error();
  int id = 1;
  MYSQL_BIND p{};
  p.buffer_type = MYSQL_TYPE_LONG;
  p.buffer = &id;
  ASSERT_EQ(mysql_stmt_bind_param(ins.get(), &p), 0);
  ASSERT_EQ(mysql_stmt_execute(ins.get()), 0) << ins.error();
  EXPECT_NE(mysql_stmt_execute(ins.get()), 0);
  EXPECT_EQ(mysql_stmt_errno(ins.get()), 1062u) << ins.error();
  EXPECT_STREQ(mysql_stmt_sqlstate(ins.get()), "23000");
  id = 2;
  ASSERT_EQ(mysql_stmt_execute(ins.get()), 0) << ins.error();
  EXPECT_EQ(must_scalar(c_, "SELECT COUNT(*) FROM " + t), "2");
}

}  // namespace
}  // namespace itest

namespace itest {
namespace {

// A prepared USE (MariaDB prepares it) moves the session: its next statements, on whatever
// connection they run, use the new database, as on the server.
TEST_F(PreparedStatementTest, APreparedUseMovesTheSession) {
  must_exec(c_, "USE proxytest");
  {
    Stmt use(c_);
    ASSERT_TRUE(use.prepare("USE app2db")) << use.error();
    ASSERT_EQ(mysql_stmt_execute(use.get()), 0) << use.error();
  }
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(must_scalar(c_, "SELECT DATABASE()"), "app2db");
    Stmt sel(c_);
    ASSERT_TRUE(sel.prepare("SELECT DATABASE()")) << sel.error();
  }
  must_exec(c_, "USE proxytest");
  EXPECT_EQ(must_scalar(c_, "SELECT DATABASE()"), "proxytest");
}


// A prepared SET (some drivers prepare every statement) is the session's, on every route, as its
// text would be; one with parameters keeps the session on its connection.
TEST_F(PreparedStatementTest, APreparedSetFollowsTheSession) {
  {
    Stmt set(c_);
    ASSERT_TRUE(set.prepare("SET @ps_var = 42, SESSION sql_mode = 'ANSI_QUOTES'")) << set.error();
    ASSERT_EQ(mysql_stmt_execute(set.get()), 0) << set.error();
  }
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(must_scalar(c_, "SELECT @ps_var"), "42");
    EXPECT_EQ(must_scalar(c_, "SELECT @@session.sql_mode"), "ANSI_QUOTES");
  }
  {
    Stmt set(c_);
    ASSERT_TRUE(set.prepare("SET @ps_param = ?")) << set.error();
    int v = 7;
    MYSQL_BIND p{};
    p.buffer_type = MYSQL_TYPE_LONG;
    p.buffer = &v;
    ASSERT_EQ(mysql_stmt_bind_param(set.get(), &p), 0) << set.error();
    ASSERT_EQ(mysql_stmt_execute(set.get()), 0) << set.error();
  }
  for (int i = 0; i < 4; ++i) EXPECT_EQ(must_scalar(c_, "SELECT @ps_param"), "7");
}

}  // namespace
}  // namespace itest
