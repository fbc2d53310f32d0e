#include "proxy/routing/gtid.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::proxy {
namespace {

GtidPosition pos(std::string_view s) {
  auto p = GtidPosition::parse(s);
  EXPECT_TRUE(p.has_value()) << s;
  return p.value_or(GtidPosition{});
}

TEST(GtidPosition, MariaDbReplicaAheadOrEqualIncludesTheWrite) {
  EXPECT_TRUE(pos("0-1-42").includes(pos("0-1-42")));
  EXPECT_TRUE(pos("0-1-50").includes(pos("0-1-42")));
  EXPECT_FALSE(pos("0-1-41").includes(pos("0-1-42")));
  // The server id may differ after a failover; the sequence is what orders a domain.
  EXPECT_TRUE(pos("0-2-43").includes(pos("0-1-42")));
}

TEST(GtidPosition, MariaDbDomainsAreIndependent) {
  EXPECT_TRUE(pos("0-1-10,1-1-5").includes(pos("1-1-5")));
  EXPECT_FALSE(pos("0-1-10").includes(pos("1-1-1")));
  EXPECT_FALSE(pos("0-1-10,1-1-4").includes(pos("0-1-9,1-1-5")));
}

TEST(GtidPosition, MySqlSetsContainTransactions) {
  const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  const std::string b = "4f22ab58-82db-22f2-8f44-d91bb8538673";
  EXPECT_TRUE(pos(a + ":1-5:7-9").includes(pos(a + ":8")));
  EXPECT_FALSE(pos(a + ":1-5:7-9").includes(pos(a + ":6")));
  EXPECT_TRUE(pos(a + ":1-5,\n" + b + ":1-3").includes(pos(b + ":2-3")));
  EXPECT_FALSE(pos(a + ":1-5").includes(pos(b + ":1")));
}

TEST(GtidPosition, MergeKeepsTheNewest) {
  auto p = pos("0-1-5");
  p.merge(pos("0-1-9,2-1-1"));
  EXPECT_EQ(p.to_string(), "0-1-9,2-1-1");
  p.merge(pos("0-1-7"));
  EXPECT_EQ(p.to_string(), "0-1-9,2-1-1");
  const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  auto m = pos(a + ":1-3");
  m.merge(pos(a + ":4"));
  m.merge(pos(a + ":7"));
  EXPECT_EQ(m.to_string(), a + ":1-4:7");
}

TEST(GtidPosition, EmptyIsIncludedByAnything) {
  EXPECT_TRUE(pos("").empty());
  EXPECT_TRUE(pos("0-1-1").includes(pos("")));
  EXPECT_FALSE(pos("").includes(pos("0-1-1")));
}

TEST(GtidPosition, RejectsGarbage) {
  for (const char* bad : {"0-1", "a-b-c", "0-1-2-3", "0-1-x", "uuid:1", "3e11fa47-71ca-11e1-9e33-c80aa9429562:5-1",
                          ",", "0-1-5,,0-1-6"}) {
    EXPECT_FALSE(GtidPosition::parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace mysqlproxy::proxy
