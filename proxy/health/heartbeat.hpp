#pragma once
// Heartbeat: sub-second replication lag from a row the monitor of the primary rewrites every
// interval with the primary's NOW(6); each replica's check compares its copy of the row with its
// own NOW(6). Both timestamps are server-side, so the proxy's clock does not matter (the servers'
// clocks must agree). A replica with MASTER_DELAY applies the row late, and the measured lag
// includes the delay: that is what reads there see. The value overstates the lag by up to one
// interval (the row is only rewritten every interval).
#include <optional>
#include <string>
#include <string_view>

#include "proxy/health/monitor_connection.hpp"

namespace mysqlproxy::proxy {

// The SQL, pure. `table` is checked by the config loader (config::is_plain_table_name).
std::string heartbeat_create_sql(std::string_view table);
std::string heartbeat_write_sql(std::string_view table);
std::string heartbeat_read_sql(std::string_view table);

// TIMESTAMPDIFF(MICROSECOND, ...) text -> seconds; negative (clock skew) reads as 0; NULL or
// garbage as nullopt.
std::optional<double> heartbeat_lag_from(const std::optional<std::string>& microseconds);

// On the primary: creates the table once per connection, then rewrites the row. Returns an
// error message, or nullopt.
std::optional<std::string> write_heartbeat(MonitorConnection& connection, std::string_view table,
                                           bool& table_ready);

// On a replica: the heartbeat lag, or nullopt when there is none to be had (no table yet, no
// row, NULL); the caller then falls back to Seconds_Behind_Master. A lost connection is reported
// through connection.connected().
std::optional<double> read_heartbeat_lag(MonitorConnection& connection, std::string_view table);

}  // namespace mysqlproxy::proxy
