// auth.backend_users, pure parts: host patterns as the server matches them, which account a login
// takes, and the user entry it is checked against.
#include "proxy/health/backend_users.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mysqlproxy::proxy {
namespace {

struct HostCase {
  const char* pattern;
  const char* client;
  bool matches;
};

class HostMatches : public testing::TestWithParam<HostCase> {};

TEST_P(HostMatches, AsTheServerMatchesThem) {
  EXPECT_EQ(host_matches(GetParam().pattern, GetParam().client), GetParam().matches)
      << GetParam().pattern << " vs " << GetParam().client;
}

INSTANTIATE_TEST_SUITE_P(
    Table, HostMatches,
    testing::Values(HostCase{"%", "203.0.113.9", true},                       // anyone
                    HostCase{"localhost", "127.0.0.1", true},                 // loopback is localhost
                    HostCase{"localhost", "::1", true},
                    HostCase{"localhost", "::ffff:127.0.0.1", true},          // dual-stack listener
                    HostCase{"localhost", "10.0.0.7", false},
                    HostCase{"127.0.0.1", "127.0.0.1", true},
                    HostCase{"10.0.0.7", "10.0.0.7", true},                   // literal address
                    HostCase{"10.0.0.7", "10.0.0.70", false},
                    HostCase{"10.0.%", "10.0.3.4", true},                     // wildcards
                    HostCase{"10.0.%", "10.1.3.4", false},
                    HostCase{"10.0.0._", "10.0.0.5", true},
                    HostCase{"10.0.0._", "10.0.0.55", false},
                    HostCase{"10.0.%", "::ffff:10.0.3.4", true},
                    HostCase{"10.0.0.0/255.255.0.0", "10.0.200.1", true},     // netmask
                    HostCase{"10.0.0.0/255.255.0.0", "10.1.0.1", false},
                    HostCase{"10.0.0.0/255.255.0.0", "::1", false},
                    HostCase{"db.example", "10.0.0.7", false}));              // names: never by address

TEST(BackendUsers, MoreSpecificHostsComeFirst) {
  EXPECT_GT(host_specificity("10.0.0.7"), host_specificity("10.0.%"));
  EXPECT_GT(host_specificity("10.0.%"), host_specificity("10.%"));
  EXPECT_GT(host_specificity("10.%"), host_specificity("%"));
  EXPECT_GT(host_specificity("localhost"), host_specificity("%"));
}

constexpr const char* kHash = "*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9";  // PASSWORD('123456')

BackendUsers accounts() {
  BackendUsers u;
  u.version = 1;
  u.accounts = {
      {"app", "%", "mysql_native_password", kHash},
      {"app", "localhost", "mysql_native_password", ""},
      {"sock", "localhost", "unix_socket", ""},
      {"ed", "%", "ed25519", "ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY"},
      {"ed", "10.0.%", "mysql_native_password", kHash},
      {"broken", "%", "mysql_native_password", "not-a-hash"},
  };
  return u;
}

TEST(BackendUsers, TheMostSpecificMatchingAccountWins) {
  const auto u = accounts();
  auto local = find_account(u, "app", "127.0.0.1");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->host, "localhost");
  auto remote = find_account(u, "app", "10.9.9.9");
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->host, "%");
  EXPECT_FALSE(find_account(u, "nobody", "127.0.0.1"));
}

TEST(BackendUsers, AccountsWhosePluginTheProxyCannotCheckAreRefused) {
  const auto u = accounts();
  EXPECT_FALSE(find_account(u, "sock", "127.0.0.1"));
  EXPECT_FALSE(find_account(u, "ed", "192.0.2.1")) << "ed25519";
  EXPECT_TRUE(find_account(u, "ed", "10.0.1.1")) << "its native account for 10.0.%";
  EXPECT_FALSE(find_account(u, "broken", "127.0.0.1")) << "an unreadable hash";
}

TEST(BackendUsers, TheUserEntryCarriesTheHashOrNoPassword) {
  const auto u = accounts();
  const auto hashed = user_config_of(*find_account(u, "app", "10.9.9.9"));
  EXPECT_EQ(hashed.name, "app");
  EXPECT_EQ(hashed.password, kHash);
  EXPECT_TRUE(hashed.password_is_hash);
  EXPECT_EQ(hashed.auth_plugin, config::AuthPlugin::kNativePassword);
  const auto empty = user_config_of(*find_account(u, "app", "127.0.0.1"));
  EXPECT_EQ(empty.password, "");
  EXPECT_FALSE(empty.password_is_hash);
}

}  // namespace
}  // namespace mysqlproxy::proxy
