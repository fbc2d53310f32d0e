#include "proxy/routing/sql_lexer.hpp"

#include <algorithm>
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

bool CommentChoices::advance() noexcept {
  if (overflow()) return false;
  for (int i = met - 1; i >= 0; --i) {
    if (choice[i] + 1 < options[i]) {
      ++choice[i];
      for (int j = i + 1; j < kMax; ++j) choice[j] = 0;  // the comments after it are met anew
      return true;
    }
  }
  return false;
}

namespace {

// A /*! version below this is code to every server the proxy fronts (MariaDB; MySQL 5.7 and
// later), and MariaDB never ignores one below 50700.
constexpr unsigned kAlwaysCodeBelow = 50700;
// Newer than any server (mariadb-dump's sandbox line uses it so that no server runs it).
constexpr unsigned kNeverVersion = 999999;

unsigned digits_value(const char* p, int n) {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) v = v * 10 + static_cast<unsigned>(p[i] - '0');
  return v;
}

}  // namespace

const char* Lexer::comment_end(const char* p, int nested) const noexcept {
  while (p < end_) {
    const char c = *p++;
    if (nested > 0 && c == '/' && p < end_ && *p == '*') {
      p = comment_end(p + 1, nested - 1);
      if (p == nullptr) return nullptr;
      continue;
    }
    if (c == '*' && p < end_ && *p == '/') return p + 1;
  }
  return nullptr;
}

void Lexer::skip_comment(const char* after) noexcept {
  if (after == nullptr) return run_off_end();
  comment_text(p_ + 2, after - 2);
  p_ = after;
}

void Lexer::block_comment() noexcept {
  const char* b = p_ + 2;
  const std::size_t left = static_cast<std::size_t>(end_ - b);
  if (left >= 1 && b[0] == '!') return versioned_comment(b + 1, false);
  if (left >= 2 && b[0] == 'M' && b[1] == '!') return versioned_comment(b + 2, true);
  // A plain comment: to the first */ (memchr: comments can be long).
  for (const char* s = b; s < end_;) {
    const auto* star = static_cast<const char*>(std::memchr(s, '*', static_cast<std::size_t>(end_ - s)));
    if (star == nullptr || star + 1 >= end_) break;
    if (star[1] == '/') return skip_comment(star + 2);
    s = star + 1;
  }
  run_off_end();
}

// p_ is at "/*!" or "/*M!"; `digits_at` is just past the marker. Works out the readings servers
// may give it (VersionedReading), takes the one `choices_` picks and moves on accordingly: into
// the body, lexed as code until its */, or past the comment.
void Lexer::versioned_comment(const char* digits_at, bool mariadb_marker) noexcept {
  int n = 0;
  while (n < 7 && digits_at + n < end_ && (char_class(digits_at[n]) & kDigitChar)) ++n;
  std::array<VersionedReading, 4> readings{};
  int count = 0;
  const auto add = [&](VersionedReading r) { readings[static_cast<std::size_t>(count++)] = r; };
  if (n < 5) {
    add(VersionedReading::kCodeAtDigits);           // MariaDB; MySQL too for /*!
    if (mariadb_marker) add(VersionedReading::kPlain);  // MySQL
  } else {
    const unsigned version = n >= 6 ? digits_value(digits_at, 6) : digits_value(digits_at, 5);
    if (version == kNeverVersion) {
      add(VersionedReading::kSkipped);
    } else if (!mariadb_marker && n == 5 && version < kAlwaysCodeBelow) {
      add(VersionedReading::kCodeAfter5);
    } else {
      add(n >= 6 ? VersionedReading::kCodeAfter6 : VersionedReading::kCodeAfter5);  // MariaDB
      if (!mariadb_marker && n >= 6) add(VersionedReading::kCodeAfter5);  // MySQL's 5 digits
      add(VersionedReading::kSkipped);
    }
    if (mariadb_marker) add(VersionedReading::kPlain);  // MySQL
  }
  // Where the comment ends when it is not code (found only when it may not be).
  const bool may_skip = readings[static_cast<std::size_t>(count - 1)] == VersionedReading::kSkipped ||
                        (count >= 2 && readings[static_cast<std::size_t>(count - 2)] == VersionedReading::kSkipped);
  const bool may_be_plain = readings[static_cast<std::size_t>(count - 1)] == VersionedReading::kPlain;
  const char* const skipped_end = may_skip ? comment_end(digits_at, 1) : nullptr;
  const char* const plain_end = may_be_plain ? comment_end(p_ + 2, 0) : nullptr;
  if (may_skip && may_be_plain && skipped_end == plain_end) --count;  // no /* before the first */
  std::uint8_t pick = 0;
  if (count > 1 && choices_ != nullptr) {
    const int i = choices_->met++;
    if (i < CommentChoices::kMax) {
      choices_->options[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(count);
      pick = std::min(choices_->choice[static_cast<std::size_t>(i)], static_cast<std::uint8_t>(count - 1));
    }
  }
  switch (readings[pick]) {
    case VersionedReading::kCodeAfter6:
      p_ = digits_at + 6;
      in_versioned_ = true;
      return;
    case VersionedReading::kCodeAfter5:
      p_ = digits_at + 5;
      in_versioned_ = true;
      return;
    case VersionedReading::kCodeAtDigits:
      p_ = digits_at;
      in_versioned_ = true;
      return;
    case VersionedReading::kSkipped:
      return skip_comment(skipped_end);
    case VersionedReading::kPlain:
      return skip_comment(plain_end);
  }
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
  if (mode_.charset != MultiByte::kNone) return quoted_multibyte(q, backslashes);
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
  run_off_end();
}

// As the server reads a quoted text in a charset with two-byte characters: a character's second
// byte is never a quote or an escape; a backslash escapes one byte, whatever it is.
void Lexer::quoted_multibyte(char q, bool backslashes) noexcept {
  const MultiByte cs = mode_.charset;
  const char* p = p_ + 1;
  while (p < end_) {
    const auto c = static_cast<unsigned char>(*p);
    if (lex::is_lead(cs, c) && end_ - p >= 2 && lex::is_trail(cs, static_cast<unsigned char>(p[1]))) {
      p += 2;
    } else if (*p == q) {
      if (++p < end_ && *p == q) {
        ++p;
        continue;
      }
      p_ = p;
      return;
    } else if (backslashes && c == '\\') {
      if (end_ - p < 2) break;
      p += 2;
    } else {
      ++p;
    }
  }
  run_off_end();
}

const char* Lexer::ident_end_multibyte(const char* p) const noexcept {
  const MultiByte cs = mode_.charset;
  while (p < end_) {
    if (lex::is_lead(cs, static_cast<unsigned char>(*p)) && end_ - p >= 2 &&
        lex::is_trail(cs, static_cast<unsigned char>(p[1]))) {
      p += 2;
    } else if (is_ident(*p)) {
      ++p;
    } else {
      break;
    }
  }
  return p;
}

void Lexer::word(Token& t) noexcept {
  t.kind = TokenKind::kWord;
  p_ = ident_end(p_);
  if (p_ < end_ && *p_ == '.') return qualified(t);
  t.size = static_cast<std::size_t>(p_ - t.begin);
}

// Digits, then whatever of a decimal point, exponent, hex or identifier tail follows.
void Lexer::number(Token& t) noexcept {
  t.kind = TokenKind::kNumber;
  ++p_;
  for (;;) {
    p_ = ident_end(p_);
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
      p = ident_end(p);
      continue;
    }
    const char* const stop = end - (p + 1) > 16 ? p + 17 : end;
    const char* close = lex::find_quote16(p + 1, end, '`', false);
    if (mode_.charset == MultiByte::kNone && close < stop && (close + 1 == end || close[1] != '`')) {
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
        p_ = ident_end(p_);
      } else if (p_ < end_ && (*p_ == '\'' || *p_ == '"' || *p_ == '`')) {
        t.kind = TokenKind::kUserVar;
        quoted(*p_, *p_ != '`' && !mode_.no_backslash_escapes);
      } else {
        t.kind = TokenKind::kUserVar;
        while (p_ < end_) {
          const char* const e = ident_end(p_);
          if (e == p_ && *p_ != '.') break;
          p_ = e == p_ ? p_ + 1 : e;
        }
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
