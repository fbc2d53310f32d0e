#include "proxy/health/replica_status.hpp"

#include <charconv>
#include <string_view>

namespace mysqlproxy::proxy {
namespace {

// The value of the first of `names` present in the row; nullopt for NULL, a missing column or a
// short row.
std::optional<std::string_view> column(std::span<const std::string> columns,
                                       std::span<const std::optional<std::string>> row,
                                       std::initializer_list<std::string_view> names,
                                       bool* present = nullptr) {
  for (std::string_view name : names) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] != name) continue;
      if (present != nullptr) *present = i < row.size();
      if (i >= row.size() || !row[i]) return std::nullopt;
      return std::string_view(*row[i]);
    }
  }
  if (present != nullptr) *present = false;
  return std::nullopt;
}

std::optional<double> parse_seconds(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return static_cast<double>(value);
}

bool to_number(std::string_view text, std::uint32_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string with_error(std::string what, std::optional<std::string_view> error) {
  if (error && !error->empty()) {
    what += ": ";
    what += *error;
  }
  return what;
}

}  // namespace

ReplicaStatus parse_replica_status(std::span<const std::string> columns,
                                   std::span<const std::optional<std::string>> row) {
  ReplicaStatus status;
  bool has_io = false;
  bool has_sql = false;
  auto io = column(columns, row, {"Replica_IO_Running", "Slave_IO_Running"}, &has_io);
  auto sql = column(columns, row, {"Replica_SQL_Running", "Slave_SQL_Running"}, &has_sql);
  auto behind = column(columns, row, {"Seconds_Behind_Source", "Seconds_Behind_Master"});
  status.io_running = io == "Yes";
  status.sql_running = sql == "Yes";
  if (behind) status.seconds_behind = parse_seconds(*behind);
  status.source_host = column(columns, row, {"Source_Host", "Master_Host"}).value_or("");
  std::uint32_t number = 0;
  if (auto port = column(columns, row, {"Source_Port", "Master_Port"}); port && to_number(*port, number) && number < 65536) {
    status.source_port = static_cast<std::uint16_t>(number);
  }
  if (auto id = column(columns, row, {"Source_Server_Id", "Master_Server_Id"}); id && to_number(*id, number)) {
    status.source_server_id = number;
  }
  status.received_gtid = column(columns, row, {"Gtid_IO_Pos", "Retrieved_Gtid_Set"}).value_or("");

  if (!has_io || !has_sql) {
    status.broken = true;
    status.problem = "replica status has no IO/SQL thread columns";
    return status;
  }
  auto sql_error = column(columns, row, {"Last_SQL_Error"});
  auto io_error = column(columns, row, {"Last_IO_Error"});
  if (!status.io_running && !status.sql_running) {
    status.broken = true;
    status.problem = with_error("replication stopped (IO and SQL threads)",
                                sql_error && !sql_error->empty() ? sql_error : io_error);
  } else if (!status.sql_running) {
    status.broken = true;
    status.problem = with_error("SQL thread stopped", sql_error);
  } else if (!status.io_running) {
    // "Connecting" is the usual form: the source is down or refuses the replication user.
    status.broken = true;
    status.waits_for_source = true;
    std::string state(io.value_or("NULL"));
    status.problem =
        with_error(state == "No" ? "IO thread stopped" : "IO thread " + state, io_error);
  } else if (!status.seconds_behind) {
    status.broken = true;
    status.problem = "replication lag unknown (Seconds_Behind_Master/Source is NULL)";
  }
  return status;
}

ReplicaStatus merge_replica_status(std::span<const ReplicaStatus> rows) {
  ReplicaStatus worst = rows.front();
  bool other_problem = worst.broken && !worst.waits_for_source;
  for (const ReplicaStatus& row : rows.subspan(1)) {
    other_problem = other_problem || (row.broken && !row.waits_for_source);
    worst.io_running = worst.io_running && row.io_running;
    worst.sql_running = worst.sql_running && row.sql_running;
    if (row.seconds_behind &&
        (!worst.seconds_behind || *row.seconds_behind > *worst.seconds_behind)) {
      worst.seconds_behind = row.seconds_behind;
    }
    if (row.broken && !worst.broken) {
      worst.broken = true;
      worst.problem = row.problem;
    }
  }
  // Every channel that is broken only waits for its source.
  worst.waits_for_source = worst.broken && !other_problem;
  return worst;
}

}  // namespace mysqlproxy::proxy
