#include "proxy/health/heartbeat.hpp"

#include <charconv>

namespace mysqlproxy::proxy {

std::string heartbeat_create_sql(std::string_view table) {
  return "CREATE TABLE IF NOT EXISTS " + std::string(table) +
         " (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL)";
}

std::string heartbeat_write_sql(std::string_view table) {
  return "REPLACE INTO " + std::string(table) + " (id, ts) VALUES (1, NOW(6))";
}

std::string heartbeat_read_sql(std::string_view table) {
  return "SELECT TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) FROM " + std::string(table) +
         " WHERE id = 1";
}

std::optional<double> heartbeat_lag_from(const std::optional<std::string>& microseconds) {
  if (!microseconds) return std::nullopt;
  long long us = 0;
  const char* begin = microseconds->data();
  const char* end = begin + microseconds->size();
  auto [ptr, ec] = std::from_chars(begin, end, us);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return us <= 0 ? 0.0 : static_cast<double>(us) / 1e6;
}

std::optional<std::string> write_heartbeat(MonitorConnection& connection, std::string_view table,
                                           bool& table_ready) {
  if (!table_ready) {
    auto created = connection.query(heartbeat_create_sql(table));
    if (!created.result) return "creating " + std::string(table) + ": " + created.error.message;
    table_ready = true;
  }
  auto written = connection.query(heartbeat_write_sql(table));
  if (!written.result) {
    table_ready = false;  // dropped behind our back? create it again next time
    return "writing " + std::string(table) + ": " + written.error.message;
  }
  return std::nullopt;
}

std::optional<double> read_heartbeat_lag(MonitorConnection& connection, std::string_view table) {
  auto read = connection.query(heartbeat_read_sql(table));
  if (!read.result || read.result->rows.empty() || read.result->rows.front().empty()) {
    return std::nullopt;
  }
  return heartbeat_lag_from(read.result->rows.front().front());
}

}  // namespace mysqlproxy::proxy
