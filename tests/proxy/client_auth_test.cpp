#include "proxy/session/client_auth.hpp"

#include <gtest/gtest.h>

#include "protocol/auth.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::proxy {
namespace {

using test::bytes_of;

TEST(MakeScramble, IsTwentyPrintableBytesAndFresh) {
  const auto a = make_scramble();
  const auto b = make_scramble();
  ASSERT_EQ(a.size(), 20u);
  for (char c : a) {
    EXPECT_GE(c, '!');
    EXPECT_LE(c, '~');
  }
  EXPECT_NE(a, b);
}

TEST(VerifyClientPassword, AcceptsTheRightAnswerOnly) {
  const config::UserConfig user{"app", "app-pass"};
  const auto scramble = make_scramble();
  const auto good = protocol::scramble_native_password("app-pass", bytes_of(scramble));
  const auto bad = protocol::scramble_native_password("app-pas", bytes_of(scramble));
  EXPECT_TRUE(verify_client_password(&user, good, bytes_of(scramble)));
  EXPECT_FALSE(verify_client_password(&user, bad, bytes_of(scramble)));
  EXPECT_FALSE(verify_client_password(&user, {}, bytes_of(scramble)));
  const auto other_scramble = make_scramble();
  EXPECT_FALSE(verify_client_password(&user, good, bytes_of(other_scramble)));
}

TEST(VerifyClientPassword, UnknownUserNeverMatches) {
  const auto scramble = make_scramble();
  const auto answer = protocol::scramble_native_password("\x01unknown", bytes_of(scramble));
  EXPECT_FALSE(verify_client_password(nullptr, answer, bytes_of(scramble)));
  EXPECT_FALSE(verify_client_password(nullptr, {}, bytes_of(scramble)));
}

TEST(VerifyClientPassword, EmptyPasswordWantsAnEmptyAnswer) {
  const config::UserConfig user{"guest", ""};
  const auto scramble = make_scramble();
  EXPECT_TRUE(verify_client_password(&user, {}, bytes_of(scramble)));
  const auto answer = protocol::scramble_native_password("x", bytes_of(scramble));
  EXPECT_FALSE(verify_client_password(&user, answer, bytes_of(scramble)));
}

TEST(AccessDeniedMessage, ReadsLikeTheServers) {
  EXPECT_EQ(access_denied_message("app", "10.0.0.1", true), "Access denied for user 'app'@'10.0.0.1' (using password: YES)");
  EXPECT_EQ(access_denied_message("x", "h", false), "Access denied for user 'x'@'h' (using password: NO)");
}

}  // namespace
}  // namespace mysqlproxy::proxy
