#include "config/source_map.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::config {
namespace {

bool same(std::optional<Location> a, Location b) {
  return a && a->line == b.line && a->column == b.column;
}

TEST(ParentPath, StripsTheLastComponent) {
  EXPECT_EQ(parent_path("backends[1].role"), "backends[1]");
  EXPECT_EQ(parent_path("backends[1]"), "backends");
  EXPECT_EQ(parent_path("backends"), "");
  EXPECT_EQ(parent_path(""), "");
  EXPECT_EQ(parent_path("timeouts.idle"), "timeouts");
}

TEST(SourceMap, FindsAnExactPath) {
  SourceMap marks;
  marks.add("backends[1].role", {7, 11});
  EXPECT_TRUE(same(marks.find("backends[1].role"), {7, 11}));
}

TEST(SourceMap, FallsBackToTheNearestRecordedAncestor) {
  SourceMap marks;
  marks.add("", {1, 1});
  marks.add("backends", {2, 3});
  marks.add("backends[1]", {5, 5});
  EXPECT_TRUE(same(marks.find("backends[1].role"), {5, 5}));
  EXPECT_TRUE(same(marks.find("backends[2].name"), {2, 3}));
  EXPECT_TRUE(same(marks.find("users"), {1, 1}));
}

TEST(SourceMap, KeepsTheFirstRecordForAPath) {
  SourceMap marks;
  marks.add("workers", {1, 10});
  marks.add("workers", {2, 10});
  EXPECT_TRUE(same(marks.find("workers"), {1, 10}));
}

TEST(SourceMap, FindsNothingWhenEmpty) {
  SourceMap marks;
  EXPECT_TRUE(marks.empty());
  EXPECT_EQ(marks.find("backends[0].name"), std::nullopt);
}

}  // namespace
}  // namespace mysqlproxy::config
