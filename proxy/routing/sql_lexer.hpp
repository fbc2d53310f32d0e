#pragma once
// A MySQL/MariaDB SQL tokenizer for the classifier: splits text into words, quoted names, strings,
// numbers, variables and punctuation, skipping whitespace and comments (the body of a versioned
// comment read as code is lexed as SQL; other comments are scanned only for a routing hint).
// Internal to proxy/routing.
//
// One Lexer reads the text one way, as one server would: its LexMode says how quotes end and
// which multi-byte character set the client may use, and CommentChoices say how each versioned
// comment whose meaning depends on the server is read (see VersionedReading). The classifier
// runs it once per way a server could read the text.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "proxy/routing/sql_words.hpp"

namespace mysqlproxy::proxy::sql {

enum class TokenKind : std::uint8_t {
  kEnd,
  kSemicolon,
  kWord,        // unquoted identifier or keyword; word() says which
  kQuotedName,  // `name` (or "name" under ANSI_QUOTES)
  kQualifiedName,  // a.b, `a`.`b`.c ...: names joined by dots without blanks
  kString,      // '...' or "..."
  kNumber,
  kUserVar,     // @name, @'name', @`name`
  kSysVar,      // @@name; word() describes the name (a scope like SESSION when followed by '.')
  kAssign,      // :=
  kPunct,       // any other single byte, in `punct`
};

enum class RouteHint : std::uint8_t { kNone, kPrimary, kReplica };

struct Token {
  const char* begin = nullptr;
  std::size_t size = 0;
  TokenKind kind = TokenKind::kEnd;
  char punct = 0;
  mutable bool resolved = false;
  mutable WordInfo info;

  // What the word (or the name after "@@") is. Looked up on first use only: most words in a
  // statement are names nobody asks about.
  [[nodiscard]] const WordInfo& word() const noexcept {
    if (!resolved) {
      resolved = true;
      if (kind == TokenKind::kWord) info = lookup_word(begin, size);
      if (kind == TokenKind::kSysVar) info = lookup_word(begin + 2, size - 2);
    }
    return info;
  }
  [[nodiscard]] std::string_view text() const noexcept { return {begin, size}; }
  [[nodiscard]] bool is(char c) const noexcept { return kind == TokenKind::kPunct && punct == c; }
  [[nodiscard]] bool is(Kw k) const noexcept { return kind == TokenKind::kWord && word().kw == k; }
  [[nodiscard]] bool ends_statement() const noexcept {
    return kind == TokenKind::kEnd || kind == TokenKind::kSemicolon;
  }
};

// Client character sets whose two-byte characters may end in an ASCII byte such as '\' or '`'
// (a lead byte, then 0x40-0x7E among others). The server reads such a pair as one character inside
// strings, quoted names and names: the '\' or '`' in it neither escapes nor quotes. gb18030 pairs
// like gbk; its four-byte characters have digits in their ASCII places.
enum class MultiByte : std::uint8_t { kNone, kGbk, kBig5, kSjis /* and cp932 */ };

struct LexMode {
  bool ansi_quotes = false;           // "x" is a quoted name, not a string
  bool no_backslash_escapes = false;  // backslash is an ordinary character in strings
  MultiByte charset = MultiByte::kNone;
};

// The ways a server may read a versioned comment (/*!NNNNN ... */, /*M!NNNNNN ... */):
// - MariaDB reads 5 digits, and a 6th when there is one; the body is code when that version is at
//   most its own, except that /*! comments of MySQL 5.7 to 9 (50700-99999) are never code to it.
// - MySQL reads 5 digits (recent releases: 6 when a blank follows them) and takes /*M! for a
//   plain comment.
// - Fewer than 5 digits is no version: /*! (or, on MariaDB, /*M!) is code, digits included.
// - A comment not run is skipped to its */, past one nested /* ... */ (a plain comment nests none).
// The lexer reads a comment whose meaning depends on the server in the way `CommentChoices` picks
// for it. Not conditional: /*! with fewer than 5 digits (code), /*! with a 5-digit version below
// 50700 (code to every server the proxy fronts: MariaDB, MySQL 5.7 and later), version 999999
// (newer than any server: mariadb-dump's "/*M!999999\- enable the sandbox mode */").
enum class VersionedReading : std::uint8_t {
  kCodeAfter6,  // MariaDB (and recent MySQL when a blank follows): body after the 6th digit
  kCodeAfter5,  // body after the 5th digit (any digits beyond are code)
  kCodeAtDigits,  // fewer than 5 digits: the digits are code
  kSkipped,     // a version newer than the server: skipped, one nested comment allowed
  kPlain,       // MySQL and /*M!: a plain comment, ending at the first */
};

// How each conditional versioned comment met is read: `choice[i]` picks among the readings the
// i-th one allows (in VersionedReading order, code first); the lexer reports how many it allows.
// The classifier walks every combination with these.
struct CommentChoices {
  static constexpr int kMax = 8;
  std::array<std::uint8_t, kMax> choice{};   // in: the reading of the i-th conditional comment
  std::array<std::uint8_t, kMax> options{};  // out: how many readings the i-th allowed
  int met = 0;                               // out: conditional comments met (may exceed kMax)

  // Moves on to the next combination after a pass; false once all were read (or too many comments
  // were met to try them all: then `overflow()`).
  bool advance() noexcept;
  [[nodiscard]] bool overflow() const noexcept { return met > kMax; }
  void begin_pass() noexcept { met = 0; }
};

namespace lex {
enum : std::uint8_t { kIdentChar = 1, kSpaceChar = 2, kDigitChar = 4, kCommentChar = 8, kPunctChar = 16 };

inline constexpr std::array<std::uint8_t, 256> kCharClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kIdentChar;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kIdentChar;
  for (int c = '0'; c <= '9'; ++c) t[c] = kIdentChar | kDigitChar;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kIdentChar;  // UTF-8 (or any high byte) in names
  t['_'] = t['$'] = kIdentChar;
  for (char c : {' ', '\t', '\n', '\r', '\f', '\v'}) t[static_cast<unsigned char>(c)] = kSpaceChar;
  for (char c : {'#', '-', '/', '*'}) t[static_cast<unsigned char>(c)] = kCommentChar;  // may open or close one
  for (int c = 0; c < 0x80; ++c) {  // a one-byte token by itself
    if (t[c] == 0 && c != '\'' && c != '"' && c != '`' && c != ';' && c != ':' && c != '@') t[c] = kPunctChar;
  }
  return t;
}();

inline std::uint8_t char_class(char c) noexcept { return kCharClass[static_cast<unsigned char>(c)]; }
inline bool is_ident(char c) noexcept { return (char_class(c) & kIdentChar) != 0; }

// The first q (or, if `backslashes`, backslash) among the 16 bytes from p, cut at end; p + 16
// (or end) when there is none. One vector compare where 16 bytes may be read.
inline const char* find_quote16(const char* p, const char* end, char q, bool backslashes) noexcept {
#if defined(__SSE2__)
  if (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hits = _mm_cmpeq_epi8(v, _mm_set1_epi8(q));
    if (backslashes) hits = _mm_or_si128(hits, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    const auto bits = static_cast<unsigned>(_mm_movemask_epi8(hits));
    return bits != 0 ? p + __builtin_ctz(bits) : p + 16;
  }
#endif
  const char* const stop = end - p > 16 ? p + 16 : end;
  while (p < stop && *p != q && !(backslashes && *p == '\\')) ++p;
  return p;
}

// The two bytes of a character of `cs`: a lead byte, and a second byte that may be ASCII.
inline bool is_lead(MultiByte cs, unsigned char c) noexcept {
  switch (cs) {
    case MultiByte::kGbk:
      return c >= 0x81 && c <= 0xFE;
    case MultiByte::kBig5:
      return c >= 0xA1 && c <= 0xF9;
    case MultiByte::kSjis:
      return (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC);
    case MultiByte::kNone:
      break;
  }
  return false;
}
inline bool is_trail(MultiByte cs, unsigned char c) noexcept {
  if (c >= 0x40 && c <= 0x7E) return true;
  switch (cs) {
    case MultiByte::kGbk:
      return c >= 0x80 && c <= 0xFE;
    case MultiByte::kBig5:
      return c >= 0xA1 && c <= 0xFE;
    case MultiByte::kSjis:
      return c >= 0x80 && c <= 0xFC;
    case MultiByte::kNone:
      break;
  }
  return false;
}
}  // namespace lex

class Lexer {
 public:
  // `choices` (may be null: every conditional comment is then code, as MariaDB reads it) picks how
  // versioned comments are read and learns how many ways each could be.
  Lexer(std::string_view sql, LexMode mode, CommentChoices* choices = nullptr) noexcept
      : p_(sql.data()), end_(sql.data() + sql.size()), mode_(mode), choices_(choices) {}

  // Reads the next token into t (every field); kEnd forever once the input is exhausted.
  void next(Token& t) noexcept;
  [[nodiscard]] Token next() noexcept {
    Token t;
    next(t);
    return t;
  }

  // next(), inline, on a position the caller keeps in a register: p starts as pos() and end
  // is end(). For the classifier's per-token loop: in place and a leaf on its fast path (words,
  // names, one-byte punctuation, short `names` and 'strings'); the rest goes on out of line.
  [[gnu::always_inline]] void next_at(Token& t, const char*& p, const char* const end) noexcept {
    t.resolved = false;
    while (p < end && (lex::char_class(*p) & lex::kSpaceChar)) ++p;
    if (p == end) {
      if (in_versioned_) malformed_ = true;  // a /*! comment never closed
      t.kind = TokenKind::kEnd;
      t.begin = end;
      t.size = 0;
      return;
    }
    const std::uint8_t cls = lex::char_class(*p);
    t.begin = p;
    if (cls & lex::kPunctChar) {
      t.kind = TokenKind::kPunct;
      t.punct = *p++;
      t.size = 1;
      return;
    }
    if (cls & lex::kIdentChar) {
      if (cls & lex::kDigitChar) return out_of_line(&Lexer::number, t, p);
      if (mode_.charset != MultiByte::kNone) return out_of_line(&Lexer::word, t, p);
      ++p;
      while (p < end && lex::is_ident(*p)) ++p;
      t.kind = TokenKind::kWord;
      if (p < end && *p == '.') return out_of_line(&Lexer::qualified, t, p);
      t.size = static_cast<std::size_t>(p - t.begin);
      return;
    }
    const char q = *p;
    if ((q == '`' || (q == '\'' && !mode_.no_backslash_escapes)) && mode_.charset == MultiByte::kNone) {
      const char* const stop = end - (p + 1) > 16 ? p + 17 : end;
      const char* close = lex::find_quote16(p + 1, end, q, q == '\'');
      if (close < stop && *close == q && (close + 1 == end || close[1] != q)) {  // not a doubled quote
        p = close + 1;
        t.kind = q == '`' ? TokenKind::kQuotedName : TokenKind::kString;
        if (q == '`' && p < end && *p == '.') return out_of_line(&Lexer::qualified, t, p);
        t.size = static_cast<std::size_t>(p - t.begin);
        return;
      }
    }
    out_of_line(&Lexer::slow, t, p);
  }
  [[nodiscard]] const char* pos() const noexcept { return p_; }
  [[nodiscard]] const char* end() const noexcept { return end_; }
  void set_pos(const char* p) noexcept { p_ = p; }

  // The first well-formed route hint met in a comment so far.
  [[nodiscard]] RouteHint hint() const noexcept { return hint_; }
  // An unterminated string, quoted name or comment was met, or a versioned comment never closed.
  [[nodiscard]] bool malformed() const noexcept { return malformed_; }
  // A string, quoted name or comment ran to the end of the text: the server refuses the statement
  // it is in (ER_PARSE_ERROR), so that statement never runs; the ones before it do.
  [[nodiscard]] bool unterminated() const noexcept { return unterminated_; }

 private:
  // Runs a member that works on p_ from a caller's register copy of it.
  void out_of_line(void (Lexer::*f)(Token&), Token& t, const char*& p) noexcept {
    p_ = p;
    (this->*f)(t);
    p = p_;
  }
  void slow(Token& t) noexcept;
  bool comment() noexcept;  // skips a comment (or the end of a versioned one) at p_, if any
  void block_comment() noexcept;
  void versioned_comment(const char* digits_at, bool mariadb_marker) noexcept;
  // p_ is at "/*"; `after` is just past its */ (null: there is none). Skips the comment.
  void skip_comment(const char* after) noexcept;
  // Just past the */ that ends a comment whose text starts at p, allowing `nested` levels of
  // /* ... */ inside, as the server's consume_comment(); null if the text ends first.
  [[nodiscard]] const char* comment_end(const char* p, int nested) const noexcept;
  void comment_text(const char* b, const char* e) noexcept;
  void quoted(char q, bool backslashes) noexcept;  // moves p_ past the quoted text opening at p_
  void quoted_multibyte(char q, bool backslashes) noexcept;
  void qualified(Token& t) noexcept;
  void number(Token& t) noexcept;
  void word(Token& t) noexcept;  // a word when the charset has two-byte characters
  void other(Token& t) noexcept;
  // The end of the name characters from p (two-byte characters of the charset included).
  [[nodiscard]] const char* ident_end(const char* p) const noexcept {
    if (mode_.charset != MultiByte::kNone) return ident_end_multibyte(p);
    while (p < end_ && lex::is_ident(*p)) ++p;
    return p;
  }
  [[nodiscard]] const char* ident_end_multibyte(const char* p) const noexcept;
  void run_off_end() noexcept {
    malformed_ = unterminated_ = true;
    p_ = end_;
  }

  const char* p_;
  const char* end_;
  LexMode mode_;
  CommentChoices* choices_;
  bool in_versioned_ = false;
  bool malformed_ = false;
  bool unterminated_ = false;
  RouteHint hint_ = RouteHint::kNone;
};

// The route hint a comment's text carries: the word `route`, optional blanks, '=', optional
// blanks, then `primary` or `replica`, case-insensitive, anywhere in the text.
[[nodiscard]] RouteHint parse_route_hint(std::string_view comment) noexcept;

}  // namespace mysqlproxy::proxy::sql
