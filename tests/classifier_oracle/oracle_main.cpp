// classifier_oracle: the server as the oracle of the SQL classifier. Statements from MariaDB's
// test suites and generated ones go through classify_sql() as the proxy calls it; every one it
// calls a replica-safe read runs on a scratch MariaDB inside START TRANSACTION READ ONLY, in
// every quoting mode (and, for text with non-ASCII bytes, in every client charset whose two-byte
// characters can end in ASCII). A statement that writes there is a classifier bug: it is printed
// with the mode, and the exit status is 1.
//
//   classifier_oracle --socket PATH [--admin-user NAME] [--seconds N] [--seed N]
//                     [--corpus DIR]... [--corpus-max N] [--report-limit N]
//
// scripts/classifier-oracle.sh starts the scratch server and runs this.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "proxy/routing/sql_classifier.hpp"
#include "scratch_server.hpp"
#include "statement_source.hpp"

namespace {

using mysqlproxy::oracle::RunMode;
using mysqlproxy::proxy::classify_sql;
using mysqlproxy::proxy::StatementClass;

struct Options {
  std::string socket;
  std::string admin_user = "root";
  double seconds = 20;
  std::uint64_t seed = 1;
  std::vector<std::filesystem::path> corpus_dirs;
  std::size_t corpus_max = 20000;
  std::size_t report_limit = 40;
};

[[noreturn]] void usage(const char* why) {
  std::cerr << "classifier_oracle: " << why
            << "\nusage: classifier_oracle --socket PATH [--admin-user NAME] [--seconds N] [--seed N] [--corpus DIR]..."
               " [--corpus-max N] [--report-limit N]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    const std::string v = argv[++i];
    if (a == "--socket") {
      o.socket = v;
    } else if (a == "--admin-user") {
      o.admin_user = v;
    } else if (a == "--seconds") {
      o.seconds = std::stod(v);
    } else if (a == "--seed") {
      o.seed = std::stoull(v);
    } else if (a == "--corpus") {
      o.corpus_dirs.emplace_back(v);
    } else if (a == "--corpus-max") {
      o.corpus_max = std::stoull(v);
    } else if (a == "--report-limit") {
      o.report_limit = std::stoull(v);
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  if (o.socket.empty()) usage("--socket is required");
  return o;
}

// The statement as a C string literal would write it: every byte visible.
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u >= 0x7F) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

bool has_high_byte(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

std::vector<RunMode> modes_for(std::string_view sql) {
  static const char* const kQuoting[] = {"", "ANSI_QUOTES", "NO_BACKSLASH_ESCAPES", "ANSI_QUOTES,NO_BACKSLASH_ESCAPES"};
  std::vector<std::string> charsets{"utf8mb4"};
  if (has_high_byte(sql)) charsets.insert(charsets.end(), {"gbk", "big5", "sjis", "cp932"});
  std::vector<RunMode> modes;
  for (const auto& cs : charsets) {
    for (const char* q : kQuoting) modes.push_back({q, cs});
  }
  return modes;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  mysqlproxy::oracle::ScratchServer server(opt.socket, opt.admin_user);
  if (const std::string error = server.setup(); !error.empty()) {
    std::cerr << "classifier_oracle: " << error << "\n";
    return 2;
  }
  // The oracle must see a write for what it is, and a read as none, in every mode.
  for (const auto& mode : modes_for("\xc3")) {
    if (!server.run_read_only(mode, "SELECT 1; DELETE FROM o.t")) {
      std::cerr << "classifier_oracle: self-check failed: a DELETE went unnoticed (" << mode.describe() << ") "
                << server.trouble() << "\n";
      return 2;
    }
    if (const auto wrote = server.run_read_only(mode, "SELECT * FROM o.t")) {
      std::cerr << "classifier_oracle: self-check failed: a SELECT counted as a write: " << *wrote << "\n";
      return 2;
    }
  }

  auto corpus = mysqlproxy::oracle::load_test_suite_statements(opt.corpus_dirs, opt.corpus_max, opt.seed);
  const std::size_t corpus_size = corpus.size();
  mysqlproxy::oracle::StatementSource source(opt.seed, std::move(corpus));

  std::size_t tried = 0;
  std::size_t replica_safe = 0;
  std::size_t runs = 0;
  std::size_t bugs = 0;
  std::set<std::string> seen;  // statements already run (the corpus repeats)
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(opt.seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string sql = source.next();
    ++tried;
    const auto traits = classify_sql(sql);
    if (traits.statement_class != StatementClass::kRead || !traits.replica_safe) continue;
    if (!seen.insert(sql).second) continue;
    ++replica_safe;
    std::string found;
    for (const auto& mode : modes_for(sql)) {
      ++runs;
      if (const auto wrote = server.run_read_only(mode, sql)) found += "\n    " + mode.describe() + ": " + *wrote;
    }
    if (found.empty()) continue;
    if (++bugs <= opt.report_limit) {
      std::cout << "BUG: the classifier calls this a replica-safe read, and it writes:\n  " << printable(sql) << found
                << "\n";
    }
  }
  std::cout << "classifier_oracle: " << tried << " statements (" << corpus_size << " from the test suites), "
            << replica_safe << " replica-safe reads run " << runs << " times read-only, " << bugs << " bugs";
  if (bugs > opt.report_limit) std::cout << " (the first " << opt.report_limit << " shown)";
  std::cout << "\n";
  if (!server.trouble().empty()) std::cout << "classifier_oracle: last trouble: " << server.trouble() << "\n";
  return bugs == 0 ? 0 : 1;
}
