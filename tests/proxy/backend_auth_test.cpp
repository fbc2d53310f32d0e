#include "proxy/backend/backend_auth.hpp"

#include <gtest/gtest.h>

#include "protocol/auth.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::proxy {
namespace {

const auto kScramble = test::hex("3d 4a 5c 2b 21 7e 6f 40 51 22 33 44 55 66 77 28 29 2a 2b 2c");

TEST(TrimScramble, DropsTheTrailingNulAndExtraBytes) {
  auto with_nul = kScramble;
  with_nul.push_back(0);
  EXPECT_EQ(trim_scramble(with_nul).size(), 20u);
  EXPECT_EQ(trim_scramble(kScramble).size(), 20u);
  EXPECT_TRUE(std::equal(kScramble.begin(), kScramble.end(), trim_scramble(with_nul).begin()));
}

TEST(InitialAuthResponse, NativePasswordMatchesTheScrambleFunction) {
  auto r = initial_auth_response(kNativePassword, "secret", kScramble);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, protocol::scramble_native_password("secret", kScramble));
  EXPECT_EQ(r->size(), 20u);
}

TEST(InitialAuthResponse, CachingSha2IsThirtyTwoBytes) {
  auto r = initial_auth_response(kCachingSha2Password, "secret", kScramble);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, protocol::scramble_caching_sha2("secret", kScramble));
  EXPECT_EQ(r->size(), 32u);
}

TEST(InitialAuthResponse, UnknownPluginIsUnsupported) {
  auto r = initial_auth_response("client_ed25519", "secret", kScramble);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), protocol::ProtocolErrc::kUnsupported);
}

TEST(InitialAuthResponse, HashedPasswordAnswersNativeOnly) {
  // SHA1(pw), as recovered from a client's answer to another scramble.
  const auto client_scramble = test::hex("21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34");
  const auto client_answer = protocol::scramble_native_password("secret", client_scramble);
  const auto stage1 =
      protocol::recover_native_stage1(client_answer, client_scramble, protocol::native_password_stage2("secret"));
  ASSERT_TRUE(stage1.has_value());
  auto r = initial_auth_response(kNativePassword, "", kScramble, stage1);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, protocol::scramble_native_password("secret", kScramble));
  auto sha2 = initial_auth_response(kCachingSha2Password, "", kScramble, stage1);
  ASSERT_FALSE(sha2);
  EXPECT_EQ(sha2.error(), protocol::ProtocolErrc::kUnsupported);
}

}  // namespace
}  // namespace mysqlproxy::proxy
