#pragma once
// parse_replica_status: one row of SHOW REPLICA STATUS (or SHOW SLAVE STATUS) -> what the health
// check needs. Pure, so it is tested with rows recorded from MariaDB and MySQL. Columns are found
// by name: their order differs between servers and versions, and their names too
// (Slave_IO_Running in MariaDB and old MySQL, Replica_IO_Running in MySQL 8.0.22+).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mysqlproxy::proxy {

struct ReplicaStatus {
  bool io_running = false;               // Replica_IO_Running / Slave_IO_Running is "Yes"
  bool sql_running = false;              // Replica_SQL_Running / Slave_SQL_Running is "Yes"
  std::optional<double> seconds_behind;  // Seconds_Behind_Source / _Master; nullopt for NULL
  bool broken = false;                   // a thread not running, or the lag unknown
  std::string problem;                   // why it is broken, for logs: "SQL thread stopped", ...
  // Broken only because the IO thread can't reach the source; the SQL thread runs and applies
  // what was received, so the data is as fresh as the source let it be.
  bool waits_for_source = false;

  // Where it replicates from and what it received: a failover's candidate choice and re-pointing.
  std::string source_host;                // Source_Host / Master_Host
  std::uint16_t source_port = 0;          // Source_Port / Master_Port
  std::optional<std::uint32_t> source_server_id;  // Source_Server_Id / Master_Server_Id (0 = never connected)
  std::string received_gtid;              // MariaDB Gtid_IO_Pos; MySQL Retrieved_Gtid_Set
};

using ColumnNames = std::vector<std::string>;
using RowValues = std::vector<std::optional<std::string>>;  // nullopt = SQL NULL

ReplicaStatus parse_replica_status(std::span<const std::string> columns,
                                   std::span<const std::optional<std::string>> row);

// Several rows (MySQL replication channels, MariaDB SHOW ALL REPLICAS STATUS): the worst of them,
// i.e. broken if any is, with the largest lag. `rows` must not be empty.
ReplicaStatus merge_replica_status(std::span<const ReplicaStatus> rows);

}  // namespace mysqlproxy::proxy
