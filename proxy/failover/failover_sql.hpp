#pragma once
// The statements a failover, a switchover and fencing send, for MariaDB and for MySQL 8. Pure:
// tests/proxy/failover_sql_test.cpp holds every text, so the MySQL 8 forms are checked although
// no MySQL 8 server runs here. The wait for a GTID position is gtid_wait.hpp's.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/routing/gtid_wait.hpp"

namespace mysqlproxy::proxy {

// The named lock a proxy must hold on a majority of the servers to act (agreement.hpp).
inline constexpr std::string_view kFailoverLockName = "mysql_proxy.failover";

// A string literal: quoted, with backslash and quote escaped (works in both quoting modes'
// default, NO_BACKSLASH_ESCAPES off; the texts put in are host names and GTID sets).
[[nodiscard]] std::string sql_literal(std::string_view text);

[[nodiscard]] std::string take_lock_sql();  // 1 = taken, 0 = held by another connection
[[nodiscard]] std::string replica_status_sql(ServerFlavor f);
// One row: read_only, the binlog history (MariaDB @@gtid_binlog_state, MySQL @@gtid_executed),
// the applied position (@@gtid_current_pos / @@gtid_executed), @@server_id.
[[nodiscard]] std::string server_position_sql(ServerFlavor f);
// Stops replication, forgets the source, and opens the server for writes.
[[nodiscard]] std::vector<std::string> promote_sql(ServerFlavor f);
// Starts replication again as it was configured (a promotion that failed half-way).
[[nodiscard]] std::vector<std::string> replicate_again_sql(ServerFlavor f);
// Makes the server replicate from host:port by GTID, as `user` (failover.replication_user) or,
// when that is empty, with the replication account it has.
struct ReplicationAccount {
  std::string_view user;
  std::string_view password;
};
[[nodiscard]] std::vector<std::string> replicate_from_sql(ServerFlavor f, std::string_view host, std::uint16_t port,
                                                          ReplicationAccount account = {});
// Closes the server for writes (super_read_only on MySQL, so accounts with SUPER are held too).
[[nodiscard]] std::vector<std::string> fence_sql(ServerFlavor f);

}  // namespace mysqlproxy::proxy
