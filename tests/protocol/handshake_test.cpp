#include "protocol/handshake.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::split_frames;
using test::testdata_hex;
using test::to_hex;

std::vector<std::uint8_t> only_payload(const std::vector<std::uint8_t>& wire) {
  auto packets = split_frames(wire);
  EXPECT_EQ(packets.size(), 1u);
  return packets.at(0);
}

// ---------------------------------------------------------------- InitialHandshakeV10

constexpr std::uint32_t kMariaDb1011Caps = 0x81fff7fe;  // CLIENT_MYSQL (bit 0) clear

struct GreetingRow {
  std::string name;
  std::vector<std::uint8_t> bytes;  // payload
  InitialHandshakeV10 expected;
};

class Greeting : public ::testing::TestWithParam<GreetingRow> {};

TEST_P(Greeting, Decodes) {
  auto v = decode_initial_handshake(GetParam().bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
}

TEST_P(Greeting, EncodesToTheSameBytes) {
  std::vector<std::uint8_t> out;
  encode_initial_handshake(GetParam().expected, out);
  EXPECT_EQ(to_hex(out), to_hex(GetParam().bytes));
}

// Everything up to the scramble's part 2 is required (a greeting may stop right after the lower
// capability bits, like pre-4.1 servers); the plugin name may lack its NUL or be cut.
TEST_P(Greeting, PrefixesAreTruncated) {
  const auto& bytes = GetParam().bytes;
  const std::size_t lower_caps_end = 1 + GetParam().expected.server_version.size() + 1 + 4 + 8 + 1 + 2;
  const std::size_t part2_end = lower_caps_end + 1 + 2 + 2 + 1 + 10 + 13;
  for (std::size_t n = 0; n < part2_end; ++n) {
    if (n == lower_caps_end) continue;
    auto v = decode_initial_handshake(std::span(bytes.data(), n));
    ASSERT_FALSE(v) << "prefix " << n;
    EXPECT_EQ(v.error(), ProtocolErrc::kTruncated) << "prefix " << n;
  }
}

InitialHandshakeV10 mariadb_greeting() {
  InitialHandshakeV10 g;
  g.server_version = "5.5.5-10.11.19-MariaDB-0+deb12u1-log";
  g.connection_id = 5;
  g.auth_plugin_data = "+c4w{&Hv>l+-?5-~Y\"86";
  g.capabilities = Capabilities{kMariaDb1011Caps};
  g.character_set = 8;
  g.status_flags = kServerStatusAutocommit;
  g.auth_plugin_name = "mysql_native_password";
  g.mariadb_extended_capabilities = kMariaDbClientProgress | kMariaDbClientStmtBulkOperations |
                                    kMariaDbClientExtendedMetadata | kMariaDbClientCacheMetadata;
  return g;
}

InitialHandshakeV10 mysql8_greeting() {
  InitialHandshakeV10 g;
  g.server_version = "8.0.36";
  g.connection_id = 42;
  g.auth_plugin_data = std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14", 20);
  g.capabilities = Capabilities{0xdfffffff};
  g.character_set = 255;
  g.status_flags = kServerStatusAutocommit;
  g.auth_plugin_name = "caching_sha2_password";
  return g;
}

InitialHandshakeV10 no_plugin_auth_greeting() {
  InitialHandshakeV10 g;
  g.server_version = "5.0.96";
  g.connection_id = 1;
  g.auth_plugin_data = "abcdefghijklmnopqrst";
  g.capabilities = Capabilities{0xf7ff};  // SECURE_CONNECTION, no PLUGIN_AUTH
  g.character_set = 8;
  g.status_flags = kServerStatusAutocommit;
  return g;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Greeting,
    ::testing::Values(
        GreetingRow{"mariadb_10_11_captured", only_payload(testdata_hex("server_greeting.hex")), mariadb_greeting()},
        GreetingRow{"mariadb_10_11_extended_login_captured",
                    split_frames(testdata_hex("login_extended_metadata.hex")).at(0),
                    [] {
                      InitialHandshakeV10 g = mariadb_greeting();
                      g.connection_id = 11;
                      g.auth_plugin_data = "VpNu$PEJ$r6T%VezTtmG";
                      g.capabilities = Capabilities{0x81fffffe};  // this server offers TLS
                      g.character_set = 45;
                      return g;
                    }()},
        GreetingRow{"mysql8_caching_sha2", hex(R"(
            0a                                        // protocol version
            38 2e 30 2e 33 36 00                      // "8.0.36"
            2a 00 00 00                               // connection id
            01 02 03 04 05 06 07 08 00                // scramble part 1, filler
            ff ff ff 02 00 ff df                      // caps low, charset, status, caps high
            15                                        // auth-plugin-data length: 20 + NUL
            00 00 00 00 00 00 00 00 00 00             // reserved (CLIENT_MYSQL set: no MariaDB caps)
            09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 00    // scramble part 2 + NUL
            63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72 64 00)"),
                    mysql8_greeting()},
        GreetingRow{"no_plugin_auth", hex(R"(
            0a 35 2e 30 2e 39 36 00 01 00 00 00
            61 62 63 64 65 66 67 68 00
            ff f7 08 02 00 00 00
            00                                        // no PLUGIN_AUTH: length byte 0
            00 00 00 00 00 00 00 00 00 00
            69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 00)"),
                    no_plugin_auth_greeting()}),
    [](const auto& info) { return info.param.name; });

TEST(Greeting, OtherCapturedGreetingsDecode) {
  for (const char* file : {"server_greeting_2.hex", "server_greeting_mariadb_client.hex", "server_greeting_ssl.hex"}) {
    const auto payload = only_payload(testdata_hex(file));
    auto v = decode_initial_handshake(payload);
    ASSERT_TRUE(v) << file;
    EXPECT_EQ(v->auth_plugin_data.size(), 20u) << file;
    std::vector<std::uint8_t> out;
    encode_initial_handshake(*v, out);
    EXPECT_EQ(out, payload) << file;
  }
  auto ssl = decode_initial_handshake(only_payload(testdata_hex("server_greeting_ssl.hex")));
  ASSERT_TRUE(ssl);
  EXPECT_TRUE(ssl->capabilities.has(kClientSsl));
  EXPECT_FALSE(mariadb_greeting().capabilities.has(kClientSsl));
}

TEST(Greeting, Pre41GreetingEndingAfterLowerCapabilities) {
  const auto bytes = hex("0a 34 2e 31 00 07 00 00 00 61 62 63 64 65 66 67 68 00 2c a2");
  auto v = decode_initial_handshake(bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->server_version, "4.1");
  EXPECT_EQ(v->connection_id, 7u);
  EXPECT_EQ(v->auth_plugin_data, "abcdefgh");
  EXPECT_EQ(v->capabilities.bits, 0xa22cu);
}

TEST(Greeting, PluginNameWithoutNulIsTolerated) {
  auto bytes = only_payload(testdata_hex("server_greeting.hex"));
  bytes.pop_back();
  auto v = decode_initial_handshake(bytes);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->auth_plugin_name, "mysql_native_password");
}

TEST(Greeting, TrailingGarbageIsExtraBytes) {
  auto bytes = only_payload(testdata_hex("server_greeting.hex"));
  bytes.push_back(0x00);
  EXPECT_EQ(decode_initial_handshake(bytes).error(), ProtocolErrc::kExtraBytes);
}

TEST(Greeting, ProtocolVersion9IsUnsupported) {
  auto bytes = only_payload(testdata_hex("server_greeting.hex"));
  bytes[0] = 9;
  EXPECT_EQ(decode_initial_handshake(bytes).error(), ProtocolErrc::kUnsupported);
}

TEST(Greeting, ExtendedCapsAreIgnoredWhenClientMysqlIsSet) {
  InitialHandshakeV10 g = mariadb_greeting();
  g.capabilities = g.capabilities.with(kClientLongPassword);
  std::vector<std::uint8_t> out;
  encode_initial_handshake(g, out);
  auto v = decode_initial_handshake(out);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->mariadb_extended_capabilities, 0u);
}

TEST(Greeting, ShortScrambleIsPaddedAndRoundTrips) {
  InitialHandshakeV10 g = mysql8_greeting();
  g.auth_plugin_data = "0123456789";  // 10 bytes: part 2 is "89" + NUL + padding to 13
  std::vector<std::uint8_t> out;
  encode_initial_handshake(g, out);
  auto v = decode_initial_handshake(out);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, g);
}

// ---------------------------------------------------------------- HandshakeResponse41

struct ResponseRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  HandshakeResponse41 expected;
};

// The fields a response cannot do without: the fixed 32 bytes, the username and the auth response.
std::size_t min_response_size(const HandshakeResponse41& v) {
  std::size_t n = 32 + v.username.size() + 1 + v.auth_response.size();
  if (v.capabilities.has(kClientPluginAuthLenencClientData) || v.capabilities.has(kClientSecureConnection)) {
    n += 1;  // all test rows use responses shorter than 251 bytes
  } else {
    n += 1;  // NUL
  }
  return n;
}

class Response : public ::testing::TestWithParam<ResponseRow> {};

TEST_P(Response, Decodes) {
  auto v = decode_handshake_response(GetParam().bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
}

TEST_P(Response, EncodesToTheSameBytes) {
  std::vector<std::uint8_t> out;
  encode_handshake_response(GetParam().expected, out);
  EXPECT_EQ(to_hex(out), to_hex(GetParam().bytes));
}

TEST_P(Response, PrefixesShorterThanTheRequiredFieldsAreTruncated) {
  const auto& bytes = GetParam().bytes;
  for (std::size_t n = 0; n < min_response_size(GetParam().expected); ++n) {
    auto v = decode_handshake_response(std::span(bytes.data(), n));
    ASSERT_FALSE(v) << "prefix " << n;
    // A prefix of 2 or 3 bytes still shows PROTOCOL_41; a 0/1-byte one cannot.
    EXPECT_EQ(v.error(), ProtocolErrc::kTruncated) << "prefix " << n;
  }
}

TEST_P(Response, TrailingGarbageIsExtraBytes) {
  auto bytes = GetParam().bytes;
  bytes.push_back(0x42);
  EXPECT_EQ(decode_handshake_response(bytes).error(), ProtocolErrc::kExtraBytes);
}

HandshakeResponse41 mariadb_client_response() {
  HandshakeResponse41 r;
  r.capabilities = Capabilities{0x00bfa28c};
  r.max_packet_size = 1 << 20;
  r.character_set = 33;
  r.mariadb_extended_capabilities = 0x1d;
  r.username = "cap";
  r.auth_response = std::string(
      "\x08\x2e\x98\xb7\xa8\xd1\x58\x2f\xa2\xba\x54\xdf\xd1\xad\x19\x70\x96\xee\xcd\xde", 20);
  r.database = "capdb";
  r.auth_plugin_name = "mysql_native_password";
  r.attributes = {{"_os", "Linux"},           {"_client_name", "libmariadb"}, {"_pid", "6955"},
                  {"_client_version", "3.3.20"}, {"_platform", "x86_64"},        {"program_name", "mysql"},
                  {"_server_host", "127.0.0.1"}};
  return r;
}

// What the proxy sends a MariaDB backend for a client that negotiated extended metadata.
HandshakeResponse41 extended_metadata_response() {
  HandshakeResponse41 r;
  r.capabilities = Capabilities{0x01bfa204};  // CLIENT_MYSQL (bit 0) clear
  r.max_packet_size = 1 << 30;
  r.character_set = 45;
  r.mariadb_extended_capabilities = kMariaDbClientExtendedMetadata;
  r.username = "app";
  r.auth_response = std::string(
      "\x55\x5e\x13\xea\x6a\x0a\xf0\xd1\x39\x2a\x9e\x91\x8c\x89\xed\x28\x71\x48\xb2\x5b", 20);
  r.auth_plugin_name = "mysql_native_password";
  return r;
}

HandshakeResponse41 python_response() {
  HandshakeResponse41 r;
  r.capabilities = Capabilities{0x01afa20d};
  r.max_packet_size = 1 << 24;
  r.character_set = 45;
  r.username = "cap";
  r.auth_response = std::string(
      "\x68\x09\x2a\x27\x11\x9f\xb5\xbd\x5b\x66\x49\x12\x7f\x4f\xfd\x4b\x7d\x90\x17\x8c", 20);
  r.database = "capdb";
  r.auth_plugin_name = "mysql_native_password";
  return r;
}

HandshakeResponse41 mysql8_response() {
  HandshakeResponse41 r;
  r.capabilities = Capabilities{0x01bfa20d};
  r.max_packet_size = 1 << 24;
  r.character_set = 255;
  r.username = "app";
  for (int i = 0xa0; i < 0xc0; ++i) r.auth_response += static_cast<char>(i);
  r.database = "shop";
  r.auth_plugin_name = "caching_sha2_password";
  r.attributes = {{"_client_name", "libmysql"}, {"_os", "Linux"}};
  return r;
}

// A MySQL 8 client asking for zstd compression (CLIENT_ZSTD_COMPRESSION_ALGORITHM, 1 << 26) at
// level 7: the level byte comes last, after the connection attributes.
HandshakeResponse41 mysql8_zstd_response() {
  HandshakeResponse41 r = mysql8_response();
  r.capabilities = Capabilities{0x05bfa20d};
  r.zstd_level = 7;
  return r;
}

HandshakeResponse41 one_byte_length_response() {
  HandshakeResponse41 r;
  r.capabilities = Capabilities{0x0008a201};  // LONG_PASSWORD|PROTOCOL_41|TRANSACTIONS|SECURE_CONNECTION|PLUGIN_AUTH
  r.max_packet_size = 0x01000000;
  r.character_set = 33;
  r.username = "bob";
  r.auth_response = "0123456789abcdefghij";
  r.auth_plugin_name = "mysql_native_password";
  return r;
}

HandshakeResponse41 nul_terminated_response() {
  HandshakeResponse41 r;
  r.capabilities = Capabilities{0x0201};  // LONG_PASSWORD|PROTOCOL_41 only
  r.max_packet_size = 0xffffff;
  r.character_set = 8;
  r.username = "u";
  r.auth_response = "pw";
  return r;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Response,
    ::testing::Values(
        ResponseRow{"mariadb_client_captured", only_payload(testdata_hex("handshake_response_mariadb_client.hex")),
                    mariadb_client_response()},
        ResponseRow{"python_client_captured", only_payload(testdata_hex("handshake_response_python.hex")),
                    python_response()},
        ResponseRow{"extended_metadata_captured", split_frames(testdata_hex("login_extended_metadata.hex")).at(1),
                    extended_metadata_response()},
        ResponseRow{"mysql8_lenenc_auth_and_attributes", hex(R"(
            0d a2 bf 01  00 00 00 01  ff                       // caps, max packet, utf8mb4
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            61 70 70 00                                        // "app"
            20 a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af  // lenenc auth response (32)
               b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf
            73 68 6f 70 00                                     // "shop"
            63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72 64 00
            20                                                 // attributes: 32 bytes
            0c 5f 63 6c 69 65 6e 74 5f 6e 61 6d 65 08 6c 69 62 6d 79 73 71 6c
            03 5f 6f 73 05 4c 69 6e 75 78)"),
                    mysql8_response()},
        ResponseRow{"mysql8_zstd_level_after_attributes", hex(R"(
            0d a2 bf 05  00 00 00 01  ff                       // caps with ZSTD (1 << 26)
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            61 70 70 00
            20 a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af
               b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd be bf
            73 68 6f 70 00
            63 61 63 68 69 6e 67 5f 73 68 61 32 5f 70 61 73 73 77 6f 72 64 00
            20
            0c 5f 63 6c 69 65 6e 74 5f 6e 61 6d 65 08 6c 69 62 6d 79 73 71 6c
            03 5f 6f 73 05 4c 69 6e 75 78
            07)"),                                              // zstd level
                    mysql8_zstd_response()},
        ResponseRow{"secure_connection_one_byte_length", hex(R"(
            01 a2 08 00  00 00 00 01  21
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            62 6f 62 00
            14 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 67 68 69 6a
            6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00)"),
                    one_byte_length_response()},
        ResponseRow{"nul_terminated_auth", hex(R"(
            01 02 00 00  ff ff ff 00  08
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            75 00  70 77 00)"),
                    nul_terminated_response()}),
    [](const auto& info) { return info.param.name; });

TEST(Response, ZstdLevelAnnouncedButMissingDecodesAsZero) {
  HandshakeResponse41 v = mysql8_zstd_response();
  std::vector<std::uint8_t> bytes;
  encode_handshake_response(v, bytes);
  bytes.pop_back();  // the level byte
  auto decoded = decode_handshake_response(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->zstd_level, 0);
  EXPECT_EQ(decoded->attributes, v.attributes);
}

TEST(Response, ClientWithoutProtocol41IsUnsupported) {
  // A 4.0 client: 2-byte capabilities (LONG_PASSWORD|LONG_FLAG|TRANSACTIONS), 3-byte max packet.
  const auto bytes = hex("05 20 ff ff ff 75 00 00");
  EXPECT_EQ(decode_handshake_response(bytes).error(), ProtocolErrc::kUnsupported);
}

TEST(Response, DatabaseAndPluginAnnouncedButMissingDecodeEmpty) {
  HandshakeResponse41 r = one_byte_length_response();
  r.capabilities = r.capabilities.with(kClientConnectWithDb);
  r.auth_plugin_name.clear();
  std::vector<std::uint8_t> bytes;
  encode_handshake_response(r, bytes);
  // Cut right after the auth response: no database NUL, no plugin NUL.
  bytes.resize(min_response_size(r));
  auto v = decode_handshake_response(bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, r);
}

TEST(Response, PluginAnnouncedButMissingAfterDatabase) {
  HandshakeResponse41 r = python_response();
  std::vector<std::uint8_t> bytes;
  encode_handshake_response(r, bytes);
  bytes.resize(bytes.size() - r.auth_plugin_name.size() - 1);
  auto v = decode_handshake_response(bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->database, "capdb");
  EXPECT_EQ(v->auth_plugin_name, "");
}

TEST(Response, AttributesAnnouncedButMissing) {
  HandshakeResponse41 r = mysql8_response();
  std::vector<std::uint8_t> bytes;
  encode_handshake_response(r, bytes);
  bytes.resize(bytes.size() - 33);  // the whole attribute block
  auto v = decode_handshake_response(bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_TRUE(v->attributes.empty());
  EXPECT_EQ(v->auth_plugin_name, "caching_sha2_password");
}

TEST(Response, AttributeBlockCutShortIsTruncated) {
  auto bytes = only_payload(testdata_hex("handshake_response_mariadb_client.hex"));
  bytes.pop_back();
  EXPECT_EQ(decode_handshake_response(bytes).error(), ProtocolErrc::kTruncated);
}

TEST(Response, AttributePairOverrunningItsBlockIsMalformed) {
  HandshakeResponse41 r = mysql8_response();
  std::vector<std::uint8_t> bytes;
  encode_handshake_response(r, bytes);
  // Shrink the block length by one and drop the last byte: the last value now overruns the block.
  bytes[bytes.size() - 33] = 31;
  bytes.pop_back();
  EXPECT_EQ(decode_handshake_response(bytes).error(), ProtocolErrc::kMalformed);
}

TEST(Response, AuthResponseOver255BytesUsesLenencOnlyWithTheFlag) {
  HandshakeResponse41 r = mysql8_response();
  r.auth_response = std::string(300, 'k');
  std::vector<std::uint8_t> bytes;
  encode_handshake_response(r, bytes);
  auto v = decode_handshake_response(bytes);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, r);
}

TEST(Response, EmptyAttributeList) {
  HandshakeResponse41 r = mysql8_response();
  r.attributes.clear();
  std::vector<std::uint8_t> bytes;
  encode_handshake_response(r, bytes);
  EXPECT_EQ(bytes.back(), 0x00);  // lenenc 0
  auto v = decode_handshake_response(bytes);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, r);
}

// ---------------------------------------------------------------- SSLRequest

struct SslRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  SslRequest expected;
};

class Ssl : public ::testing::TestWithParam<SslRow> {};

TEST_P(Ssl, Decodes) {
  auto v = decode_ssl_request(GetParam().bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
  EXPECT_TRUE(is_ssl_request(GetParam().bytes));
}

TEST_P(Ssl, EncodesToTheSameBytes) {
  std::vector<std::uint8_t> out;
  encode_ssl_request(GetParam().expected, out);
  EXPECT_EQ(to_hex(out), to_hex(GetParam().bytes));
}

TEST_P(Ssl, PrefixesAreTruncatedAndExtraBytesAreRejected) {
  const auto& bytes = GetParam().bytes;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(decode_ssl_request(std::span(bytes.data(), n)).error(), ProtocolErrc::kTruncated) << n;
    EXPECT_FALSE(is_ssl_request(std::span(bytes.data(), n)));
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(decode_ssl_request(longer).error(), ProtocolErrc::kExtraBytes);
  EXPECT_FALSE(is_ssl_request(longer));
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Ssl,
    ::testing::Values(SslRow{"mariadb_client_captured", only_payload(testdata_hex("ssl_request_mariadb_client.hex")),
                             SslRequest{Capabilities{0x00bfaa84}, 1 << 20, 33, 0x1d}},
                      SslRow{"mysql_client", hex(R"(
                          01 aa 08 00  00 00 00 01  21
                          00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00)"),
                             SslRequest{Capabilities{0x0008aa01}, 0x01000000, 33, 0}}),
    [](const auto& info) { return info.param.name; });

TEST(Ssl, HandshakeResponsesAreNotSslRequests) {
  EXPECT_FALSE(is_ssl_request(only_payload(testdata_hex("handshake_response_mariadb_client.hex"))));
  // 32 bytes without CLIENT_SSL.
  auto bytes = only_payload(testdata_hex("ssl_request_mariadb_client.hex"));
  bytes[1] &= static_cast<std::uint8_t>(~(kClientSsl >> 8));
  EXPECT_FALSE(is_ssl_request(bytes));
  EXPECT_EQ(decode_ssl_request(bytes).error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(Ssl, FullResponseAfterTlsKeepsTheSslBit) {
  // After TLS the client repeats its capabilities (with CLIENT_SSL) in the full response.
  HandshakeResponse41 r = mariadb_client_response();
  r.capabilities = r.capabilities.with(kClientSsl);
  std::vector<std::uint8_t> bytes;
  encode_handshake_response(r, bytes);
  EXPECT_FALSE(is_ssl_request(bytes));
  auto v = decode_handshake_response(bytes);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->capabilities.has(kClientSsl));
}

}  // namespace
}  // namespace mysqlproxy::protocol
