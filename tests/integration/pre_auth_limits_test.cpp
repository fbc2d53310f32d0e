// What a stranger can make the proxy hold before logging in: connection attributes (capped at
// 64 KiB as servers do, and stored as one block however many pairs it packs), the login packet
// size, and logins in progress per source address (limits.max_pending_logins_per_address).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "support/own_proxy_test.hpp"
#include "support/raw_conn.hpp"

namespace itest {
namespace {

using namespace std::chrono_literals;

#ifdef __SANITIZE_ADDRESS__
// ASan's shadow memory and quarantine make RSS say nothing about the proxy's own: print it only.
constexpr bool kUnderAddressSanitizer = true;
#else
constexpr bool kUnderAddressSanitizer = false;
#endif

class PreAuthLimitsTest : public OwnProxyTest {
 protected:
  // A greeting, then a native-password handshake response for `user` carrying an attribute
  // block of `block_size` bytes; the proxy's answer.
  RawConn::Reply login_with_attributes(RawConn& conn, const std::string& user, const std::string& password,
                                       std::size_t block_size) {
    const RawConn::Reply greeting = conn.read_packet();
    EXPECT_EQ(greeting.got, RawConn::Got::kPacket) << "greeting: " << greeting.describe();
    if (greeting.got != RawConn::Got::kPacket) return greeting;
    // The proxy may refuse (and close) before a large packet is all sent: the reply tells.
    if (!conn.send(frame(with_attribute_block(handshake_response(greeting, user, password), block_size), 1))) {
      return RawConn::Reply{RawConn::Got::kClosed};
    }
    return conn.read_packet();
  }

  // The log's tail once it holds `text` (or after 5 s).
  std::string wait_for_log(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    std::string log = proxy_->log_tail(200);
    while (log.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
      log = proxy_->log_tail(200);
    }
    return log;
  }
};

TEST_F(PreAuthLimitsTest, AnAttributeBlockOverSixtyFourKibibytesIsABadHandshake) {
  ProxyOptions options;
  options.limits = "{ login_failures: 0 }";
  START_OR_SKIP(options);
  {
    // The largest block a server takes: logged in.
    RawConn c(proxy_->port());
    const auto reply = login_with_attributes(c, "app", "app-pass", 65535);
    EXPECT_TRUE(reply.is_ok()) << reply.describe();
  }
  {
    // One byte more: ERR 1043, as from MariaDB, then the close.
    RawConn c(proxy_->port());
    const auto reply = login_with_attributes(c, "app", "app-pass", 65536);
    EXPECT_EQ(reply.err_code(), 1043) << reply.describe();
    EXPECT_TRUE(c.wait_closed(5s));
  }
  {
    // A login packet far over the cap (1 MiB of attributes) is refused before it is buffered.
    RawConn c(proxy_->port());
    const auto reply = login_with_attributes(c, "app", "app-pass", 1u << 20);
    EXPECT_TRUE(reply.err_code() == 1043 || reply.got == RawConn::Got::kClosed) << reply.describe();
    EXPECT_TRUE(c.wait_closed(5s));
  }
  expect_served("oversized attribute blocks");
}

TEST_F(PreAuthLimitsTest, LoginsInProgressPerAddressAreCappedAndGiveTheirSlotBack) {
  ProxyOptions options;
  options.limits = "{ max_pending_logins_per_address: 3 }";
  START_OR_SKIP(options);
  std::vector<RawConn> silent;
  for (int i = 0; i < 3; ++i) {
    RawConn c(proxy_->port());
    ASSERT_EQ(c.read_packet().got, RawConn::Got::kPacket) << "connection " << i << " greeted";
    silent.push_back(std::move(c));
  }
  {
    // The fourth from the same address: ERR 1040 instead of the greeting.
    RawConn c(proxy_->port());
    const auto first = c.read_packet();
    EXPECT_EQ(first.err_code(), 1040) << first.describe();
    EXPECT_EQ(first.seq, 0);
    EXPECT_TRUE(c.wait_closed(5s));
  }
  EXPECT_EQ(metric("mysql_proxy_client_connections_rejected_total", "reason=\"max_pending_logins\""), 1);
  EXPECT_NE(proxy_->log_tail(200).find("logins in progress (limits.max_pending_logins_per_address)"), std::string::npos);
  // One of them leaves: its slot comes back (once the proxy has seen the close), and a real
  // client logs in. Until then a try is refused: not open(), which counts that as a failure.
  silent.pop_back();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  Client c;
  while (std::chrono::steady_clock::now() < deadline) {
    c = Client();
    c.set_read_timeout(30);
    if (c.connect(proxy_->host(), proxy_->port(), "app", "app-pass", "proxytest")) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(c.connected()) << c.describe_error();
  // A logged-in session holds no slot: two more strangers fit beside the two still waiting.
  EXPECT_EQ(must_scalar(c, "SELECT 1"), "1");
  RawConn another(proxy_->port());
  EXPECT_EQ(another.read_packet().got, RawConn::Got::kPacket);
}

TEST_F(PreAuthLimitsTest, ExemptSourcesAreNotCounted) {
  ProxyOptions options;
  options.limits = "{ max_pending_logins_per_address: 2, login_throttle_exempt: [127.0.0.0/8] }";
  START_OR_SKIP(options);
  std::vector<RawConn> silent;
  for (int i = 0; i < 6; ++i) {
    RawConn c(proxy_->port());
    const auto first = c.read_packet();
    ASSERT_EQ(first.got, RawConn::Got::kPacket) << i << ": " << first.describe();
    EXPECT_NE(first.payload[0], 0xff) << i << ": " << first.describe();
    silent.push_back(std::move(c));
  }
  expect_served("six pending logins from an exempt source");
}

// The attack the cap answers: strangers (an unknown user: no credentials needed) send the largest
// attribute block there is, packed with empty pairs, and then hold the login open at the auth
// switch. 500 of them must keep the proxy under 200 MB.
TEST_F(PreAuthLimitsTest, FiveHundredStrangersWithMaximalAttributeBlocksStayUnderTwoHundredMegabytes) {
  ProxyOptions options;
  options.limits = "{ login_failures: 0, max_pending_logins_per_address: 0 }";
  options.handshake_timeout = "120s";
  options.log_level = "info";
  START_OR_SKIP(options);
  Client warm = open();
  ASSERT_EQ(must_scalar(warm, "SELECT 1"), "1");
  std::this_thread::sleep_for(300ms);
  const long before = rss_kib(proxy_->pid());
  ASSERT_GT(before, 0);
  constexpr int kStrangers = 500;
  std::vector<RawConn> held;
  held.reserve(kStrangers);
  for (int i = 0; i < kStrangers; ++i) {
    RawConn c(proxy_->port());
    ASSERT_TRUE(c.ok()) << i;
    const RawConn::Reply greeting = c.read_packet();
    ASSERT_EQ(greeting.got, RawConn::Got::kPacket) << i << ": " << greeting.describe();
    // Answered for caching_sha2_password: the proxy switches it to mysql_native_password and
    // waits for the reply, holding what the login carried.
    Bytes response = handshake_response(greeting, "nobody-" + std::to_string(i), "guess");
    const std::string native(proto::kMysqlNativePassword);
    const auto at = std::search(response.begin(), response.end(), native.begin(), native.end());
    ASSERT_NE(at, response.end());
    const auto pos = at - response.begin();
    response.erase(at, at + static_cast<std::ptrdiff_t>(native.size()));
    const std::string sha2 = "caching_sha2_password";
    response.insert(response.begin() + pos, sha2.begin(), sha2.end());
    ASSERT_TRUE(c.send(frame(with_attribute_block(response, 65535), 1)));
    held.push_back(std::move(c));
  }
  // Each has its auth switch request: the proxy holds them all at once.
  for (int i = 0; i < kStrangers; ++i) {
    const auto reply = held[static_cast<std::size_t>(i)].read_packet(10s);
    ASSERT_EQ(reply.got, RawConn::Got::kPacket) << i << ": " << reply.describe();
    ASSERT_EQ(reply.payload[0], 0xfe) << i << ": an auth switch request, got " << reply.describe();
  }
  const long during = rss_kib(proxy_->pid());
  std::cout << "[ rss ] " << kStrangers << " strangers holding 64 KiB attribute blocks at the auth switch: "
            << before / 1024 << " MiB before, " << during / 1024 << " MiB during\n";
  if (!kUnderAddressSanitizer) EXPECT_LT(during, 200 * 1024) << "RSS " << during / 1024 << " MiB";
  EXPECT_EQ(must_scalar(warm, "SELECT 2"), "2");
  held.clear();
  expect_served("500 strangers with maximal attribute blocks");
}

// A user name is the client's to choose, newlines included: it must not forge a log line.
TEST_F(PreAuthLimitsTest, AUserNameCannotForgeALogLine) {
  ProxyOptions options;
  options.log_level = "info";
  START_OR_SKIP(options);
  const std::string forged = "2001-01-01 00:00:00.000 info  [t1] [s1] user 'root' logged in";
  RawConn c(proxy_->port());
  const auto greeting = c.read_packet();
  ASSERT_EQ(greeting.got, RawConn::Got::kPacket);
  ASSERT_TRUE(c.send(frame(handshake_response(greeting, "evil\n" + forged, "guess"), 1)));
  EXPECT_EQ(c.read_packet().err_code(), 1045);
  const std::string log = wait_for_log("access denied for user 'evil");
  EXPECT_NE(log.find("access denied for user 'evil\\x0a2001-01-01"), std::string::npos) << log;
  EXPECT_EQ(log.find("\n" + forged), std::string::npos) << "a forged line in the log:\n" << log;
}

}  // namespace
}  // namespace itest
