// Every statement a failover sends, for MariaDB and for MySQL 8, as exact text: the MySQL 8 forms
// can't run against a server here, so this is where they are checked.
#include "proxy/failover/failover_sql.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mysqlproxy::proxy {
namespace {

using Sql = std::vector<std::string>;

TEST(FailoverSql, LiteralsEscapeQuotesAndBackslashes) {
  EXPECT_EQ(sql_literal("db-1.mysql"), "'db-1.mysql'");
  EXPECT_EQ(sql_literal("a'b\\c"), "'a\\'b\\\\c'");
  EXPECT_EQ(sql_literal(""), "''");
}

TEST(FailoverSql, TheLockIsTakenWithoutWaiting) {
  EXPECT_EQ(take_lock_sql(), "SELECT GET_LOCK('mysql_proxy.failover', 0)");
}

TEST(FailoverSql, MariaDb) {
  const auto f = ServerFlavor::kMariaDb;
  EXPECT_EQ(replica_status_sql(f), "SHOW SLAVE STATUS");
  EXPECT_EQ(server_position_sql(f),
            "SELECT @@global.read_only, @@global.gtid_binlog_state, @@global.gtid_current_pos, @@global.server_id");
  EXPECT_EQ(promote_sql(f), (Sql{"STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = 0"}));
  EXPECT_EQ(replicate_from_sql(f, "10.0.0.7", 3307),
            (Sql{"STOP SLAVE", "CHANGE MASTER TO MASTER_HOST = '10.0.0.7', MASTER_PORT = 3307, MASTER_USE_GTID = slave_pos",
                 "START SLAVE"}));
  EXPECT_EQ(replicate_from_sql(f, "db-0", 3306, {"repl", "p'w"})[1],
            "CHANGE MASTER TO MASTER_HOST = 'db-0', MASTER_PORT = 3306, MASTER_USER = 'repl', MASTER_PASSWORD = 'p\\'w', "
            "MASTER_USE_GTID = slave_pos");
  EXPECT_EQ(fence_sql(f), (Sql{"SET GLOBAL read_only = 1"}));
  EXPECT_EQ(replicate_again_sql(f), (Sql{"START SLAVE"}));
}

TEST(FailoverSql, MySql8) {
  const auto f = ServerFlavor::kMySql;
  EXPECT_EQ(replica_status_sql(f), "SHOW REPLICA STATUS");
  EXPECT_EQ(server_position_sql(f),
            "SELECT @@global.read_only, @@global.gtid_executed, @@global.gtid_executed, @@global.server_id");
  EXPECT_EQ(promote_sql(f),
            (Sql{"STOP REPLICA", "RESET REPLICA ALL", "SET GLOBAL super_read_only = 0", "SET GLOBAL read_only = 0"}));
  EXPECT_EQ(replicate_from_sql(f, "db-1", 3306),
            (Sql{"STOP REPLICA",
                 "CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'db-1', SOURCE_PORT = 3306, SOURCE_AUTO_POSITION = 1",
                 "START REPLICA"}));
  EXPECT_EQ(replicate_from_sql(f, "db-0", 3306, {"repl", "pw"})[1],
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST = 'db-0', SOURCE_PORT = 3306, SOURCE_USER = 'repl', "
            "SOURCE_PASSWORD = 'pw', SOURCE_AUTO_POSITION = 1");
  EXPECT_EQ(fence_sql(f), (Sql{"SET GLOBAL super_read_only = 1"}));
  EXPECT_EQ(replicate_again_sql(f), (Sql{"START REPLICA"}));
}

}  // namespace
}  // namespace mysqlproxy::proxy
