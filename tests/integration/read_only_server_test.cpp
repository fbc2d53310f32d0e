// A lone server set read_only (the only backend, or every backend): reads go on and writes get the
// server's own refusal, as a client connected to the server itself would see.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/own_proxy_test.hpp"

namespace itest {
namespace {

class ReadOnlyServerTest : public OwnProxyTest {};

TEST_F(ReadOnlyServerTest, ALoneReadOnlyServerServesReadsAndRefusesWritesInItsOwnWords) {
  ProxyOptions o;
  o.consistency = "eventual";
  o.backends = {"{ name: primary, host: 127.0.0.1, port: " + std::to_string(cluster_env().primary_port) +
                ", role: primary }"};
  START_OR_SKIP(o);
  const std::string t = unique_name("it_ro");
  cleanup("DROP TABLE IF EXISTS " + t);
  Client c = open();
  must_exec(c, "CREATE TABLE " + t + " (a INT)");
  on_teardown([this] { cluster_cmd("sql primary SET GLOBAL read_only = 0"); });
  cluster_cmd("sql primary SET GLOBAL read_only = 1");
  // The monitor sees it within a few checks (200 ms apart); the writes refused meanwhile come from
  // the server too, so wait for the proxy to publish the change, then look.
  std::this_thread::sleep_for(std::chrono::seconds(2));

  for (int i = 0; i < 3; ++i) {
    Client r = open();
    ASSERT_TRUE(r.connected()) << r.describe_error();
    EXPECT_EQ(must_scalar(r, "SELECT COUNT(*) FROM " + t), "0");
    EXPECT_FALSE(r.exec("INSERT INTO " + t + " VALUES (1)"));
    EXPECT_EQ(r.errnum(), 1290u) << r.describe_error();
    EXPECT_EQ(r.sqlstate(), "HY000");
    EXPECT_EQ(r.error(), "The MariaDB server is running with the --read-only option so it cannot execute this statement");
    EXPECT_EQ(must_scalar(r, "SELECT 1"), "1") << "the session goes on";
  }
  // Writable again: writes are back, on the same proxy.
  cluster_cmd("sql primary SET GLOBAL read_only = 0");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  Client w = open();
  EXPECT_TRUE(w.exec("INSERT INTO " + t + " VALUES (2)")) << w.describe_error();
}

}  // namespace
}  // namespace itest
