#include "config/error.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mysqlproxy::config {
namespace {

TEST(MakeError, FormatsSourceLineColumnPathAndReason) {
  EXPECT_EQ(make_error("proxy.yaml", Location{12, 11}, "backends[1].port", "bad").message,
            "proxy.yaml:12:11: backends[1].port: bad");
}

TEST(MakeError, LeavesOutWhatIsUnknown) {
  EXPECT_EQ(make_error("proxy.yaml", std::nullopt, "workers", "bad").message,
            "proxy.yaml: workers: bad");
  EXPECT_EQ(make_error("proxy.yaml", Location{3, 5}, "", "bad").message, "proxy.yaml:3:5: bad");
  EXPECT_EQ(make_error("", Location{3, 5}, "workers", "bad").message, "3:5: workers: bad");
  EXPECT_EQ(make_error("", std::nullopt, "workers", "bad").message, "workers: bad");
  EXPECT_EQ(make_error("", std::nullopt, "", "bad").message, "bad");
}

TEST(ResultValue, ThrowsRuntimeErrorWithTheMessage) {
  Result<int> result = ConfigError{"proxy.yaml:1:1: workers: bad"};
  try {
    (void)result.value();
    FAIL() << "value() on an error must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "proxy.yaml:1:1: workers: bad");
  }
}

TEST(ResultValue, ThrowsForVoidResultsToo) {
  Result<void> result = ConfigError{"bad"};
  EXPECT_THROW(result.value(), std::runtime_error);
  Result<void> fine;
  EXPECT_NO_THROW(fine.value());
}

TEST(StringResult, HoldsTheStringAsAValue) {
  Result<std::string> result = string_result("secret");
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, "secret");
}

}  // namespace
}  // namespace mysqlproxy::config
