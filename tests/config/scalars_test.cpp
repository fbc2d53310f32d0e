#include "config/scalars.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace mysqlproxy::config {
namespace {

using std::chrono::milliseconds;

TEST(ParseUnsigned, AcceptsDecimalDigits) {
  EXPECT_EQ(parse_unsigned("0"), 0u);
  EXPECT_EQ(parse_unsigned("3306"), 3306u);
  EXPECT_EQ(parse_unsigned("007"), 7u);
  EXPECT_EQ(parse_unsigned("18446744073709551615"), 18446744073709551615ull);
}

TEST(ParseUnsigned, RejectsAnythingButDigits) {
  for (const char* text :
       {"", "-1", "+1", " 1", "1 ", "0x10", "1_000", "1.0", "1e3", "abc", "18446744073709551616"}) {
    EXPECT_EQ(parse_unsigned(text), std::nullopt) << text;
  }
}

struct DurationCase {
  const char* text;
  std::optional<milliseconds> expected;
};

class ParseDuration : public testing::TestWithParam<DurationCase> {};

TEST_P(ParseDuration, ParsesOrRejects) {
  EXPECT_EQ(parse_duration(GetParam().text), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Forms, ParseDuration,
    testing::Values(
        DurationCase{"0", milliseconds(0)}, DurationCase{"0ms", milliseconds(0)},
        DurationCase{"0s", milliseconds(0)}, DurationCase{"250ms", milliseconds(250)},
        DurationCase{"2s", milliseconds(2000)}, DurationCase{"1.5s", milliseconds(1500)},
        DurationCase{"0.25s", milliseconds(250)}, DurationCase{"0.001s", milliseconds(1)},
        DurationCase{"5m", milliseconds(300000)}, DurationCase{"1.5m", milliseconds(90000)},
        DurationCase{"8h", milliseconds(28800000)}, DurationCase{"0.5h", milliseconds(1800000)},
        DurationCase{"8760h", milliseconds(31536000000)}));

INSTANTIATE_TEST_SUITE_P(
    Malformed, ParseDuration,
    testing::Values(DurationCase{"", std::nullopt}, DurationCase{"5", std::nullopt},
                    DurationCase{"0.0", std::nullopt}, DurationCase{"s", std::nullopt},
                    DurationCase{"ms", std::nullopt}, DurationCase{"5d", std::nullopt},
                    DurationCase{"5 s", std::nullopt}, DurationCase{"-1s", std::nullopt},
                    DurationCase{"+1s", std::nullopt}, DurationCase{"1.5ms", std::nullopt},
                    DurationCase{"0.0001s", std::nullopt}, DurationCase{".5s", std::nullopt},
                    DurationCase{"1.s", std::nullopt}, DurationCase{"1..5s", std::nullopt},
                    DurationCase{"2S", std::nullopt}, DurationCase{"1s500ms", std::nullopt},
                    DurationCase{"99999999999999999999h", std::nullopt}));

struct SizeCase {
  const char* text;
  std::optional<std::uint64_t> expected;
};

class ParseSize : public testing::TestWithParam<SizeCase> {};

TEST_P(ParseSize, ParsesOrRejects) {
  EXPECT_EQ(parse_size(GetParam().text), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(Forms, ParseSize,
                         testing::Values(SizeCase{"0", 0}, SizeCase{"65536", 65536},
                                         SizeCase{"1KiB", 1024}, SizeCase{"64KiB", 65536},
                                         SizeCase{"64MiB", 64ull << 20},
                                         SizeCase{"1GiB", 1ull << 30},
                                         SizeCase{"3GiB", 3ull << 30}));

INSTANTIATE_TEST_SUITE_P(
    Malformed, ParseSize,
    testing::Values(SizeCase{"", std::nullopt}, SizeCase{"KiB", std::nullopt},
                    SizeCase{"64MB", std::nullopt}, SizeCase{"64mib", std::nullopt},
                    SizeCase{"64 MiB", std::nullopt}, SizeCase{"1.5MiB", std::nullopt},
                    SizeCase{"-1", std::nullopt}, SizeCase{"64MiBMiB", std::nullopt},
                    SizeCase{"99999999999999999999GiB", std::nullopt},
                    SizeCase{"17179869184GiB", std::nullopt}));

TEST(FormatSize, UsesTheLargestExactSuffix) {
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(1024), "1KiB");
  EXPECT_EQ(format_size(1536), "1536");
  EXPECT_EQ(format_size(64ull << 20), "64MiB");
  EXPECT_EQ(format_size(1ull << 30), "1GiB");
}

TEST(FormatDuration, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(2000)), "2s");
  EXPECT_EQ(format_duration(milliseconds(90000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(300000)), "5m");
  EXPECT_EQ(format_duration(std::chrono::hours(8760)), "8760h");
}

TEST(FormatDuration, RoundTripsThroughParseDuration) {
  for (auto value :
       {milliseconds(1), milliseconds(999), milliseconds(61000), milliseconds(7200000)}) {
    EXPECT_EQ(parse_duration(format_duration(value)), value);
  }
}

}  // namespace
}  // namespace mysqlproxy::config
