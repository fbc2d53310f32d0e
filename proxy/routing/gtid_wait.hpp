#pragma once
// The two server flavours, and the statement that waits on a server until it has applied a GTID
// position: used by read-your-writes (a replica catching up) and by a failover (the candidate
// applying its relay log). Pure.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/routing/gtid.hpp"

namespace mysqlproxy::proxy {

enum class ServerFlavor : std::uint8_t { kMariaDb, kMySql };

[[nodiscard]] ServerFlavor flavor_of(std::string_view server_version) noexcept;

// Blocks until the server has applied `gtid` or `timeout` passes; answers 0 on success
// (MariaDB MASTER_GTID_WAIT: -1 on timeout; MySQL WAIT_FOR_EXECUTED_GTID_SET: 1).
[[nodiscard]] std::string wait_for_gtid_sql(ServerFlavor f, const GtidPosition& gtid, std::chrono::milliseconds timeout);

}  // namespace mysqlproxy::proxy
