#pragma once
// A MySQL/MariaDB SQL tokenizer for the classifier: splits text into words, quoted names, strings,
// numbers, variables and punctuation, skipping whitespace and comments. Versioned comments
// (/*!50100 ... */, /*M! ... */) are code to the server, so their contents are lexed as SQL; other
// comments are scanned only for a routing hint. Internal to proxy/routing.
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

struct LexMode {
  bool ansi_quotes = false;           // "x" is a quoted name, not a string
  bool no_backslash_escapes = false;  // backslash is an ordinary character in strings
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
}  // namespace lex

class Lexer {
 public:
  Lexer(std::string_view sql, LexMode mode) noexcept
      : p_(sql.data()), end_(sql.data() + sql.size()), mode_(mode) {}

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
      ++p;
      while (p < end && lex::is_ident(*p)) ++p;
      t.kind = TokenKind::kWord;
      if (p < end && *p == '.') return out_of_line(&Lexer::qualified, t, p);
      t.size = static_cast<std::size_t>(p - t.begin);
      return;
    }
    const char q = *p;
    if (q == '`' || (q == '\'' && !mode_.no_backslash_escapes)) {
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
  // An unterminated string, quoted name or comment was met.
  [[nodiscard]] bool malformed() const noexcept { return malformed_; }

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
  void comment_text(const char* b, const char* e) noexcept;
  void quoted(char q, bool backslashes) noexcept;  // moves p_ past the quoted text opening at p_
  void qualified(Token& t) noexcept;
  void number(Token& t) noexcept;
  void other(Token& t) noexcept;

  const char* p_;
  const char* end_;
  LexMode mode_;
  bool in_versioned_ = false;
  bool malformed_ = false;
  RouteHint hint_ = RouteHint::kNone;
};

// The route hint a comment's text carries: the word `route`, optional blanks, '=', optional
// blanks, then `primary` or `replica`, case-insensitive, anywhere in the text.
[[nodiscard]] RouteHint parse_route_hint(std::string_view comment) noexcept;

}  // namespace mysqlproxy::proxy::sql
