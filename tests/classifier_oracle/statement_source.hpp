#pragma once
// Statements for the classifier oracle: ones taken from MariaDB's own test suites, and ones
// generated to hide a write behind the lexical constructs servers may read differently (quotes
// and their escapes, versioned and line comments, two-byte characters), alone or spliced into
// the suites' statements. Deterministic for a seed.
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlproxy::oracle {

// The SQL statements of mysqltest files (*.test under `dirs`, files taken in an order fixed by
// `seed`) until `max_statements`: mysqltest's own commands, statements using its variables and
// very long ones are left out.
[[nodiscard]] std::vector<std::string> load_test_suite_statements(const std::vector<std::filesystem::path>& dirs,
                                                                  std::size_t max_statements, std::uint64_t seed);

// Splits the text of one mysqltest file into the SQL statements it sends (exposed for tests).
[[nodiscard]] std::vector<std::string> mysqltest_statements(std::string_view file_text);

class StatementSource {
 public:
  StatementSource(std::uint64_t seed, std::vector<std::string> corpus);

  // The next statement to try.
  [[nodiscard]] std::string next();

 private:
  [[nodiscard]] std::string disguised_write();
  [[nodiscard]] std::string mutated_corpus_statement();
  [[nodiscard]] std::string random_pieces();

  [[nodiscard]] std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  [[nodiscard]] bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }

  [[nodiscard]] std::string version_digits();
  [[nodiscard]] std::string versioned_opener();
  [[nodiscard]] std::string line_comment_opener();
  [[nodiscard]] std::string high_byte();
  [[nodiscard]] std::string junk(char quote);
  [[nodiscard]] std::string payload();

  std::mt19937_64 rng_;
  std::vector<std::string> corpus_;
};

}  // namespace mysqlproxy::oracle
