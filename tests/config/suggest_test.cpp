#include "config/suggest.hpp"

#include <gtest/gtest.h>

#include <array>

namespace mysqlproxy::config {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("port", "port"), 0u);
  EXPECT_EQ(edit_distance("", "port"), 4u);
  EXPECT_EQ(edit_distance("port", ""), 4u);
  EXPECT_EQ(edit_distance("prot", "port"), 2u);   // a swap is two substitutions
  EXPECT_EQ(edit_distance("pot", "port"), 1u);    // insertion
  EXPECT_EQ(edit_distance("portt", "port"), 1u);  // deletion
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("Port", "port"), 1u);  // case-sensitive
}

constexpr std::array<std::string_view, 3> kKeys = {"name", "host", "port"};

TEST(ClosestMatch, SuggestsTheNearestCandidateWithinTwoEdits) {
  EXPECT_EQ(closest_match("prot", kKeys), "port");
  EXPECT_EQ(closest_match("hots", kKeys), "host");
  EXPECT_EQ(closest_match("nmae", kKeys), "name");
  EXPECT_EQ(closest_match("hostt", kKeys), "host");
}

TEST(ClosestMatch, SuggestsNothingBeyondTwoEdits) {
  EXPECT_EQ(closest_match("address", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("weight", kKeys), std::nullopt);
}

TEST(ClosestMatch, PrefersTheEarliestCandidateOnATie) {
  constexpr std::array<std::string_view, 2> keys = {"cat", "bat"};
  EXPECT_EQ(closest_match("at", keys), "cat");
}

}  // namespace
}  // namespace mysqlproxy::config
