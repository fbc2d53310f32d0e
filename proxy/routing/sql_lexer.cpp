#include "proxy/routing/sql_lexer.hpp"

#include <cstring>

namespace mysqlproxy::proxy::sql {
namespace {

using lex::char_class;
using lex::is_ident;
using lex::kDigitChar;

inline char fold(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

// `text` starts with `upper` (an upper-case ASCII word), ignoring case.
bool starts_with_word(std::string_view text, std::string_view upper) {
  if (text.size() < upper.size()) return false;
  for (std::size_t i = 0; i < upper.size(); ++i) {
    if (fold(text[i]) != upper[i]) return false;
  }
  return true;
}

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

RouteHint parse_route_hint(std::string_view text) noexcept {
  for (std::size_t eq = text.find('='); eq != std::string_view::npos; eq = text.find('=', eq + 1)) {
    std::size_t j = eq;
    while (j > 0 && is_blank(text[j - 1])) --j;
    if (j < 5 || !starts_with_word(text.substr(j - 5), "ROUTE")) continue;
    if (j > 5 && is_ident(text[j - 6])) continue;
    std::size_t k = eq + 1;
    while (k < text.size() && is_blank(text[k])) ++k;
    const auto value = text.substr(k);
    for (auto [word, hint] : {std::pair{std::string_view("PRIMARY"), RouteHint::kPrimary},
                              std::pair{std::string_view("REPLICA"), RouteHint::kReplica}}) {
      if (starts_with_word(value, word) && (value.size() == word.size() || !is_ident(value[word.size()]))) {
        return hint;
      }
    }
  }
  return RouteHint::kNone;
}

void Lexer::comment_text(const char* b, const char* e) noexcept {
  if (hint_ != RouteHint::kNone || b >= e || std::memchr(b, '=', static_cast<std::size_t>(e - b)) == nullptr) return;
  hint_ = parse_route_hint({b, static_cast<std::size_t>(e - b)});
}

namespace {
constexpr std::string_view kNeverVersion = "999999";
}  // namespace

void Lexer::block_comment() noexcept {
  const char* b = p_ + 2;
  const std::size_t left = static_cast<std::size_t>(end_ - b);
  // /*! and /*M! comments hold code the server runs: step inside and lex on. Their closing */ is
  // skipped as whitespace while in_versioned_.
  std::size_t marker = (left >= 1 && b[0] == '!') ? 1 : (left >= 2 && b[0] == 'M' && b[1] == '!') ? 2 : 0;
  if (marker != 0) {
    const char* digits_at = b + marker;
    const char* q = digits_at;
    for (int digits = 0; digits < 6 && q < end_ && (char_class(*q) & kDigitChar); ++digits) ++q;
    // Version 999999 is newer than any server: no server runs the body (mariadb-dump opens its
    // output with "/*M!999999\- enable the sandbox mode */"), so it is a plain comment.
    if (std::string_view(digits_at, static_cast<std::size_t>(q - digits_at)) != kNeverVersion) {
      p_ = q;
      in_versioned_ = true;
      return;
    }
  }
  for (const char* s = b; s < end_;) {
    const auto* star = static_cast<const char*>(std::memchr(s, '*', static_cast<std::size_t>(end_ - s)));
    if (star == nullptr || star + 1 >= end_) break;
    if (star[1] == '/') {
      comment_text(b, star);
      p_ = star + 2;
      return;
    }
    s = star + 1;
  }
  malformed_ = true;
  p_ = end_;
}

bool Lexer::comment() noexcept {
  const char c = *p_;
  const std::size_t left = static_cast<std::size_t>(end_ - p_);
  std::size_t line_comment = 0;  // length of the comment's opener
  if (c == '#') {
    line_comment = 1;
  } else if (c == '-' && left >= 2 && p_[1] == '-' &&
             (left == 2 || static_cast<unsigned char>(p_[2]) <= ' ' || p_[2] == '\x7f')) {
    line_comment = 2;  // "--" counts only when followed by a blank, a control byte (DEL too) or the end
  } else if (c == '/' && left >= 2 && p_[1] == '*') {
    block_comment();
    return true;
  } else if (c == '*' && in_versioned_ && left >= 2 && p_[1] == '/') {
    p_ += 2;
    in_versioned_ = false;
    return true;
  } else {
    return false;
  }
  const char* b = p_ + line_comment;
  const auto* nl = static_cast<const char*>(std::memchr(b, '\n', static_cast<std::size_t>(end_ - b)));
  comment_text(b, nl != nullptr ? nl : end_);
  p_ = nl != nullptr ? nl + 1 : end_;
  return true;
}

void Lexer::quoted(char q, bool backslashes) noexcept {
  const char* p = p_ + 1;
  const char* const end = end_;
  const char* close = nullptr;  // the next quote at or after p, once memchr is used: linear
  for (;;) {
    // The next quote or (when they escape) backslash. Most strings and names are short: a plain
    // loop over the first bytes, memchr beyond.
    const char* const stop = end - p > 32 ? p + 32 : end;
    if (backslashes) {
      while (p < stop && *p != q && *p != '\\') ++p;
    } else {
      while (p < stop && *p != q) ++p;
    }
    if (p == stop && stop != end) {
      if (close == nullptr || close < p) {
        close = static_cast<const char*>(std::memchr(p, q, static_cast<std::size_t>(end - p)));
        if (close == nullptr) close = end;
      }
      const void* bs = backslashes ? std::memchr(p, '\\', static_cast<std::size_t>(close - p)) : nullptr;
      p = bs != nullptr ? static_cast<const char*>(bs) : close;
    }
    if (p >= end) break;
    if (*p == q) {
      if (++p < end && *p == q) {  // a doubled quote stands for itself
        ++p;
        continue;
      }
      p_ = p;
      return;
    }
    if (end - p < 2) break;
    p += 2;  // a backslash and the byte it escapes, whatever it is
  }
  malformed_ = true;
  p_ = end;
}

// Digits, then whatever of a decimal point, exponent, hex or identifier tail follows.
void Lexer::number(Token& t) noexcept {
  t.kind = TokenKind::kNumber;
  ++p_;
  for (;;) {
    while (p_ < end_ && is_ident(*p_)) ++p_;
    if (p_ + 1 < end_ && (char_class(p_[1]) & kDigitChar) &&
        (*p_ == '.' || ((*p_ == '+' || *p_ == '-') && fold(p_[-1]) == 'E'))) {
      p_ += 2;
      continue;
    }
    break;
  }
  t.size = static_cast<std::size_t>(p_ - t.begin);
}

void Lexer::next(Token& t) noexcept {
  const char* p = p_;
  next_at(t, p, end_);
  p_ = p;
}

// What next() leaves: the end of the input, comments (in a loop: no recursion however many),
// long or escaped strings and names, "strings", variables, ':=', ';', and punctuation that
// could have opened a comment.
void Lexer::slow(Token& t) noexcept {
  for (;;) {
    while (p_ < end_ && (char_class(*p_) & lex::kSpaceChar)) ++p_;
    if (p_ >= end_) {
      if (in_versioned_) malformed_ = true;  // a /*! comment never closed
      t.kind = TokenKind::kEnd;
      t.begin = end_;
      t.size = 0;
      return;
    }
    if (!(char_class(*p_) & lex::kCommentChar) || !comment()) break;
  }
  const char c = *p_;
  if (char_class(c) & (lex::kIdentChar | lex::kPunctChar)) return next(t);  // taken there: no recursion
  t.begin = p_;
  if (c == '`' || c == '\'' || c == '"') {
    const bool name = c == '`' || (c == '"' && mode_.ansi_quotes);
    t.kind = name ? TokenKind::kQuotedName : TokenKind::kString;
    quoted(c, !name && !mode_.no_backslash_escapes);
    if (name && p_ < end_ && *p_ == '.') return qualified(t);
    t.size = static_cast<std::size_t>(p_ - t.begin);
    return;
  }
  other(t);
}

// t, a word or quoted name, goes on with '.' and another name: all one kQualifiedName token.
void Lexer::qualified(Token& t) noexcept {
  const char* p = p_;
  const char* const end = end_;
  while (end - p >= 2 && *p == '.' && (is_ident(p[1]) || p[1] == '`')) {
    t.kind = TokenKind::kQualifiedName;
    ++p;
    if (*p != '`') {
      while (p < end && is_ident(*p)) ++p;
      continue;
    }
    const char* const stop = end - (p + 1) > 16 ? p + 17 : end;
    const char* close = lex::find_quote16(p + 1, end, '`', false);
    if (close < stop && (close + 1 == end || close[1] != '`')) {
      p = close + 1;
      continue;
    }
    p_ = p;  // long, unterminated, or with a doubled backtick: the general path
    quoted('`', false);
    p = p_;
  }
  p_ = p;
  t.size = static_cast<std::size_t>(p - t.begin);
}

// Variables, ':=', ';' and other punctuation.
void Lexer::other(Token& t) noexcept {
  t.punct = 0;
  const char c = *p_;
  switch (c) {
    case ';':
      t.kind = TokenKind::kSemicolon;
      ++p_;
      break;
    case ':':
      t.kind = TokenKind::kPunct;
      t.punct = c;
      ++p_;
      if (p_ < end_ && *p_ == '=') {
        t.kind = TokenKind::kAssign;
        ++p_;
      }
      break;
    case '@':
      ++p_;
      if (p_ < end_ && *p_ == '@') {
        ++p_;
        t.kind = TokenKind::kSysVar;
        while (p_ < end_ && is_ident(*p_)) ++p_;
      } else if (p_ < end_ && (*p_ == '\'' || *p_ == '"' || *p_ == '`')) {
        t.kind = TokenKind::kUserVar;
        quoted(*p_, *p_ != '`' && !mode_.no_backslash_escapes);
      } else {
        t.kind = TokenKind::kUserVar;
        while (p_ < end_ && (is_ident(*p_) || *p_ == '.')) ++p_;
      }
      break;
    default:
      t.kind = TokenKind::kPunct;
      t.punct = c;
      ++p_;
      break;
  }
  t.size = static_cast<std::size_t>(p_ - t.begin);
}

}  // namespace mysqlproxy::proxy::sql
