#include "proxy/health/backend_probe.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "config/scalars.hpp"
#include "proxy/health/heartbeat.hpp"
#include "proxy/health/replica_status.hpp"
#include "proxy/health/state_machine.hpp"

namespace mysqlproxy::proxy {
namespace {

constexpr unsigned kParseError = 1064;  // ER_PARSE_ERROR

std::string failed(std::string_view what, const QueryError& error) {
  return fmt::format("{}: {}", what, error.message);
}

}  // namespace

std::optional<std::string> BackendProbe::ensure_connected(const ConnectionSettings& settings) {
  if (connection_.connected() && connection_.settings() == settings) return std::nullopt;
  innodb_read_only_ = false;
  use_slave_syntax_ = false;
  heartbeat_table_ready_ = false;
  if (auto error = connection_.connect(settings)) return "connect: " + *error;
  // Missing on some servers (an unknown variable is error 1193): then it is simply off.
  auto innodb = connection_.query("SELECT @@global.innodb_read_only");
  if (innodb.result) {
    const auto& rows = innodb.result->rows;
    innodb_read_only_ = !rows.empty() && !rows[0].empty() && rows[0][0] == "1";
  } else if (innodb.error.connection_lost()) {
    return failed("SELECT @@innodb_read_only", innodb.error);
  }
  return std::nullopt;
}

std::optional<std::string> BackendProbe::read_variables(CheckResult& result) {
  const bool mariadb = connection_.is_mariadb();
  const char* sql = mariadb ? "SELECT @@global.read_only, @@global.gtid_current_pos"
                            : "SELECT @@global.read_only, @@global.gtid_executed";
  auto vars = connection_.query(sql);
  if (!vars.result) return failed(sql, vars.error);
  if (vars.result->rows.empty() || vars.result->rows[0].size() < 2) {
    return fmt::format("{}: no row", sql);
  }
  const RowValues& row = vars.result->rows[0];
  result.read_only = row[0] == "1" || innodb_read_only_;
  result.gtid_position = row[1].value_or("");
  return std::nullopt;
}

std::optional<std::string> BackendProbe::read_replication(CheckResult& result) {
  auto status = connection_.query(use_slave_syntax_ ? "SHOW SLAVE STATUS" : "SHOW REPLICA STATUS");
  if (!status.result && !use_slave_syntax_ && status.error.code == kParseError) {
    use_slave_syntax_ = true;  // MySQL before 8.0.22, MariaDB before 10.5.1
    status = connection_.query("SHOW SLAVE STATUS");
  }
  if (!status.result) return failed("SHOW REPLICA STATUS", status.error);
  const QueryResult& rows = *status.result;
  result.is_replica = !rows.rows.empty();
  if (!result.is_replica) {
    // A read-only server that replicates from nobody is not being updated: its data only gets
    // older (typically an old primary an orchestrator has demoted but not yet re-pointed).
    if (result.read_only) {
      result.replication_broken = true;
      result.replication_problem = "read-only but not replicating (no replica status)";
    }
    return std::nullopt;
  }
  std::vector<ReplicaStatus> parsed;
  for (const RowValues& row : rows.rows) parsed.push_back(parse_replica_status(rows.columns, row));
  ReplicaStatus merged = merge_replica_status(parsed);
  result.lag_seconds = merged.seconds_behind;
  result.replication_broken = merged.broken;
  result.replication_problem = merged.problem;
  result.replication_waits_for_source = merged.waits_for_source;
  return std::nullopt;
}

std::optional<std::string> BackendProbe::run_heartbeat(const ProbeSettings& settings, bool write,
                                                       CheckResult& result) {
  std::string problem;
  if (write && !result.read_only) {
    if (auto error =
            write_heartbeat(connection_, settings.heartbeat_table, heartbeat_table_ready_)) {
      problem = *error;
    }
  } else if (result.is_replica) {
    // Replaces Seconds_Behind_Master when there is a row; an absent row or table falls back.
    if (auto lag = read_heartbeat_lag(connection_, settings.heartbeat_table)) {
      result.lag_seconds = lag;
    }
  }
  if (!connection_.connected()) return "heartbeat: connection lost";
  // Not a reason to fail the check (lag falls back to Seconds_Behind_Master), but worth a
  // warning, once per distinct problem.
  if (problem != last_heartbeat_error_) {
    if (!problem.empty()) {
      spdlog::warn("heartbeat on {}:{}: {}", settings.connection.host, settings.connection.port,
                   problem);
    }
    last_heartbeat_error_ = problem;
  }
  return std::nullopt;
}

CheckResult BackendProbe::check(const ProbeSettings& settings, bool write_heartbeat) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  CheckResult result;
  std::optional<std::string> error = ensure_connected(settings.connection);
  if (!error) error = read_variables(result);
  if (!error) error = read_replication(result);
  if (!error && settings.heartbeat) error = run_heartbeat(settings, write_heartbeat, result);

  result.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  result.finished = std::chrono::system_clock::now();
  result.reachable = !error.has_value();
  // Each call ends by the timeout; the check, several calls, must fit in it as a whole too. A
  // slow answer is no proof of health.
  const std::chrono::milliseconds timeout = settings.connection.timeout;
  result.timed_out = result.duration > timeout;
  std::string took = format_lag(static_cast<double>(result.duration.count()) / 1e6);
  std::string limit = config::format_duration(timeout);
  if (error) {
    result.error = result.timed_out
                       ? fmt::format("timed out after {} (timeout {}): {}", took, limit, *error)
                       : *error;
    // Whatever state the session is in, start afresh next time.
    if (!error->starts_with("connect:")) connection_.close();
  } else if (result.timed_out) {
    result.error = fmt::format("check took {}, over the {} timeout", took, limit);
  }
  if (!settings.keep_connection) connection_.close();
  return result;
}

}  // namespace mysqlproxy::proxy
