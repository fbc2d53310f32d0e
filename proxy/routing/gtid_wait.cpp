#include "proxy/routing/gtid_wait.hpp"

namespace mysqlproxy::proxy {

ServerFlavor flavor_of(std::string_view server_version) noexcept {
  return server_version.find("MariaDB") != std::string_view::npos ? ServerFlavor::kMariaDb : ServerFlavor::kMySql;
}

std::string wait_for_gtid_sql(ServerFlavor f, const GtidPosition& gtid, std::chrono::milliseconds timeout) {
  const std::string seconds = std::to_string(static_cast<double>(timeout.count()) / 1000.0);
  if (f == ServerFlavor::kMariaDb) return "SELECT MASTER_GTID_WAIT('" + gtid.to_string() + "', " + seconds + ")";
  return "SELECT WAIT_FOR_EXECUTED_GTID_SET('" + gtid.to_string() + "', " + seconds + ")";
}

}  // namespace mysqlproxy::proxy
