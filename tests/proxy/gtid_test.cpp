#include "proxy/routing/gtid.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/session/consistency.hpp"
#include "tests/support/packets.hpp"

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

TEST(GtidPosition, MinusLeavesWhatTheOtherLacks) {
  struct Row {
    std::string have, other, left;
  };
  const std::string a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  const std::string b = "4e11fa47-71ca-11e1-9e33-c80aa9429562";
  for (const Row& r : std::vector<Row>{
           {"0-1-42", "0-2-50", ""},                    // behind in its only domain
           {"0-1-42", "0-2-42", ""},                    // MariaDB compares the domain's seq only
           {"0-1-43", "0-2-42", "0-1-43"},              // further on
           {"0-1-5,1-1-7", "0-1-9", "1-1-7"},           // a domain the other lacks
           {"", "0-1-1", ""},
           {a + ":1-10", a + ":1-10", ""},
           {a + ":1-10", a + ":1-4:6-8", a + ":5:9-10"},  // holes in the middle and at the end
           {a + ":1-10", a + ":3-20", a + ":1-2"},
           {a + ":1-3:7-9", a + ":2-8", a + ":1:9"},     // two of ours cut by one of theirs
           {a + ":1-10," + b + ":1-2", a + ":1-10", b + ":1-2"},  // a uuid the other lacks
           {a + ":1-3:x:1-2", a + ":1-3", a + ":x:1-2"},  // a tag is a set of its own
       }) {
    EXPECT_EQ(pos(r.have).minus(pos(r.other)).to_string(), r.left) << r.have << " minus " << r.other;
    // What is left is exactly what `other` does not include.
    EXPECT_TRUE(pos(r.other).includes(pos(r.have).minus(pos(r.left)))) << r.have;
  }
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

// ---- MySQL 8.3+ tagged GTIDs

const std::string kUuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

std::string formatted(std::string_view s) {
  auto p = GtidPosition::parse(s);
  return p ? p->to_string() : "<unparsed>";
}

TEST(GtidPosition, ParsesTagsAndPrintsThemAsTheServerDoes) {
  // The manual's example, upper case: uuid and tags come out in lower case.
  EXPECT_EQ(formatted("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:11-18:MyTag:1-3"),
            kUuid + ":1-5:11-18:mytag:1-3");
  // A single tagged GTID, as session_track_gtids reports one.
  EXPECT_EQ(formatted(kUuid + ":mytag:7"), kUuid + ":mytag:7");
  // What MySQL 9.1 prints as gtid_executed for this gtid_purged (MySQL bug #116789).
  EXPECT_EQ(formatted("3E11FA47-71CA-11E1-9E33-C80AA9429562:Domain_1:1-3:15-21, "
                      "3E11FA47-71CA-11E1-9E33-C80AA9429562:Domain_2:8-52"),
            kUuid + ":domain_1:1-3:15-21:domain_2:8-52");
  // One uuid once: untagged intervals first, then the tags in order, each with its intervals.
  EXPECT_EQ(formatted(kUuid + ":b:1," + kUuid + ":1-2,\n" + kUuid + ":a:3:5"), kUuid + ":1-2:a:3:5:b:1");
  const std::string two = "896e7882-18fe-11ef-ab88-22222d34d411:1-4:aaaa:1:abc:1-3:bbbbb:1:bbbbbb:1:x:1,"
                          "896e7882-18fe-11ef-ab88-22222d34d412:1-2";
  EXPECT_EQ(formatted(two), two);
  // A tag of one underscore, and one of 32 characters, are tags.
  const std::string longest(32, 't');
  EXPECT_EQ(formatted(kUuid + ":_:1:" + longest + ":2"), kUuid + ":_:1:" + longest + ":2");
  // Intervals of a tag are joined like untagged ones; tags are case-insensitive.
  EXPECT_EQ(formatted(kUuid + ":t:1-3:T:4:t:6"), kUuid + ":t:1-4:6");
}

TEST(GtidPosition, ATaggedTransactionIsNotTheUntaggedOneOfTheSameNumber) {
  const auto replica = pos(kUuid + ":1-100:batch:1-3");
  EXPECT_TRUE(replica.includes(pos(kUuid + ":batch:2")));
  EXPECT_TRUE(replica.includes(pos(kUuid + ":BATCH:1-3")));
  EXPECT_TRUE(replica.includes(pos(kUuid + ":50:batch:3")));
  EXPECT_FALSE(replica.includes(pos(kUuid + ":batch:4")));
  EXPECT_FALSE(replica.includes(pos(kUuid + ":other:1")));
  EXPECT_FALSE(pos(kUuid + ":1-100").includes(pos(kUuid + ":batch:1")));
  EXPECT_FALSE(pos(kUuid + ":batch:1-100").includes(pos(kUuid + ":1")));
  // Upper-case uuids are the same source.
  EXPECT_TRUE(pos("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-9").includes(pos(kUuid + ":9")));
  // An interval must be covered by one interval the replica has, not pieced together from gaps.
  EXPECT_FALSE(pos(kUuid + ":t:1-3:t:5-9").includes(pos(kUuid + ":t:3-5")));
  EXPECT_TRUE(pos(kUuid + ":t:1-3:t:4-9").includes(pos(kUuid + ":t:3-5")));
}

TEST(GtidPosition, MergeKeepsTagsApart) {
  auto p = pos(kUuid + ":1-3");
  p.merge(pos(kUuid + ":app:1"));
  p.merge(pos(kUuid + ":4:app:2"));
  p.merge(pos("0-1-5"));
  EXPECT_EQ(p.to_string(), "0-1-5," + kUuid + ":1-4:app:1-2");
  EXPECT_TRUE(p.includes(pos(kUuid + ":app:2")));
  EXPECT_FALSE(p.includes(pos(kUuid + ":app:3")));
}

TEST(GtidPosition, RejectsMalformedTagsAndNumbers) {
  for (const std::string& bad : std::vector<std::string>{
           kUuid + ":",                       // nothing after the uuid
           kUuid + ":tag",                    // a tag and no transaction
           kUuid + ":tag:",                   // an empty item
           kUuid + ":1:tag",                  // a trailing tag
           kUuid + ":a:b:1",                  // a tag with nothing of its own
           kUuid + ":1a:1",                   // a tag starts with a letter or _
           kUuid + ":a-b:1",                  // tags are letters, digits and _
           kUuid + ":t\xc3\xa9:1",            // ASCII only
           kUuid + ":" + std::string(33, 't') + ":1",  // 32 characters at most
           kUuid + ":0",                      // transactions count from 1
           kUuid + ":t:0-3",
           kUuid + ":1-9223372036854775808",  // and stay under 2^63
           kUuid + ":1-2-3",
           kUuid + ":5-1",
           kUuid + ":-1",
           kUuid + "::1",
           std::string("3e11fa4771ca11e19e33c80aa9429562:1"),      // not the 8-4-4-4-12 form
           std::string("3e11fa47-71ca-11e1-9e33-c80aa942956z:1"),  // not hex
           std::string("3e11fa47-71ca-11e1-9e33_c80aa9429562:1"),
       }) {
    EXPECT_FALSE(GtidPosition::parse(bad).has_value()) << bad;
  }
  EXPECT_EQ(formatted(kUuid + ":9223372036854775807"), kUuid + ":9223372036854775807");
}

TEST(GtidPosition, TaggedGtidFromMySqlSessionTracking) {
  // What MySQL 8.4 sends with session_track_gtids = OWN_GTID after a commit under
  // gtid_next = 'AUTOMATIC:batch_7'.
  const std::string gtid = kUuid + ":batch_7:23";
  const std::string bytes = test::own_gtid_session_state(gtid);
  const auto g = gtid_from_session_state(bytes);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->to_string(), gtid);
  EXPECT_TRUE(pos(kUuid + ":1-40:batch_7:1-23").includes(*g));
  EXPECT_FALSE(pos(kUuid + ":1-40:batch_7:1-22").includes(*g));
  EXPECT_EQ(wait_for_gtid_sql(ServerFlavor::kMySql, *g, std::chrono::milliseconds(2000)),
            "SELECT WAIT_FOR_EXECUTED_GTID_SET('" + gtid + "', 2.000000)");
}

}  // namespace
}  // namespace mysqlproxy::proxy
