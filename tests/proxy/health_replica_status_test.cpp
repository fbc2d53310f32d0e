// parse_replica_status against rows recorded from real servers: MariaDB 10.11.19 (scripts/
// cluster.sh, monitor user, SHOW REPLICA STATUS) in every state the monitor must tell apart, and
// MySQL 8.4's SHOW REPLICA STATUS (column names and example values from the MySQL 8.4 manual).
#include <gtest/gtest.h>

#include "proxy/health/replica_status.hpp"

namespace mysqlproxy::proxy {
namespace {

const std::optional<std::string> kNull;

// MariaDB 10.11.19: SHOW REPLICA STATUS on a replica of scripts/cluster.sh (54 columns).
const ColumnNames kMariaDbColumns = {
    "Slave_IO_State",
    "Master_Host",
    "Master_User",
    "Master_Port",
    "Connect_Retry",
    "Master_Log_File",
    "Read_Master_Log_Pos",
    "Relay_Log_File",
    "Relay_Log_Pos",
    "Relay_Master_Log_File",
    "Slave_IO_Running",
    "Slave_SQL_Running",
    "Replicate_Do_DB",
    "Replicate_Ignore_DB",
    "Replicate_Do_Table",
    "Replicate_Ignore_Table",
    "Replicate_Wild_Do_Table",
    "Replicate_Wild_Ignore_Table",
    "Last_Errno",
    "Last_Error",
    "Skip_Counter",
    "Exec_Master_Log_Pos",
    "Relay_Log_Space",
    "Until_Condition",
    "Until_Log_File",
    "Until_Log_Pos",
    "Master_SSL_Allowed",
    "Master_SSL_CA_File",
    "Master_SSL_CA_Path",
    "Master_SSL_Cert",
    "Master_SSL_Cipher",
    "Master_SSL_Key",
    "Seconds_Behind_Master",
    "Master_SSL_Verify_Server_Cert",
    "Last_IO_Errno",
    "Last_IO_Error",
    "Last_SQL_Errno",
    "Last_SQL_Error",
    "Replicate_Ignore_Server_Ids",
    "Master_Server_Id",
    "Master_SSL_Crl",
    "Master_SSL_Crlpath",
    "Using_Gtid",
    "Gtid_IO_Pos",
    "Replicate_Do_Domain_Ids",
    "Replicate_Ignore_Domain_Ids",
    "Parallel_Mode",
    "SQL_Delay",
    "SQL_Remaining_Delay",
    "Slave_SQL_Running_State",
    "Slave_DDL_Groups",
    "Slave_Non_Transactional_Groups",
    "Slave_Transactional_Groups",
    "Replicate_Rewrite_DB",
};

// Replicating, caught up.
const RowValues kMariaDbRunning = {
    "Waiting for master to send event",
    "127.0.0.1",
    "repl",
    "53306",
    "1",
    "primary-bin.000001",
    "2797",
    "replica1-relay-bin.000002",
    "3098",
    "primary-bin.000001",
    "Yes",
    "Yes",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    "0",
    "2797",
    "3410",
    "None",
    "",
    "0",
    "No",
    "",
    "",
    "",
    "",
    "",
    "0",
    "No",
    "0",
    "",
    "0",
    "",
    "",
    "1",
    "",
    "",
    "Slave_Pos",
    "0-1-15",
    "",
    "",
    "optimistic",
    "0",
    kNull,
    "Slave has read all relay log; waiting for more updates",
    "15",
    "0",
    "0",
    "",
};

// `cluster.sh delay replica1 3`, then a write on the primary: waiting out MASTER_DELAY.
const RowValues kMariaDbDelayed = {
    "Waiting for master to send event",
    "127.0.0.1",
    "repl",
    "53306",
    "1",
    "primary-bin.000001",
    "3457",
    "replica1-relay-bin.000002",
    "674",
    "primary-bin.000001",
    "Yes",
    "Yes",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    "0",
    "2797",
    "1646",
    "None",
    "",
    "0",
    "No",
    "",
    "",
    "",
    "",
    "",
    "2",
    "No",
    "0",
    "",
    "0",
    "",
    "",
    "1",
    "",
    "",
    "Slave_Pos",
    "0-1-18",
    "",
    "",
    "optimistic",
    "3",
    "1",
    "Waiting until MASTER_DELAY seconds after master executed event",
    "15",
    "0",
    "0",
    "",
};

// `cluster.sh stop-sql-thread replica1`.
const RowValues kMariaDbSqlStopped = {
    "Waiting for master to send event",
    "127.0.0.1",
    "repl",
    "53306",
    "1",
    "primary-bin.000001",
    "3457",
    "replica1-relay-bin.000002",
    "858",
    "primary-bin.000001",
    "Yes",
    "No",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    "0",
    "2981",
    "1646",
    "None",
    "",
    "0",
    "No",
    "",
    "",
    "",
    "",
    "",
    kNull,
    "No",
    "0",
    "",
    "0",
    "",
    "",
    "1",
    "",
    "",
    "Slave_Pos",
    "0-1-18",
    "",
    "",
    "optimistic",
    "0",
    kNull,
    "",
    "16",
    "0",
    "0",
    "",
};

// `cluster.sh stop-node primary`, 3 s later: the IO thread keeps trying to reconnect.
const RowValues kMariaDbIoBroken = {
    "Reconnecting after a failed master event read",
    "127.0.0.1",
    "repl",
    "53306",
    "1",
    "primary-bin.000001",
    "3457",
    "replica1-relay-bin.000002",
    "1334",
    "primary-bin.000001",
    "Connecting",
    "Yes",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    "0",
    "3457",
    "1646",
    "None",
    "",
    "0",
    "No",
    "",
    "",
    "",
    "",
    "",
    kNull,
    "No",
    "2003",
    "error reconnecting to master 'repl@127.0.0.1:53306' - retry-time: 1  maximum-retries: "
    "100000  message: Can't connect to server on '127.0.0.1' (111 \"Connection refused\")",
    "0",
    "",
    "",
    "1",
    "",
    "",
    "Slave_Pos",
    "0-1-18",
    "",
    "",
    "optimistic",
    "0",
    kNull,
    "Slave has read all relay log; waiting for more updates",
    "16",
    "0",
    "2",
    "",
};

// `cluster.sh stop-replication replica2` (STOP SLAVE: both threads).
const RowValues kMariaDbBothStopped = {
    "",           "127.0.0.1",
    "repl",       "53306",
    "1",          "primary-bin.000002",
    "344",        "replica2-relay-bin.000003",
    "645",        "primary-bin.000002",
    "No",         "No",
    "",           "",
    "",           "",
    "",           "",
    "0",          "",
    "0",          "344",
    "4459",       "None",
    "",           "0",
    "No",         "",
    "",           "",
    "",           "",
    kNull,        "No",
    "0",          "",
    "0",          "",
    "",           "1",
    "",           "",
    "Slave_Pos",  "0-1-18",
    "",           "",
    "optimistic", "0",
    kNull,        "",
    "16",         "0",
    "2",          "",
};

// MySQL 8.4 SHOW REPLICA STATUS: the column set of the 8.4 manual (15.7.7.35), with its example
// values (a replica caught up, GTID auto-positioning).
const ColumnNames kMySql84Columns = {
    "Replica_IO_State",
    "Source_Host",
    "Source_User",
    "Source_Port",
    "Connect_Retry",
    "Source_Log_File",
    "Read_Source_Log_Pos",
    "Relay_Log_File",
    "Relay_Log_Pos",
    "Relay_Source_Log_File",
    "Replica_IO_Running",
    "Replica_SQL_Running",
    "Replicate_Do_DB",
    "Replicate_Ignore_DB",
    "Replicate_Do_Table",
    "Replicate_Ignore_Table",
    "Replicate_Wild_Do_Table",
    "Replicate_Wild_Ignore_Table",
    "Last_Errno",
    "Last_Error",
    "Skip_Counter",
    "Exec_Source_Log_Pos",
    "Relay_Log_Space",
    "Until_Condition",
    "Until_Log_File",
    "Until_Log_Pos",
    "Source_SSL_Allowed",
    "Source_SSL_CA_File",
    "Source_SSL_CA_Path",
    "Source_SSL_Cert",
    "Source_SSL_Cipher",
    "Source_SSL_Key",
    "Seconds_Behind_Source",
    "Source_SSL_Verify_Server_Cert",
    "Last_IO_Errno",
    "Last_IO_Error",
    "Last_SQL_Errno",
    "Last_SQL_Error",
    "Replicate_Ignore_Server_Ids",
    "Source_Server_Id",
    "Source_UUID",
    "Source_Info_File",
    "SQL_Delay",
    "SQL_Remaining_Delay",
    "Replica_SQL_Running_State",
    "Source_Retry_Count",
    "Source_Bind",
    "Last_IO_Error_Timestamp",
    "Last_SQL_Error_Timestamp",
    "Source_SSL_Crl",
    "Source_SSL_Crlpath",
    "Retrieved_Gtid_Set",
    "Executed_Gtid_Set",
    "Auto_Position",
    "Replicate_Rewrite_DB",
    "Channel_Name",
    "Source_TLS_Version",
    "Source_public_key_path",
    "Get_Source_public_key",
    "Network_Namespace",
};

const RowValues kMySql84Running = {
    "Waiting for source to send event",
    "127.0.0.1",
    "root",
    "13000",
    "1",
    "master-bin.000001",
    "927",
    "slave-relay-bin.000002",
    "1145",
    "master-bin.000001",
    "Yes",
    "Yes",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    "0",
    "927",
    "1355",
    "None",
    "",
    "0",
    "No",
    "",
    "",
    "",
    "",
    "",
    "0",
    "No",
    "0",
    "",
    "0",
    "",
    "",
    "1",
    "73f86016-978b-11ee-ade5-8d2a2a562feb",
    "mysql.slave_master_info",
    "0",
    kNull,
    "Replica has read all relay log; waiting for more updates",
    "10",
    "",
    "",
    "",
    "",
    "",
    "73f86016-978b-11ee-ade5-8d2a2a562feb:1-3",
    "73f86016-978b-11ee-ade5-8d2a2a562feb:1-3",
    "1",
    "",
    "",
    "",
    "",
    "0",
    "",
};

// Returns `row` with the value of `column` replaced (to derive states not recorded).
RowValues with(const ColumnNames& columns, RowValues row, std::string_view column,
               std::optional<std::string> value) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) row[i] = std::move(value);
  }
  return row;
}

TEST(ReplicaStatusRecordings, HaveOneValuePerColumn) {
  for (const RowValues* row : {&kMariaDbRunning, &kMariaDbDelayed, &kMariaDbSqlStopped,
                               &kMariaDbIoBroken, &kMariaDbBothStopped}) {
    EXPECT_EQ(row->size(), kMariaDbColumns.size());
  }
  EXPECT_EQ(kMySql84Running.size(), kMySql84Columns.size());
}

TEST(ReplicaStatusMariaDb, RunningIsHealthyWithZeroLag) {
  ReplicaStatus s = parse_replica_status(kMariaDbColumns, kMariaDbRunning);
  EXPECT_TRUE(s.io_running);
  EXPECT_TRUE(s.sql_running);
  EXPECT_EQ(s.seconds_behind, 0.0);
  EXPECT_FALSE(s.broken);
  EXPECT_EQ(s.problem, "");
}

TEST(ReplicaStatusMariaDb, DelayedIsHealthyButBehind) {
  ReplicaStatus s = parse_replica_status(kMariaDbColumns, kMariaDbDelayed);
  EXPECT_TRUE(s.io_running);
  EXPECT_TRUE(s.sql_running);
  EXPECT_EQ(s.seconds_behind, 2.0);
  EXPECT_FALSE(s.broken);
}

TEST(ReplicaStatusMariaDb, SqlThreadStoppedIsBroken) {
  ReplicaStatus s = parse_replica_status(kMariaDbColumns, kMariaDbSqlStopped);
  EXPECT_TRUE(s.io_running);
  EXPECT_FALSE(s.sql_running);
  EXPECT_EQ(s.seconds_behind, std::nullopt);
  EXPECT_TRUE(s.broken);
  EXPECT_FALSE(s.waits_for_source);
  EXPECT_EQ(s.problem, "SQL thread stopped");
}

TEST(ReplicaStatusMariaDb, SqlThreadStoppedByAnErrorNamesTheError) {
  RowValues row = with(kMariaDbColumns, kMariaDbSqlStopped, "Last_SQL_Error",
                       "Could not execute Write_rows_v1 event on table proxytest.t; Duplicate "
                       "entry '1' for key 'PRIMARY'");
  ReplicaStatus s = parse_replica_status(kMariaDbColumns, row);
  EXPECT_TRUE(s.broken);
  EXPECT_EQ(s.problem,
            "SQL thread stopped: Could not execute Write_rows_v1 event on table proxytest.t; "
            "Duplicate entry '1' for key 'PRIMARY'");
}

TEST(ReplicaStatusMariaDb, IoThreadConnectingIsBrokenWithItsError) {
  ReplicaStatus s = parse_replica_status(kMariaDbColumns, kMariaDbIoBroken);
  EXPECT_FALSE(s.io_running);
  EXPECT_TRUE(s.sql_running);
  EXPECT_EQ(s.seconds_behind, std::nullopt);
  EXPECT_TRUE(s.broken);
  EXPECT_TRUE(s.waits_for_source) << "the SQL thread runs: only the source is missing";
  EXPECT_EQ(s.problem,
            "IO thread Connecting: error reconnecting to master 'repl@127.0.0.1:53306' - "
            "retry-time: 1  maximum-retries: 100000  message: Can't connect to server on "
            "'127.0.0.1' (111 \"Connection refused\")");
}

TEST(ReplicaStatusMariaDb, IoThreadStoppedIsBroken) {
  RowValues row = with(kMariaDbColumns, kMariaDbRunning, "Slave_IO_Running", "No");
  ReplicaStatus s = parse_replica_status(kMariaDbColumns, row);
  EXPECT_TRUE(s.broken);
  EXPECT_EQ(s.problem, "IO thread stopped");
}

TEST(ReplicaStatusMariaDb, BothThreadsStoppedIsBroken) {
  ReplicaStatus s = parse_replica_status(kMariaDbColumns, kMariaDbBothStopped);
  EXPECT_FALSE(s.io_running);
  EXPECT_FALSE(s.sql_running);
  EXPECT_TRUE(s.broken);
  EXPECT_FALSE(s.waits_for_source);
  EXPECT_EQ(s.problem, "replication stopped (IO and SQL threads)");
}

TEST(ReplicaStatusMariaDb, NullLagWithThreadsRunningIsBroken) {
  RowValues row = with(kMariaDbColumns, kMariaDbRunning, "Seconds_Behind_Master", kNull);
  ReplicaStatus s = parse_replica_status(kMariaDbColumns, row);
  EXPECT_TRUE(s.io_running);
  EXPECT_TRUE(s.sql_running);
  EXPECT_TRUE(s.broken);
  EXPECT_EQ(s.problem, "replication lag unknown (Seconds_Behind_Master/Source is NULL)");
}

TEST(ReplicaStatusMySql84, RunningIsHealthyWithZeroLag) {
  ReplicaStatus s = parse_replica_status(kMySql84Columns, kMySql84Running);
  EXPECT_TRUE(s.io_running);
  EXPECT_TRUE(s.sql_running);
  EXPECT_EQ(s.seconds_behind, 0.0);
  EXPECT_FALSE(s.broken);
}

TEST(ReplicaStatusMySql84, ReadsSecondsBehindSource) {
  RowValues row = with(kMySql84Columns, kMySql84Running, "Seconds_Behind_Source", "42");
  EXPECT_EQ(parse_replica_status(kMySql84Columns, row).seconds_behind, 42.0);
}

TEST(ReplicaStatusMySql84, SqlThreadStoppedIsBroken) {
  RowValues row = with(kMySql84Columns, kMySql84Running, "Replica_SQL_Running", "No");
  row = with(kMySql84Columns, row, "Seconds_Behind_Source", kNull);
  row = with(kMySql84Columns, row, "Last_SQL_Error", "Error 'x' on query");
  ReplicaStatus s = parse_replica_status(kMySql84Columns, row);
  EXPECT_TRUE(s.broken);
  EXPECT_EQ(s.problem, "SQL thread stopped: Error 'x' on query");
}

TEST(ReplicaStatusMySql84, IoThreadConnectingIsBroken) {
  RowValues row = with(kMySql84Columns, kMySql84Running, "Replica_IO_Running", "Connecting");
  row = with(kMySql84Columns, row, "Last_IO_Error", "error connecting to source");
  ReplicaStatus s = parse_replica_status(kMySql84Columns, row);
  EXPECT_TRUE(s.broken);
  EXPECT_EQ(s.problem, "IO thread Connecting: error connecting to source");
}

TEST(ReplicaStatusParsing, FindsColumnsByNameInAnyOrder) {
  ColumnNames columns = {"Seconds_Behind_Master", "Slave_SQL_Running", "Slave_IO_Running"};
  RowValues row = {"17", "Yes", "Yes"};
  ReplicaStatus s = parse_replica_status(columns, row);
  EXPECT_FALSE(s.broken);
  EXPECT_EQ(s.seconds_behind, 17.0);
}

TEST(ReplicaStatusParsing, MissingThreadColumnsAreBroken) {
  ColumnNames columns = {"Seconds_Behind_Master"};
  RowValues row = {"0"};
  ReplicaStatus s = parse_replica_status(columns, row);
  EXPECT_TRUE(s.broken);
  EXPECT_EQ(s.problem, "replica status has no IO/SQL thread columns");
}

TEST(ReplicaStatusParsing, AShortRowIsBrokenNotACrash) {
  RowValues row = {"Waiting for master to send event"};
  EXPECT_TRUE(parse_replica_status(kMariaDbColumns, row).broken);
}

TEST(ReplicaStatusParsing, GarbageLagReadsAsUnknown) {
  for (const char* text : {"", "-1", "1.5", "abc", "12x"}) {
    RowValues row = with(kMariaDbColumns, kMariaDbRunning, "Seconds_Behind_Master", text);
    ReplicaStatus s = parse_replica_status(kMariaDbColumns, row);
    EXPECT_EQ(s.seconds_behind, std::nullopt) << text;
    EXPECT_TRUE(s.broken) << text;
  }
}

TEST(ReplicaStatusMerge, TakesTheWorstOfSeveralChannels) {
  ReplicaStatus fine = parse_replica_status(kMySql84Columns, kMySql84Running);
  ReplicaStatus behind = parse_replica_status(
      kMySql84Columns, with(kMySql84Columns, kMySql84Running, "Seconds_Behind_Source", "9"));
  ReplicaStatus stopped = parse_replica_status(
      kMySql84Columns, with(kMySql84Columns, kMySql84Running, "Replica_SQL_Running", "No"));

  std::vector<ReplicaStatus> two = {fine, behind};
  ReplicaStatus merged = merge_replica_status(two);
  EXPECT_FALSE(merged.broken);
  EXPECT_EQ(merged.seconds_behind, 9.0);

  std::vector<ReplicaStatus> three = {behind, fine, stopped};
  merged = merge_replica_status(three);
  EXPECT_TRUE(merged.broken);
  EXPECT_FALSE(merged.sql_running);
  EXPECT_EQ(merged.problem, "SQL thread stopped");
  EXPECT_EQ(merged.seconds_behind, 9.0);

  std::vector<ReplicaStatus> one = {fine};
  EXPECT_FALSE(merge_replica_status(one).broken);
}

TEST(ReplicaStatusMerge, WaitsForTheSourceOnlyIfNoChannelHasAnotherProblem) {
  ReplicaStatus fine = parse_replica_status(kMariaDbColumns, kMariaDbRunning);
  ReplicaStatus waiting = parse_replica_status(kMariaDbColumns, kMariaDbIoBroken);
  ReplicaStatus stopped = parse_replica_status(kMariaDbColumns, kMariaDbSqlStopped);
  std::vector<ReplicaStatus> both_waiting = {waiting, fine, waiting};
  EXPECT_TRUE(merge_replica_status(both_waiting).waits_for_source);
  std::vector<ReplicaStatus> also_stopped = {waiting, stopped};
  EXPECT_TRUE(merge_replica_status(also_stopped).broken);
  EXPECT_FALSE(merge_replica_status(also_stopped).waits_for_source);
  std::vector<ReplicaStatus> stopped_first = {stopped, waiting};
  EXPECT_FALSE(merge_replica_status(stopped_first).waits_for_source);
  std::vector<ReplicaStatus> healthy = {fine, fine};
  EXPECT_FALSE(merge_replica_status(healthy).waits_for_source);
}

}  // namespace
}  // namespace mysqlproxy::proxy
