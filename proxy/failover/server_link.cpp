#include "proxy/failover/server_link.hpp"

#include <charconv>

namespace mysqlproxy::proxy {

std::optional<std::string> ServerLink::connect(const config::Config& cfg, std::chrono::milliseconds timeout) {
  ensure_mysql_library();
  return conn_.connect(monitor_settings(cfg, backend_.name, backend_.host, backend_.port, timeout));
}

ServerFlavor ServerLink::flavor() const noexcept {
  return conn_.is_mariadb() ? ServerFlavor::kMariaDb : ServerFlavor::kMySql;
}

std::optional<std::string> ServerLink::scalar(const std::string& sql, std::string& out) {
  auto outcome = conn_.query(sql);
  if (!outcome.result) return sql + ": " + outcome.error.message;
  if (outcome.result->rows.empty() || outcome.result->rows[0].empty()) return sql + ": no row";
  out = outcome.result->rows[0][0].value_or("NULL");
  return std::nullopt;
}

bool ServerLink::take_lock() {
  std::string got;
  return !scalar(take_lock_sql(), got) && got == "1";
}

std::optional<std::string> ServerLink::read(ServerFacts& out) {
  const std::string position = server_position_sql(flavor());
  auto vars = conn_.query(position);
  if (!vars.result) return position + ": " + vars.error.message;
  if (vars.result->rows.empty() || vars.result->rows[0].size() < 4) return position + ": no row";
  const RowValues& row = vars.result->rows[0];
  out.read_only = row[0].value_or("1") != "0";
  out.binlog_history = row[1].value_or("");
  out.applied = row[2].value_or("");
  const std::string id = row[3].value_or("0");
  out.server_id = 0;
  std::from_chars(id.data(), id.data() + id.size(), out.server_id);

  const std::string status_sql = replica_status_sql(flavor());
  auto status = conn_.query(status_sql);
  if (!status.result) return status_sql + ": " + status.error.message;
  out.replica.reset();
  if (!status.result->rows.empty()) {
    out.replica = parse_replica_status(status.result->columns, status.result->rows.front());
  }
  return std::nullopt;
}

std::optional<std::string> ServerLink::run(const std::vector<std::string>& statements) {
  for (const std::string& sql : statements) {
    auto outcome = conn_.query(sql);
    if (!outcome.result) return sql + ": " + outcome.error.message;
  }
  return std::nullopt;
}

}  // namespace mysqlproxy::proxy
