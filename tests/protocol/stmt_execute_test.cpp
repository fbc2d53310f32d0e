#include "protocol/stmt_execute.hpp"

#include <gtest/gtest.h>

#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;

// Two parameters (a LONG 7 and a NULL), types bound: as libmysqlclient sends a first execute.
const auto kBound = hex(
    "17 05 00 00 00 00 01 00 00 00"  // COM_STMT_EXECUTE, id 5, no cursor, 1 iteration
    "02"                             // null bitmap: second parameter NULL
    "01"                             // new params bound
    "03 00 06 00"                    // types: LONG, NULL
    "07 00 00 00");                  // value of the first parameter
// The next execute of the same statement: no types.
const auto kUnbound = hex("17 05 00 00 00 00 01 00 00 00 02 00 07 00 00 00");

TEST(ParseExecuteLayout, FindsTheBoundFlagAndTypes) {
  auto l = parse_execute_layout(kBound, 2);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->bound_flag_offset, 11u);
  EXPECT_TRUE(l->params_bound);
  EXPECT_EQ(std::vector<std::uint8_t>(l->types.begin(), l->types.end()), hex("03 00 06 00"));
  auto u = parse_execute_layout(kUnbound, 2);
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->params_bound);
  EXPECT_TRUE(u->types.empty());
}

TEST(ParseExecuteLayout, WithoutParametersThereIsNoFlag) {
  auto l = parse_execute_layout(hex("17 01 00 00 00 01 01 00 00 00"), 0);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->bound_flag_offset, 0u);
  EXPECT_EQ(l->flags, 1) << "cursor type";
}

TEST(ParseExecuteLayout, ShortPacketsAreTruncated) {
  for (std::size_t n = 0; n < kBound.size() - 4; ++n) {  // up to the end of the types
    auto l = parse_execute_layout(std::span(kBound).first(n), 2);
    EXPECT_FALSE(l) << "prefix " << n;
  }
}

TEST(RewriteExecute, ChangesTheIdOnly) {
  auto l = parse_execute_layout(kBound, 2);
  ASSERT_TRUE(l);
  auto out = rewrite_execute(kBound, *l, 0x01020304, {});
  auto expected = kBound;
  expected[1] = 0x04;
  expected[2] = 0x03;
  expected[3] = 0x02;
  expected[4] = 0x01;
  EXPECT_EQ(out, expected);
}

TEST(RewriteExecute, InjectsTypesTheBackendHasNotSeen) {
  auto l = parse_execute_layout(kUnbound, 2);
  ASSERT_TRUE(l);
  const auto types = hex("03 00 06 00");
  auto out = rewrite_execute(kUnbound, *l, 5, types);
  EXPECT_EQ(out, kBound);
}

}  // namespace
}  // namespace mysqlproxy::protocol
