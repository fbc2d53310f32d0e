#include "statement_source.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "scratch_schema.hpp"

namespace mysqlproxy::oracle {
namespace {

// mysqltest's own commands: a statement starting with one of these is not SQL.
const std::unordered_set<std::string>& mysqltest_commands() {
  static const std::unordered_set<std::string> commands{
      "append_file", "cat_file", "change_user", "character_set", "chmod", "connect", "connection",
      "copy_file", "copy_files_wildcard", "dec", "delimiter", "die", "diff_files", "dirty_close",
      "disable_abort_on_error", "disconnect", "echo", "enable_abort_on_error", "end", "end_timer",
      "error", "eval", "exec", "exec_in_background", "exit", "file_exists", "horizontal_results", "if",
      "inc", "let", "list_files", "list_files_append_file", "list_files_write_file", "lowercase_result",
      "mkdir", "move_file", "output", "perl", "ping", "query", "query_attributes", "query_get_value",
      "query_horizontal", "query_vertical", "real_sleep", "reap", "remove_file", "remove_files_wildcard",
      "replace_column", "replace_numeric_round", "replace_regex", "replace_result", "require", "reset_connection",
      "result", "result_format", "rmdir", "save_master_pos", "send", "send_eval", "send_quit", "send_shutdown",
      "shutdown_server", "skip", "sleep", "sorted_result", "source", "start_timer", "sync_slave_with_master",
      "sync_with_master", "system", "vertical_results", "wait_for_slave_to_stop", "while", "write_file",
      "write_line"};
  return commands;
}

std::string first_word(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  std::string w;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) {
    w += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    ++i;
  }
  return w;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

constexpr std::size_t kMaxStatementSize = 4096;

}  // namespace

std::vector<std::string> mysqltest_statements(std::string_view text) {
  std::vector<std::string> out;
  std::string delimiter = ";";
  std::string current;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    const std::string_view bare = trim(line);
    if (current.empty()) {
      // Between statements: mysqltest comments, "--command" lines, blocks of if/while.
      if (bare.empty() || bare.front() == '#' || bare.starts_with("--") || bare == "{" || bare == "}") continue;
      if (first_word(bare) == "delimiter") {
        std::string_view rest = trim(bare.substr(9));
        if (rest.size() > delimiter.size() && rest.ends_with(delimiter)) rest.remove_suffix(delimiter.size());
        if (!rest.empty()) delimiter = std::string(trim(rest));
        continue;
      }
    }
    current.append(line);
    if (!trim(current).ends_with(delimiter)) {
      current += '\n';
      if (current.size() > 4 * kMaxStatementSize) current.clear();  // never ends: give it up
      continue;
    }
    std::string_view statement = trim(current);
    statement.remove_suffix(delimiter.size());
    statement = trim(statement);
    const std::string word = first_word(statement);
    const bool is_sql = !statement.empty() && statement.size() <= kMaxStatementSize &&
                        !mysqltest_commands().contains(word) && statement.find('$') == std::string_view::npos &&
                        statement.front() != '}';
    if (is_sql) out.emplace_back(statement);
    current.clear();
  }
  return out;
}

std::vector<std::string> load_test_suite_statements(const std::vector<std::filesystem::path>& dirs,
                                                    std::size_t max_statements, std::uint64_t seed) {
  std::vector<std::filesystem::path> files;
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".test") files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  std::mt19937_64 rng(seed);
  std::shuffle(files.begin(), files.end(), rng);
  std::vector<std::string> out;
  for (const auto& file : files) {
    if (out.size() >= max_statements) break;
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    for (auto& s : mysqltest_statements(text.str())) {
      if (out.size() >= max_statements) break;
      out.push_back(std::move(s));
    }
  }
  return out;
}

StatementSource::StatementSource(std::uint64_t seed, std::vector<std::string> corpus)
    : rng_(seed), corpus_(std::move(corpus)) {}

std::string StatementSource::next() {
  const std::size_t roll = below(100);
  if (!corpus_.empty() && roll < 20) return corpus_[below(corpus_.size())];
  if (!corpus_.empty() && roll < 45) return mutated_corpus_statement();
  if (roll < 55) return random_pieces();
  return disguised_write();
}

// A version as servers read it after /*! or /*M!: none, too few digits, versions every server
// runs or none does, MySQL 5.7-9 ones MariaDB ignores, MariaDB ones, random ones, extra digits.
std::string StatementSource::version_digits() {
  static const char* const kVersions[] = {"",      "1",      "12",     "123",    "1234",   "00000",
                                          "40101", "50001",  "50700",  "80000",  "80400",  "99999",
                                          "100000", "100100", "101100", "110000", "999999", "1000000"};
  if (chance(75)) return kVersions[below(std::size(kVersions))];
  std::string digits(5 + below(3), '0');
  for (char& c : digits) c = static_cast<char>('0' + below(10));
  return digits;
}

std::string StatementSource::versioned_opener() {
  return std::string(chance(50) ? "/*!" : "/*M!") + version_digits() + (chance(80) ? " " : "");
}

// "--" and what follows it: a blank, a control byte, DEL, or a character that makes it no comment.
std::string StatementSource::line_comment_opener() {
  static const char kAfter[] = {' ', '\t', '\x01', '\x0b', '\x1f', '\x7f', 'x', '-', '\r'};
  if (chance(20)) return "#";
  return std::string("--") + pick(kAfter);
}

// A lead byte of gbk, big5 or sjis (or a UTF-8 one).
std::string StatementSource::high_byte() {
  static const unsigned char kBytes[] = {0x81, 0x95, 0x9f, 0xa1, 0xbf, 0xc3, 0xe0, 0xe5, 0xf9, 0xfe};
  return std::string(1, static_cast<char>(pick(kBytes)));
}

// Bytes inside a quoted text that quoting modes and charsets read differently: escapes, doubled
// and other quotes, and two-byte characters whose second byte is a backslash or the quote.
std::string StatementSource::junk(char quote) {
  static const char* const kOthers[] = {"'", "\"", "`"};
  const std::string q(1, quote);
  switch (below(12)) {
    case 0:
      return "\\";
    case 1:
      return "\\" + q;
    case 2:
      return q + q;
    case 3:
      return high_byte() + "\\";
    case 4:
      return high_byte() + q;
    case 5:
      return "\\\\";
    case 6:
      return q;
    case 7:
      return pick(kOthers);
    case 8:
      return "*/";
    case 9:
      return "\n";
    case 10:
      return high_byte() + "`";
    default:
      return "x";
  }
}

std::string StatementSource::payload() {
  static const char* const kWrites[] = {
      "DELETE FROM o.t",
      "UPDATE o.t SET a = a + 100",
      "INSERT INTO o.t2 VALUES (7)",
      "DROP TABLE IF EXISTS o.nosuch",
      "DO o.f_write()",
      "SELECT o.f_write()",
      "SELECT o .concat(1)",
  };
  if (chance(10)) return "CREATE TEMPORARY TABLE " + std::string(kTempProbe) + " (a INT)";
  return pick(kWrites);
}

// A read, then a construct that may hide `; write ;` from one reading and not from another,
// then what would close it again.
std::string StatementSource::disguised_write() {
  static const char* const kReads[] = {"SELECT 1", "SELECT 1 ", "SELECT 1;", "", "SELECT * FROM o.t WHERE a = 1",
                                       "(SELECT 1)", "SELECT", "SELECT 1,"};
  static const char* const kQuotes[] = {"'", "\"", "`"};
  std::string s = pick(kReads);
  s += ' ';
  const char quote = pick(kQuotes)[0];
  const std::string q(1, quote);
  std::string opener;
  std::string closer;
  switch (below(5)) {
    case 0:  // a quoted text
      opener = q;
      closer = " -- " + q;
      break;
    case 1:  // a versioned comment around code
      opener = versioned_opener();
      closer = chance(50) ? " */" : "";
      if (chance(50)) {
        opener += chance(50) ? "SELECT" : q;
        opener += chance(50) ? " */" : "";
        closer = chance(50) ? " -- " + q + " */" : " */";
      }
      break;
    case 2:  // a line comment
      opener = line_comment_opener() + (chance(70) ? " " + q : "") + "\n";
      closer = " -- " + q;
      break;
    case 3:  // a block comment, perhaps nested
      opener = chance(50) ? "/* /*" : "/*";
      closer = chance(50) ? "*/ */" : "*/";
      break;
    default:  // a quoted text in a versioned comment
      opener = versioned_opener() + q;
      closer = " -- " + q + " */";
      break;
  }
  s += opener;
  for (std::size_t i = below(3); i > 0; --i) s += junk(quote);
  s += chance(85) ? " ; " : " ";
  s += payload();
  s += chance(70) ? " ;" : " ";
  if (chance(85)) s += closer;
  return s;
}

// Lexically significant pieces in random order around a write.
std::string StatementSource::random_pieces() {
  static const char* const kPieces[] = {"SELECT", "SELECT 1", "'", "\"", "`", "\\", "\\'", "/*", "*/", "/*!", "/*M!",
                                        "--", "-- ", "#", "\n", ";", ",", "1", "x", "(", ")", " "};
  std::string s;
  const std::size_t before = 1 + below(6);
  for (std::size_t i = 0; i < before; ++i) {
    const std::size_t k = below(std::size(kPieces) + 4);
    if (k == std::size(kPieces)) {
      s += versioned_opener();
    } else if (k == std::size(kPieces) + 1) {
      s += line_comment_opener();
    } else if (k == std::size(kPieces) + 2) {
      s += high_byte();
    } else if (k == std::size(kPieces) + 3) {
      s += ' ';
    } else {
      s += kPieces[k];
    }
    if (chance(50)) s += ' ';
  }
  s += payload();
  for (std::size_t i = below(4); i > 0; --i) s += pick(kPieces);
  return s;
}

// A statement of the suites with a disguised write spliced in at a random place, or with a few
// of its quotes, backslashes and comment markers changed.
std::string StatementSource::mutated_corpus_statement() {
  std::string s = corpus_[below(corpus_.size())];
  if (s.empty()) return disguised_write();
  if (chance(60)) {
    const std::string inserted = disguised_write();
    const std::size_t at = chance(30) ? s.size() : below(s.size() + 1);
    s.insert(at, " " + inserted + " ");
    return s;
  }
  static const char* const kSwaps[] = {"'", "\"", "`", "\\", "/*!", "*/", "-- ", "--\x7f", "#", "\n", ";"};
  for (std::size_t n = 1 + below(3); n > 0; --n) {
    const std::size_t at = below(s.size());
    if (chance(50)) {
      s.insert(at, pick(kSwaps));
    } else {
      s[at] = pick(kSwaps)[0];
    }
  }
  if (chance(50)) s += std::string(" ; ") + payload();
  return s;
}

}  // namespace mysqlproxy::oracle
