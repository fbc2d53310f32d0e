#pragma once
// Recorded test data in testdata/ next to the calling test's source file: testdata_text() reads a
// file as it is, testdata_vertical() reads a result set written the way `mysql -e '...\G'` prints
// it (hex.hpp's testdata_hex() reads wire captures through testdata_text()).
//
// The vertical format, one file per recorded answer:
//   # SHOW REPLICA STATUS on a MariaDB 10.11 replica, caught up.
//   *************************** 1. row ***************************
//     Slave_IO_Running: Yes
//        Last_IO_Error:
//   Seconds_Behind_Master: NULL
// Each "N. row" line starts a row; each other line is `Column: value`, the column name (letters,
// digits, '_') optionally indented, the value everything after ": " up to the end of the line,
// verbatim. An empty value may be written "Column:" or "Column: ". "NULL" is SQL NULL, as the mysql
// client prints it. Lines starting with '#' (after optional blanks) and blank lines are ignored.
// Every row must have the same columns in the same order. Anything else throws: a line that is
// neither (e.g. a value wrapped onto a second line), a field before the first row, no rows.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <optional>
#include <source_location>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlproxy::test {

inline std::filesystem::path testdata_path(std::string_view name,
                                           std::source_location where = std::source_location::current()) {
  return std::filesystem::path(where.file_name()).parent_path() / "testdata" / name;
}

// The whole of testdata/<name>; throws std::runtime_error if it can't be read.
inline std::string testdata_text(std::string_view name, std::source_location where = std::source_location::current()) {
  const std::filesystem::path path = testdata_path(name, where);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A result set: column names and rows of values, nullopt for SQL NULL.
struct VerticalResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// Parses the vertical format above; `source` names the text in error messages.
inline VerticalResult parse_vertical(std::string_view text, std::string_view source = "vertical text") {
  auto fail = [&](std::size_t line_no, const std::string& what) {
    throw std::runtime_error(std::string(source) + ":" + std::to_string(line_no) + ": " + what);
  };
  auto is_name_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  };
  VerticalResult result;
  std::vector<std::string> row_columns;  // the current row's columns, checked against the first's
  auto finish_row = [&](std::size_t line_no) {
    if (result.rows.empty()) return;
    if (result.rows.size() == 1) {
      result.columns = row_columns;
    } else if (row_columns != result.columns) {
      fail(line_no, "row " + std::to_string(result.rows.size()) + " has other columns than row 1");
    }
    if (result.rows.back().empty()) fail(line_no, "row " + std::to_string(result.rows.size()) + " is empty");
  };
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#') continue;
    line.remove_prefix(start);
    if (line.starts_with("***")) {
      if (!line.ends_with("***") || line.find(". row ") == std::string_view::npos) fail(line_no, "bad row line");
      finish_row(line_no);
      result.rows.emplace_back();
      row_columns.clear();
      continue;
    }
    std::size_t name_end = 0;
    while (name_end < line.size() && is_name_char(line[name_end])) ++name_end;
    if (name_end == 0 || name_end == line.size() || line[name_end] != ':' ||
        (name_end + 1 < line.size() && line[name_end + 1] != ' ')) {
      fail(line_no, "expected `Column: value`, got `" + std::string(line) + "`");
    }
    if (result.rows.empty()) fail(line_no, "a field before the first \"1. row\" line");
    row_columns.emplace_back(line.substr(0, name_end));
    const std::string_view value = line.substr(std::min(name_end + 2, line.size()));
    if (value == "NULL") {
      result.rows.back().emplace_back(std::nullopt);
    } else {
      result.rows.back().emplace_back(std::string(value));
    }
  }
  if (result.rows.empty()) fail(line_no, "no rows");
  finish_row(line_no);
  return result;
}

// testdata/<name> through parse_vertical().
inline VerticalResult testdata_vertical(std::string_view name,
                                        std::source_location where = std::source_location::current()) {
  return parse_vertical(testdata_text(name, where), testdata_path(name, where).string());
}

}  // namespace mysqlproxy::test
