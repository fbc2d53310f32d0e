#include "proxy/failover/failover_sql.hpp"

namespace mysqlproxy::proxy {

std::string sql_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string take_lock_sql() { return "SELECT GET_LOCK(" + sql_literal(kFailoverLockName) + ", 0)"; }

std::string replica_status_sql(ServerFlavor f) {
  return f == ServerFlavor::kMariaDb ? "SHOW SLAVE STATUS" : "SHOW REPLICA STATUS";
}

std::string server_position_sql(ServerFlavor f) {
  return f == ServerFlavor::kMariaDb
             ? "SELECT @@global.read_only, @@global.gtid_binlog_state, @@global.gtid_current_pos, @@global.server_id"
             : "SELECT @@global.read_only, @@global.gtid_executed, @@global.gtid_executed, @@global.server_id";
}

std::vector<std::string> promote_sql(ServerFlavor f) {
  if (f == ServerFlavor::kMariaDb) return {"STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = 0"};
  return {"STOP REPLICA", "RESET REPLICA ALL", "SET GLOBAL super_read_only = 0", "SET GLOBAL read_only = 0"};
}

std::vector<std::string> replicate_again_sql(ServerFlavor f) {
  return {f == ServerFlavor::kMariaDb ? "START SLAVE" : "START REPLICA"};
}

std::vector<std::string> replicate_from_sql(ServerFlavor f, std::string_view host, std::uint16_t port,
                                            ReplicationAccount account) {
  const bool maria = f == ServerFlavor::kMariaDb;
  std::string change = maria ? "CHANGE MASTER TO MASTER_HOST = " : "CHANGE REPLICATION SOURCE TO SOURCE_HOST = ";
  change += sql_literal(host) + (maria ? ", MASTER_PORT = " : ", SOURCE_PORT = ") + std::to_string(port);
  if (!account.user.empty()) {
    change += (maria ? ", MASTER_USER = " : ", SOURCE_USER = ") + sql_literal(account.user);
    change += (maria ? ", MASTER_PASSWORD = " : ", SOURCE_PASSWORD = ") + sql_literal(account.password);
  }
  change += maria ? ", MASTER_USE_GTID = slave_pos" : ", SOURCE_AUTO_POSITION = 1";
  return {maria ? "STOP SLAVE" : "STOP REPLICA", change, maria ? "START SLAVE" : "START REPLICA"};
}

std::vector<std::string> fence_sql(ServerFlavor f) {
  if (f == ServerFlavor::kMariaDb) return {"SET GLOBAL read_only = 1"};
  return {"SET GLOBAL super_read_only = 1"};
}

}  // namespace mysqlproxy::proxy
