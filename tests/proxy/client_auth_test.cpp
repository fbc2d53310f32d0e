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

TEST(VerifyNative, AcceptsTheRightAnswerOnly) {
  const config::UserConfig user{"app", "app-pass"};
  const auto scramble = make_scramble();
  const auto good = protocol::scramble_native_password("app-pass", bytes_of(scramble));
  const auto bad = protocol::scramble_native_password("app-pas", bytes_of(scramble));
  EXPECT_TRUE(verify_native(&user, good, bytes_of(scramble)).ok);
  EXPECT_FALSE(verify_native(&user, good, bytes_of(scramble)).stage1);  // clear password: not needed
  EXPECT_FALSE(verify_native(&user, bad, bytes_of(scramble)).ok);
  EXPECT_FALSE(verify_native(&user, {}, bytes_of(scramble)).ok);
  const auto other_scramble = make_scramble();
  EXPECT_FALSE(verify_native(&user, good, bytes_of(other_scramble)).ok);
}

TEST(VerifyNative, UnknownUserNeverMatches) {
  const auto scramble = make_scramble();
  const auto answer = protocol::scramble_native_password("\x01unknown", bytes_of(scramble));
  EXPECT_FALSE(verify_native(nullptr, answer, bytes_of(scramble)).ok);
  EXPECT_FALSE(verify_native(nullptr, {}, bytes_of(scramble)).ok);
}

TEST(VerifyNative, EmptyPasswordWantsAnEmptyAnswer) {
  const config::UserConfig user{"guest", ""};
  const auto scramble = make_scramble();
  EXPECT_TRUE(verify_native(&user, {}, bytes_of(scramble)).ok);
  const auto answer = protocol::scramble_native_password("x", bytes_of(scramble));
  EXPECT_FALSE(verify_native(&user, answer, bytes_of(scramble)).ok);
}

TEST(VerifyNative, HashedPasswordYieldsWhatTheBackendLoginNeeds) {
  // SELECT PASSWORD('app-pass') on MariaDB 10.11.
  config::UserConfig user{"app", protocol::format_native_password_hash(protocol::native_password_stage2("app-pass"))};
  user.password_is_hash = true;
  const auto scramble = make_scramble();
  const auto answer = protocol::scramble_native_password("app-pass", bytes_of(scramble));
  const NativeVerdict verdict = verify_native(&user, answer, bytes_of(scramble));
  ASSERT_TRUE(verdict.ok);
  ASSERT_TRUE(verdict.stage1.has_value());
  // With it the proxy answers a backend's fresh scramble exactly as the password would.
  const auto backend_scramble = make_scramble();
  EXPECT_EQ(protocol::scramble_native_from_stage1(*verdict.stage1, bytes_of(backend_scramble)),
            protocol::scramble_native_password("app-pass", bytes_of(backend_scramble)));
  const auto wrong = protocol::scramble_native_password("app-pas", bytes_of(scramble));
  EXPECT_FALSE(verify_native(&user, wrong, bytes_of(scramble)).ok);
  EXPECT_FALSE(verify_native(&user, wrong, bytes_of(scramble)).stage1);
}

TEST(VerifySha2, ScrambleAnswerAndClearPassword) {
  const config::UserConfig user{"app", "app-pass"};
  const auto scramble = make_scramble();
  const auto good = protocol::scramble_caching_sha2("app-pass", bytes_of(scramble));
  const auto bad = protocol::scramble_caching_sha2("app-pas", bytes_of(scramble));
  EXPECT_TRUE(verify_sha2_scramble(&user, good, bytes_of(scramble)));
  EXPECT_FALSE(verify_sha2_scramble(&user, bad, bytes_of(scramble)));
  EXPECT_FALSE(verify_sha2_scramble(nullptr, good, bytes_of(scramble)));
  EXPECT_TRUE(verify_clear_password(&user, "app-pass"));
  EXPECT_FALSE(verify_clear_password(&user, "app-pas"));
  EXPECT_FALSE(verify_clear_password(&user, ""));
  EXPECT_FALSE(verify_clear_password(nullptr, "\x01unknown"));
}

TEST(VerifySha2, HashedPasswordCannotBeComparedInClear) {
  config::UserConfig user{"app", "*" + std::string(40, 'A')};
  user.password_is_hash = true;
  EXPECT_FALSE(verify_clear_password(&user, user.password));
}

TEST(PluginName, IsTheWireName) {
  EXPECT_EQ(plugin_name(config::AuthPlugin::kNativePassword), "mysql_native_password");
  EXPECT_EQ(plugin_name(config::AuthPlugin::kCachingSha2Password), "caching_sha2_password");
}

TEST(AccessDeniedMessage, ReadsLikeTheServers) {
  EXPECT_EQ(access_denied_message("app", "10.0.0.1", true), "Access denied for user 'app'@'10.0.0.1' (using password: YES)");
  EXPECT_EQ(access_denied_message("x", "h", false), "Access denied for user 'x'@'h' (using password: NO)");
}

TEST(InsecureTransportRefusal, OnlyWithoutTlsWhenTheListenerOrTheUserAsks) {
  config::Config cfg;
  config::UserConfig user;
  user.name = "app";
  EXPECT_FALSE(insecure_transport_refusal(cfg, user, false)) << "neither asks";
  user.require_tls = true;
  EXPECT_EQ(insecure_transport_refusal(cfg, user, false), "Connections using insecure transport are prohibited while --require_secure_transport=ON.");
  EXPECT_FALSE(insecure_transport_refusal(cfg, user, true));
  user.require_tls = false;
  cfg.tls.require = true;
  EXPECT_TRUE(insecure_transport_refusal(cfg, user, false));
  EXPECT_FALSE(insecure_transport_refusal(cfg, user, true));
}

}  // namespace
}  // namespace mysqlproxy::proxy
