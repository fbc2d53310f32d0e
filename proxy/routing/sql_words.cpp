#include "proxy/routing/sql_words.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <string_view>

namespace mysqlproxy::proxy::sql {
namespace {

// Keywords and built-ins that may stand before '(' without calling anything stored: syntax,
// column types (CAST, JSON_TABLE) and pure functions. A call of any other name may run a stored
// function, which may write, so it keeps a read off the replicas. Names starting JSON_ or ST_
// are built-ins too (see lookup_word).
constexpr std::string_view kSafeWords =
    // syntax that may precede '('
    "AGAINST ANY ARRAY ASC AT BETWEEN BOTH BY CROSS DISTINCT DISTINCTROW DIV DUAL EACH ELSE ELSEIF "
    "ELSIF EMPTY END ERROR ESCAPE EXCEPT EXISTS FOLLOWING FORCE FROM GROUP HAVING HIGH_PRIORITY "
    "IGNORE INNER INTERSECT INTERVAL IS JOIN KEY LATERAL LEADING LIKE LIMIT MATCH MEMBER MINUS "
    "NATURAL NESTED NULL OF OFFSET OR ORDER ORDINALITY OUTER OVER PARTITION PATH PRECEDING RANGE "
    "REGEXP RETURN RETURNING RETURNS RLIKE ROW ROWS SEPARATOR SOME SOUNDS SQL_BIG_RESULT "
    "SQL_BUFFER_RESULT SQL_CACHE SQL_NO_CACHE SQL_SMALL_RESULT STRAIGHT_JOIN SYSTEM_TIME THEN "
    "TRAILING UNBOUNDED UNION UNKNOWN USING WHEN WHERE WINDOW WITHIN XOR "
    // types
    "BIGINT BINARY BIT BLOB BOOL BOOLEAN CHAR DATE DATETIME DEC DECIMAL DOUBLE ENUM FIXED FLOAT "
    "FLOAT4 FLOAT8 GEOMETRY GEOMETRYCOLLECTION INET4 INET6 INT INT1 INT2 INT3 INT4 INT8 INTEGER "
    "JSON LINESTRING LONGBLOB LONGTEXT MEDIUMBLOB MEDIUMINT MEDIUMTEXT MIDDLEINT MULTILINESTRING "
    "MULTIPOINT MULTIPOLYGON NATIONAL NCHAR NUMBER NUMERIC NVARCHAR POINT POLYGON RAW REAL SERIAL "
    "SIGNED SMALLINT TEXT TIME TIMESTAMP TINYBLOB TINYINT TINYTEXT UNSIGNED VARBINARY VARCHAR "
    "VARCHAR2 VARCHARACTER YEAR "
    // aggregate and window functions
    "ANY_VALUE AVG BIT_AND BIT_OR BIT_XOR CUME_DIST DENSE_RANK FIRST_VALUE GROUPING GROUP_CONCAT "
    "LAG LAST_VALUE LEAD MAX MEDIAN MIN NTH_VALUE NTILE PERCENTILE_CONT PERCENTILE_DISC "
    "PERCENT_RANK RANK ROW_NUMBER STD STDDEV STDDEV_POP STDDEV_SAMP SUM VARIANCE VAR_POP VAR_SAMP "
    // control flow and casts
    "CAST COALESCE CONVERT DECODE DECODE_ORACLE GREATEST IFNULL ISNULL LEAST NULLIF NVL NVL2 "
    // strings
    "ASCII BIN BIT_LENGTH CHARACTER_LENGTH CHAR_LENGTH CHR COERCIBILITY COMPRESS CONCAT "
    "CONCAT_OPERATOR_ORACLE CONCAT_WS ELT EXPORT_SET FIELD FIND_IN_SET FORMAT_BYTES "
    "FORMAT_PICO_TIME FROM_BASE64 HEX INSTR LCASE LEFT LENGTH LENGTHB LOCATE LOWER LPAD LTRIM "
    "MAKE_SET MID NATURAL_SORT_KEY OCT OCTET_LENGTH ORD POSITION QUOTE REGEXP_INSTR REGEXP_LIKE "
    "REGEXP_REPLACE REGEXP_SUBSTR REVERSE RIGHT RPAD RTRIM SFORMAT SOUNDEX SPACE STRCMP SUBSTR "
    "SUBSTRING SUBSTRING_INDEX TO_BASE64 TO_CHAR TRIM UCASE UNCOMPRESS UNCOMPRESSED_LENGTH UNHEX "
    "UPPER WEIGHT_STRING "
    // numbers
    "ABS ACOS ASIN ATAN ATAN2 BIT_COUNT CEIL CEILING CONV COS COT CRC32 CRC32C DEGREES EXP FLOOR "
    "LN LOG LOG10 LOG2 MOD PI POW POWER RADIANS RAND ROUND SIGN SIN SQRT TAN TRUNCATE "
    // dates and times
    "ADDDATE ADDTIME ADD_MONTHS CONVERT_TZ CURDATE CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP "
    "CURTIME DATEDIFF DATE_ADD DATE_FORMAT DATE_SUB DAY DAYNAME DAYOFMONTH DAYOFWEEK DAYOFYEAR "
    "EXTRACT FROM_DAYS FROM_UNIXTIME GET_FORMAT HOUR LAST_DAY LOCALTIME LOCALTIMESTAMP MAKEDATE "
    "MAKETIME MICROSECOND MINUTE MONTH MONTHNAME MONTHS_BETWEEN NOW PERIOD_ADD PERIOD_DIFF QUARTER "
    "SECOND SEC_TO_TIME STR_TO_DATE SUBDATE SUBTIME SYSDATE TIMEDIFF TIMESTAMPADD TIMESTAMPDIFF "
    "TIME_FORMAT TIME_TO_SEC TO_DAYS TO_SECONDS UNIX_TIMESTAMP UTC_DATE UTC_TIME UTC_TIMESTAMP WEEK "
    "WEEKDAY WEEKOFYEAR YEARWEEK "
    // information, hashing, misc (nondeterministic but harmless on a replica)
    "AES_DECRYPT AES_ENCRYPT ANALYSE BENCHMARK BIN_TO_UUID COLUMN_ADD COLUMN_CHECK COLUMN_CREATE "
    "COLUMN_DELETE COLUMN_EXISTS COLUMN_GET COLUMN_JSON COLUMN_LIST CURRENT_ROLE CURRENT_USER "
    "DATABASE DES_DECRYPT DES_ENCRYPT ENCODE ENCRYPT GTID_SUBSET GTID_SUBTRACT ICU_VERSION "
    "INET6_ATON INET6_NTOA INET_ATON INET_NTOA IS_IPV4 IS_IPV4_COMPAT IS_IPV4_MAPPED IS_IPV6 "
    "IS_UUID KDF MBRCONTAINS MBRCOVEREDBY MBRCOVERS MBRDISJOINT MBREQUALS MBRINTERSECTS "
    "MBROVERLAPS MBRTOUCHES MBRWITHIN MD5 NAME_CONST OLD_PASSWORD RANDOM_BYTES ROLES_GRAPHML "
    "SCHEMA SESSION_USER SHA SHA1 SHA2 SLEEP STATEMENT_DIGEST STATEMENT_DIGEST_TEXT SYSTEM_USER "
    "SYS_GUID USER UUID UUID_SHORT UUID_TO_BIN VERSION";

constexpr std::string_view kSessionBoundFunctions = "LAST_INSERT_ID FOUND_ROWS ROW_COUNT";
constexpr std::string_view kNamedLockFunctions =
    "GET_LOCK RELEASE_LOCK RELEASE_ALL_LOCKS IS_FREE_LOCK IS_USED_LOCK";
constexpr std::string_view kSequenceFunctions = "NEXTVAL LASTVAL SETVAL";
// The *_WAIT functions wait for a particular server's replication position.
constexpr std::string_view kServerStateFunctions =
    "BINLOG_GTID_POS LOAD_FILE MASTER_GTID_WAIT MASTER_POS_WAIT PS_CURRENT_THREAD_ID "
    "PS_THREAD_ID SOURCE_POS_WAIT WAIT_FOR_EXECUTED_GTID_SET WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS";

constexpr std::string_view kNamesVariables =
    "CHARACTER_SET_CLIENT CHARACTER_SET_CONNECTION CHARACTER_SET_RESULTS COLLATION_CONNECTION";
constexpr std::string_view kPreviousStatementVariables = "WARNING_COUNT ERROR_COUNT LAST_GTID";
constexpr std::string_view kLastInsertIdVariables = "IDENTITY LAST_INSERT_ID";
// @@server_id, @@hostname, @@port name the server that answers, which is what a client asks
// them for: replica-safe. @@read_only is how a client checks it can write: primary only.
constexpr std::string_view kServerStateVariables =
    "READ_ONLY SUPER_READ_ONLY INNODB_READ_ONLY GTID_EXECUTED "
    "GTID_PURGED GTID_CURRENT_POS GTID_BINLOG_POS GTID_BINLOG_STATE GTID_SLAVE_POS";

#define MYSQLPROXY_SQL_KW_NAME(id, name) name,
constexpr std::string_view kKeywordNames[] = {MYSQLPROXY_SQL_KEYWORDS(MYSQLPROXY_SQL_KW_NAME)};
#undef MYSQLPROXY_SQL_KW_NAME

constexpr std::uint64_t kFold = 0xDFDFDFDFDFDFDFDFull;  // clears bit 5: ASCII letters to upper case
constexpr std::size_t kSlotBits = 11;  // about 28% full: short probe sequences
constexpr std::size_t kSlots = std::size_t{1} << kSlotBits;
constexpr std::size_t kMaxWord = 40;

// Up to the first 8 bytes, little-endian, case-folded.
constexpr std::uint64_t key_of(std::string_view w) {
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < w.size() && i < 8; ++i) k |= std::uint64_t{static_cast<unsigned char>(w[i])} << (8 * i);
  return k & kFold;
}

constexpr std::size_t slot_of(std::uint64_t key, std::size_t n) {
  return static_cast<std::size_t>(((key ^ (n * 0x9E3779B97F4A7C15ull)) * 0xFF51AFD7ED558CCDull) >> (64 - kSlotBits));
}

struct Slot {
  std::uint64_t key = 0;
  const char* name = nullptr;  // upper case, for the bytes past the first 8
  std::uint8_t len = 0;        // 0: empty
  WordInfo info;
};

struct Table {
  std::array<Slot, kSlots> slots{};
  std::size_t used = 0;

  constexpr WordInfo& at(std::string_view name) {
    const std::uint64_t key = key_of(name);
    std::size_t i = slot_of(key, name.size());
    while (slots[i].len != 0) {
      if (slots[i].len == name.size() && std::string_view(slots[i].name, slots[i].len) == name) return slots[i].info;
      i = (i + 1) & (kSlots - 1);
    }
    slots[i].key = key;
    slots[i].name = name.data();
    slots[i].len = static_cast<std::uint8_t>(name.size());
    ++used;
    return slots[i].info;
  }

  template <class F>
  constexpr void each(std::string_view list, F&& f) {
    while (!list.empty()) {
      const auto sp = list.find(' ');
      const auto word = list.substr(0, sp);
      if (!word.empty()) f(at(word));
      list = sp == std::string_view::npos ? std::string_view{} : list.substr(sp + 1);
    }
  }
};

constexpr Table build_table() {
  Table t;
  for (std::size_t i = 0; i < std::size(kKeywordNames); ++i) {
    auto& info = t.at(kKeywordNames[i]);
    info.kw = static_cast<Kw>(i + 1);
    info.fn = FnClass::kSafe;  // a keyword before '(' is syntax or a known built-in
  }
  t.each(kSafeWords, [](WordInfo& w) { w.fn = FnClass::kSafe; });
  t.each(kSessionBoundFunctions, [](WordInfo& w) { w.fn = FnClass::kSessionBound; });
  t.each(kNamedLockFunctions, [](WordInfo& w) { w.fn = FnClass::kNamedLock; });
  t.each(kSequenceFunctions, [](WordInfo& w) { w.fn = FnClass::kSequence; });
  t.each(kServerStateFunctions, [](WordInfo& w) { w.fn = FnClass::kServerState; });
  t.each("CONNECTION_ID", [](WordInfo& w) { w.fn = FnClass::kConnectionId; });
  t.at("AUTOCOMMIT").var = VarClass::kAutocommit;
  t.each(kNamesVariables, [](WordInfo& w) { w.var = VarClass::kNames; });
  t.each(kPreviousStatementVariables, [](WordInfo& w) { w.var = VarClass::kPreviousStatement; });
  t.each(kLastInsertIdVariables, [](WordInfo& w) { w.var = VarClass::kLastInsertId; });
  t.each(kServerStateVariables, [](WordInfo& w) { w.var = VarClass::kServerState; });
  return t;
}

constexpr Table kTable = build_table();
static_assert(kTable.used < kSlots / 3, "word table too full for short probe sequences");

constexpr std::uint64_t kJsonPrefix = key_of("JSON_");
constexpr std::uint64_t kStPrefix = key_of("ST_");

// The first 8 bytes of a word as key_of() packs them, read without a byte outside the word:
// one load, two overlapping ones, or three bytes.
std::uint64_t load_key(const char* p, std::size_t n) noexcept {
  if constexpr (std::endian::native != std::endian::little) return key_of({p, n});
  std::uint64_t key = 0;
  if (n >= 8) {
    std::memcpy(&key, p, 8);
  } else if (n >= 4) {
    std::uint32_t lo = 0;
    std::uint32_t hi = 0;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    key = lo | (std::uint64_t{hi} << (8 * (n - 4)));
  } else {
    const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i); };
    key = byte(0) | byte(n / 2) | byte(n - 1);
  }
  return key & kFold;
}

}  // namespace

WordInfo lookup_word(const char* p, std::size_t n) noexcept {
  if (n == 0 || n > kMaxWord) return {};
  const std::uint64_t key = load_key(p, n);
  for (std::size_t i = slot_of(key, n);; i = (i + 1) & (kSlots - 1)) {
    const Slot& s = kTable.slots[i];
    if (s.len == 0) break;
    if (s.key != key || s.len != n) continue;
    bool same = true;
    for (std::size_t j = 8; j < n; ++j) {
      if ((static_cast<unsigned char>(p[j]) & 0xDF) != (static_cast<unsigned char>(s.name[j]) & 0xDF)) {
        same = false;
        break;
      }
    }
    if (same) return s.info;
  }
  // The JSON_ and ST_ (spatial) families are large and all pure.
  if ((n > 5 && (key & 0xFFFFFFFFFFull) == kJsonPrefix) || (n > 3 && (key & 0xFFFFFFull) == kStPrefix)) {
    return {Kw::kNone, FnClass::kSafe, VarClass::kPlain};
  }
  return {};
}

}  // namespace mysqlproxy::proxy::sql
