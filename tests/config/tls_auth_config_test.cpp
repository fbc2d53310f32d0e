// The tls and auth sections, TLS per backend, and the users' plugin, require_tls and hashed
// passwords: how they load and what validation refuses.
#include <gtest/gtest.h>

#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using test_support::error_of;
using test_support::load_ok;

constexpr std::string_view kPrimary = "backends:\n  - { name: primary, host: db, role: primary }\n";

TEST(TlsAuthConfig, DefaultsAreNoTlsAndNativePasswords) {
  const Config c = load_ok(std::string(kPrimary) + "users:\n  - { name: app, password: secret }\n");
  EXPECT_FALSE(c.tls.enabled());
  EXPECT_FALSE(c.tls.require);
  EXPECT_EQ(c.tls.min_version, TlsVersion::kTls12);
  EXPECT_EQ(c.auth.default_plugin, AuthPlugin::kNativePassword);
  EXPECT_EQ(c.backends[0].tls.mode, BackendTlsMode::kDisabled);
  EXPECT_EQ(c.users[0].auth_plugin, AuthPlugin::kNativePassword);
  EXPECT_FALSE(c.users[0].require_tls);
  EXPECT_FALSE(c.users[0].password_is_hash);
}

TEST(TlsAuthConfig, LoadsEveryField) {
  test_support::TempDir dir;
  const std::string path = dir.write("proxy.yaml",
      "backends:\n"
      "  - name: primary\n"
      "    host: db-0.db\n"
      "    role: primary\n"
      "    tls: { mode: verify_identity, ca_file: ca.pem, server_name: db.example, min_version: TLSv1.3 }\n"
      "users:\n"
      "  - { name: app, password: secret, auth_plugin: caching_sha2_password, require_tls: true }\n"
      "  - { name: legacy, password: \"*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9\" }\n"
      "tls: { cert_file: tls/cert.pem, key_file: /abs/key.pem, min_version: TLSv1.3, require: true }\n"
      "auth: { default_plugin: caching_sha2_password, rsa_private_key_file: rsa.pem }\n");
  auto result = load_config_file(path);
  ASSERT_TRUE(result) << error_of(result);
  const std::string base = dir.path().string();
  const Config& c = *result;
  EXPECT_EQ(c.backends[0].tls.mode, BackendTlsMode::kVerifyIdentity);
  EXPECT_EQ(c.backends[0].tls.ca_file, base + "/ca.pem");  // relative to the config file
  EXPECT_EQ(c.backends[0].tls.server_name, "db.example");
  EXPECT_EQ(c.backends[0].tls.min_version, TlsVersion::kTls13);
  EXPECT_EQ(c.users[0].auth_plugin, AuthPlugin::kCachingSha2Password);
  EXPECT_TRUE(c.users[0].require_tls);
  EXPECT_TRUE(c.users[1].password_is_hash);
  EXPECT_EQ(c.tls.cert_file, base + "/tls/cert.pem");
  EXPECT_EQ(c.tls.key_file, "/abs/key.pem");
  EXPECT_TRUE(c.tls.require);
  EXPECT_EQ(c.auth.default_plugin, AuthPlugin::kCachingSha2Password);
  EXPECT_EQ(c.auth.rsa_private_key_file, base + "/rsa.pem");
}

TEST(TlsAuthConfig, OnlyStarAndFortyHexDigitsIsAHash) {
  EXPECT_TRUE(is_native_password_hash("*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9"));
  EXPECT_TRUE(is_native_password_hash("*6bb4837eb74329105ee4568dda7dc67ed2ca2ad9"));
  EXPECT_FALSE(is_native_password_hash("6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9"));
  EXPECT_FALSE(is_native_password_hash("*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD"));
  EXPECT_FALSE(is_native_password_hash("*6BB4837EB74329105EE4568DDA7DC67ED2CA2ADZ"));
  EXPECT_FALSE(is_native_password_hash(""));
}

struct Refusal {
  const char* yaml;
  const char* message;
};

class TlsAuthConfigRejects : public ::testing::TestWithParam<Refusal> {};

TEST_P(TlsAuthConfigRejects, WithTheExactMessage) {
  auto result = load_config_text(std::string(kPrimary) + GetParam().yaml, "proxy.yaml");
  EXPECT_EQ(error_of(result), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TlsAuthConfigRejects,
    ::testing::Values(
        Refusal{"users:\n  - { name: app, password: \"*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9\", "
                "auth_plugin: caching_sha2_password }\n",
                "proxy.yaml:4:86: users[0].auth_plugin: caching_sha2_password needs the clear-text password, not a "
                "mysql_native_password hash"},
        Refusal{"users:\n  - { name: app, password: x, require_tls: true }\n",
                "proxy.yaml:4:44: users[0].require_tls: needs TLS to clients (tls.cert_file and tls.key_file)"},
        Refusal{"users:\n  - { name: app, password: x }\ntls: { cert_file: c.pem }\n",
                "proxy.yaml:5:6: tls.key_file: tls.cert_file and tls.key_file go together"},
        Refusal{"users:\n  - { name: app, password: x }\ntls: { require: true }\n",
                "proxy.yaml:5:17: tls.require: needs tls.cert_file and tls.key_file"},
        Refusal{"users:\n  - { name: app, password: x, auth_plugin: sha256_password }\n",
                "proxy.yaml:4:44: users[0].auth_plugin: expected one of mysql_native_password, caching_sha2_password, got "
                "\"sha256_password\""}));

}  // namespace
}  // namespace mysqlproxy::config
