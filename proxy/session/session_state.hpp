#pragma once
// SessionState: what a client session has set up that every backend connection it uses must
// carry (schema, replayable SET statements, multi-statement option), its transaction flags, and
// the reasons it is pinned to one connection. Pure: fed the outcome of each command, no I/O.
#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/routing/sql_classifier.hpp"

namespace mysqlproxy::proxy {

enum class PinReason : std::uint8_t {  // also a metric label
  kTransaction,        // an open transaction, or autocommit off
  kLockTables,         // LOCK TABLES until UNLOCK TABLES
  kNamedLock,          // GET_LOCK and family: held by the connection
  kTemporaryTable,     // temporary tables live in the connection
  kSqlPrepare,         // SQL-level PREPARE: the statement lives in the connection
  kUserVariableInQuery,// @v := ... inside a query: a value the proxy can't replay
  kNextTransaction,    // SET TRANSACTION ... applies to the connection's next transaction
  kLastInsertId,       // right after a statement that generated an id, until the next one
  kFoundRows,          // right after SQL_CALC_FOUND_ROWS, until the next statement
  kDiagnostics,        // right after warnings or an error: SHOW WARNINGS must see them
  kCursor,             // a prepared statement's cursor is open on the connection
  kLongData,           // COM_STMT_SEND_LONG_DATA sent, until the execute that uses it
  kConnectionId,       // CONNECTION_ID() was asked: the id must stay the same
  kUnreplayableState,  // session state that can't be replayed elsewhere (multi-statement SET, a full log)
  kCount,
};

[[nodiscard]] std::string_view to_string(PinReason r) noexcept;

// One replayable statement: SET ... or SET NAMES ...; the hash identifies it in a connection's
// record of what it has applied.
struct StateEntry {
  std::uint64_t hash = 0;
  std::string sql;
};

// What a finished command reported.
struct CommandResult {
  bool ok = false;                      // ended without ERR
  std::optional<std::uint16_t> status;  // last status flags, if any packet carried them
  std::uint64_t last_insert_id = 0;     // from the final OK
  std::uint16_t warnings = 0;           // from the final OK/EOF
};

class SessionState {
 public:
  static constexpr std::size_t kMaxReplayLog = 64;

  explicit SessionState(std::string schema = {}, bool multi_statements = false)
      : schema_(std::move(schema)), multi_statements_(multi_statements), initial_multi_statements_(multi_statements) {}

  // ---- what backend connections must carry ----
  [[nodiscard]] const std::string& schema() const noexcept { return schema_; }
  [[nodiscard]] std::span<const StateEntry> replay_log() const noexcept { return log_; }
  [[nodiscard]] std::span<const std::uint64_t> replay_hashes() const noexcept { return hashes_; }
  [[nodiscard]] bool multi_statements() const noexcept { return multi_statements_; }

  // ---- transaction flags and pins ----
  [[nodiscard]] bool in_transaction() const noexcept { return in_transaction_; }
  [[nodiscard]] bool autocommit() const noexcept { return autocommit_; }
  [[nodiscard]] bool pinned() const noexcept { return pins_.any(); }
  [[nodiscard]] bool pinned_for(PinReason r) const noexcept { return pins_.test(static_cast<std::size_t>(r)); }
  [[nodiscard]] std::uint16_t status_flags() const noexcept;
  // Pinned only until the next statement (last insert id, found rows, diagnostics), for a
  // statement that reads the previous one's results.
  [[nodiscard]] bool only_transient_pins() const noexcept;
  void drop_transient_pins() noexcept;
  // Pinned for something that lives in the connection (a transaction, locks, temporary tables...)
  // and dies with it.
  [[nodiscard]] bool holds_lasting_pins() const noexcept;
  // Something the client relies on would die with the connection: an open transaction, locks,
  // temporary tables, a cursor... (autocommit off with no transaction open holds nothing: the
  // setting is replayed on any connection).
  [[nodiscard]] bool holds_connection_state() const noexcept;

  // ---- fed by the session after each command; each returns the pins it newly set ----
  std::bitset<static_cast<std::size_t>(PinReason::kCount)> after_query(const StatementTraits& s, std::string_view sql,
                                                                        const CommandResult& r);
  std::bitset<static_cast<std::size_t>(PinReason::kCount)> after_command(const CommandResult& r);
  void after_init_db(std::string_view schema) { schema_ = std::string(schema); }
  void after_set_option(bool multi_statements) noexcept { multi_statements_ = multi_statements; }
  // Pins the binary protocol sets and clears itself (cursor, long data).
  void pin(PinReason r, bool on) noexcept { set_pin(r, on); }
  // COM_RESET_CONNECTION and COM_CHANGE_USER: back to a fresh session (the schema is kept by
  // reset, and set anew by change user).
  void reset() noexcept;

 private:
  using Pins = std::bitset<static_cast<std::size_t>(PinReason::kCount)>;
  Pins set_pin(PinReason r, bool on) noexcept;
  [[nodiscard]] Pins lasting_pins() const noexcept;
  void apply_status(const CommandResult& r, Pins& added) noexcept;
  void record_state(const StatementTraits& s, std::string_view sql, Pins& added);

  std::string schema_;
  std::vector<StateEntry> log_;
  std::vector<std::uint64_t> hashes_;  // log_'s hashes, contiguous for cheap comparison
  bool multi_statements_ = false;
  bool initial_multi_statements_ = false;  // from the login's capabilities
  bool in_transaction_ = false;
  bool autocommit_ = true;
  Pins pins_;
};

}  // namespace mysqlproxy::proxy
