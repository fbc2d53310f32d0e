#pragma once
// The oracle's MariaDB: runs a statement inside START TRANSACTION READ ONLY in a given quoting
// mode and client charset, and tells whether it wrote: ERR 1792 (or a read-only refusal) from
// any of its statements, a move of the binary log position, a change in the scratch data or its
// tables and routines, a temporary table it left behind.
#include <mysql.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mysqlproxy::oracle {

struct RunMode {
  std::string sql_mode;  // "", "ANSI_QUOTES", "NO_BACKSLASH_ESCAPES" or both
  std::string charset;   // "utf8mb4", "gbk", ...
  [[nodiscard]] std::string describe() const;
};

class ScratchServer {
 public:
  ScratchServer(std::string socket, std::string admin_user);
  ~ScratchServer();
  ScratchServer(const ScratchServer&) = delete;
  ScratchServer& operator=(const ScratchServer&) = delete;

  // Creates the scratch schema and the account statements run as. Empty on success.
  [[nodiscard]] std::string setup();

  // Runs `sql` read-only in `mode`. What shows that it wrote, or nothing. The scratch data is
  // put back when it changed.
  [[nodiscard]] std::optional<std::string> run_read_only(const RunMode& mode, std::string_view sql);

  // Errors of the oracle itself (a connection that can't be made, a state query that fails).
  [[nodiscard]] const std::string& trouble() const { return trouble_; }

 private:
  MYSQL* connect(const std::string& user, const std::string& password);
  MYSQL* runner(const RunMode& mode);
  void drop_runner(const RunMode& mode);
  [[nodiscard]] std::optional<std::string> state();
  bool restore();  // false (trouble_ says why) when it could not

  std::string socket_;
  std::string admin_user_;
  MYSQL* admin_ = nullptr;
  std::map<std::string, MYSQL*> runners_;  // by RunMode::describe()
  std::string state_;                      // the scratch data as it must stay
  std::string trouble_;
};

// Runs every statement of `sql` on `conn`, reading all results; the first error's code, or 0.
// `error_text` gets its message.
unsigned run_all(MYSQL* conn, std::string_view sql, std::string* error_text = nullptr);

}  // namespace mysqlproxy::oracle
