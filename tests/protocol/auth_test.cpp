#include "protocol/auth.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/handshake.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::split_frames;
using test::testdata_hex;
using test::to_hex;

// Known answers computed independently with python3 hashlib; stage2 hashes also match MariaDB 10.11
// `SELECT PASSWORD('secret'), PASSWORD('pässwörd')`.
const std::vector<std::uint8_t> kNonce = hex("01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14");
const std::string kUtf8Password = "p\xc3\xa4ssw\xc3\xb6rd";  // "pässwörd"

template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& a) {
  return test::to_hex(std::span<const std::uint8_t>(a));
}

struct NativeRow {
  std::string name;
  std::string password;
  std::string stage1;
  std::string stage2_text;  // as mysql.user / PASSWORD() shows it
  std::string scramble;     // for kNonce
};

class NativePassword : public ::testing::TestWithParam<NativeRow> {};

TEST_P(NativePassword, KnownAnswers) {
  const auto& row = GetParam();
  EXPECT_EQ(to_hex(scramble_native_password(row.password, kNonce)), to_hex(hex(row.scramble)));
  EXPECT_EQ(format_native_password_hash(native_password_stage2(row.password)), row.stage2_text);
  auto stage2 = parse_native_password_hash(row.stage2_text);
  ASSERT_TRUE(stage2);
  EXPECT_EQ(*stage2, native_password_stage2(row.password));
}

TEST_P(NativePassword, VerifiesAndRecoversStage1) {
  const auto& row = GetParam();
  const auto stage2 = *parse_native_password_hash(row.stage2_text);
  const auto response = hex(row.scramble);
  EXPECT_TRUE(verify_native_password(response, kNonce, stage2));

  auto stage1 = recover_native_stage1(response, kNonce, stage2);
  ASSERT_TRUE(stage1);
  EXPECT_EQ(to_hex(*stage1), to_hex(hex(row.stage1)));
  // With only the stored hash and a client's response, the proxy can answer a backend's nonce.
  const auto backend_nonce = bytes_of("abcdefghijklmnopqrst");
  EXPECT_EQ(scramble_native_from_stage1(*stage1, backend_nonce), scramble_native_password(row.password, backend_nonce));
}

TEST_P(NativePassword, RejectsWrongResponses) {
  const auto stage2 = *parse_native_password_hash(GetParam().stage2_text);
  auto response = hex(GetParam().scramble);
  response[7] ^= 0x01;
  EXPECT_FALSE(verify_native_password(response, kNonce, stage2));
  EXPECT_FALSE(recover_native_stage1(response, kNonce, stage2));
  EXPECT_FALSE(verify_native_password({}, kNonce, stage2));
  EXPECT_FALSE(verify_native_password(std::span(response).first(19), kNonce, stage2));
  auto other_nonce = kNonce;
  other_nonce[0] = 0x7f;
  EXPECT_FALSE(verify_native_password(hex(GetParam().scramble), other_nonce, stage2));
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, NativePassword,
    ::testing::Values(
        NativeRow{"secret", "secret", "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4",
                  "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7", "b32bb3a583e1340c0a1108d58b1be49781ad8c2f"},
        NativeRow{"utf8", kUtf8Password, "f517ddf1d32a112ff1ad55c66d1b12cb38e7e8f7",
                  "*0225EC5004ABB0B8CB557541FE53DE1A5D8CC825", "9891a8536587af22d12e126cf5f7a8ea86d63b0e"},
        NativeRow{"long", std::string(100, 'a'), "7f9000257a4918d7072655ea468540cdcbd42e0c",
                  "*54360E71FF5356F5D9EDFBD3E3B5D64AA02CA1EC", "f6f8ed2b172cd6f5f65299da0d51f265045791e4"}),
    [](const auto& info) { return info.param.name; });

TEST(NativePassword, EmptyPassword) {
  EXPECT_TRUE(scramble_native_password("", kNonce).empty());
  // An account with an empty password has no stage2: only the empty response matches.
  EXPECT_TRUE(verify_native_password({}, kNonce, std::nullopt));
  EXPECT_FALSE(verify_native_password(hex("b32bb3a583e1340c0a1108d58b1be49781ad8c2f"), kNonce, std::nullopt));
  EXPECT_FALSE(parse_native_password_hash(""));
}

TEST(NativePassword, ParseHashAcceptsLowerCaseAndRejectsOtherForms) {
  auto lower = parse_native_password_hash("*14e65567abdb5135d0cfd9a70b3032c179a49ee7");
  ASSERT_TRUE(lower);
  EXPECT_EQ(format_native_password_hash(*lower), "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7");
  for (const char* bad : {"14E65567ABDB5135D0CFD9A70B3032C179A49EE7",    // no '*'
                          "*14E65567ABDB5135D0CFD9A70B3032C179A49EE",    // 39 digits
                          "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7A",  // 41 digits
                          "*14E65567ABDB5135D0CFD9A70B3032C179A49EEG",   // not hex
                          "378b243e220ca493"}) {                         // old_password form
    EXPECT_FALSE(parse_native_password_hash(bad)) << bad;
  }
}

// Real captures: responses computed by libmariadb and by the capture script against mariadbd
// greetings, for the account cap / "secret".
TEST(NativePassword, VerifiesResponsesCapturedFromRealClients) {
  const auto stage2 = *parse_native_password_hash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7");
  const std::pair<const char*, const char*> pairs[] = {
      {"server_greeting_mariadb_client.hex", "handshake_response_mariadb_client.hex"},
      {"server_greeting_2.hex", "handshake_response_python.hex"}};
  for (const auto& [greeting_file, response_file] : pairs) {
    auto greeting = decode_initial_handshake(split_frames(testdata_hex(greeting_file)).at(0));
    auto response = decode_handshake_response(split_frames(testdata_hex(response_file)).at(0));
    ASSERT_TRUE(greeting && response) << response_file;
    const auto nonce = bytes_of(greeting->auth_plugin_data);
    const auto answer = bytes_of(response->auth_response);
    EXPECT_TRUE(verify_native_password(answer, nonce, stage2)) << response_file;
    EXPECT_EQ(scramble_native_password("secret", nonce), std::vector<std::uint8_t>(answer.begin(), answer.end()));
    EXPECT_FALSE(verify_native_password(answer, nonce, native_password_stage2("Secret")));
  }
}

// ---------------------------------------------------------------- caching_sha2_password

struct Sha2Row {
  std::string name;
  std::string password;
  std::string stage2;
  std::string scramble;
};

class CachingSha2 : public ::testing::TestWithParam<Sha2Row> {};

TEST_P(CachingSha2, KnownAnswersAndFastAuth) {
  const auto& row = GetParam();
  const auto response = scramble_caching_sha2(row.password, kNonce);
  EXPECT_EQ(to_hex(response), to_hex(hex(row.scramble)));
  EXPECT_EQ(to_hex(caching_sha2_stage2(row.password)), to_hex(hex(row.stage2)));
  EXPECT_TRUE(verify_caching_sha2_fast(response, kNonce, caching_sha2_stage2(row.password)));
  auto wrong = response;
  wrong[31] ^= 0x80;
  EXPECT_FALSE(verify_caching_sha2_fast(wrong, kNonce, caching_sha2_stage2(row.password)));
  EXPECT_FALSE(verify_caching_sha2_fast(std::span(response).first(20), kNonce, caching_sha2_stage2(row.password)));
}

INSTANTIATE_TEST_SUITE_P(
    Vectors, CachingSha2,
    ::testing::Values(Sha2Row{"secret", "secret", "3881219d087dd9c634373fd33dfa33a2cb6bfc6c520b64b8bb60ef2ceb534ae7",
                              "746ebe205d56a0707acb3e796e834e0dd7b1d61743b26bd5202c7a623230c7c9"},
                      Sha2Row{"utf8", kUtf8Password, "e2cd1a228188f0703ba30ffe5e1bc013f0ae431d6213e97a9d2b42f78079ceab",
                              "8526563d365f5cb2cf44b162e5251a5cc348e1a1afeec271669611d0fdac23f7"},
                      Sha2Row{"long", std::string(100, 'a'),
                              "bc105b15257a2dec8889519c3105c2e972826c75375cbaaa608ae3e51869dc3c",
                              "e1e61af85784125d2fa25f03f97fa40ee429b86b2bdf91304610ad46ed9443c5"}),
    [](const auto& info) { return info.param.name; });

TEST(CachingSha2, EmptyPassword) {
  EXPECT_TRUE(scramble_caching_sha2("", kNonce).empty());
  EXPECT_TRUE(verify_caching_sha2_fast({}, kNonce, std::nullopt));
  EXPECT_FALSE(verify_caching_sha2_fast({}, kNonce, caching_sha2_stage2("secret")));
}

TEST(CachingSha2, ExchangeBytes) {
  EXPECT_EQ(kCachingSha2RequestPublicKey, 0x02);
  EXPECT_EQ(kCachingSha2FastAuthSuccess, 0x03);
  EXPECT_EQ(kCachingSha2PerformFullAuthentication, 0x04);
}

// ---------------------------------------------------------------- RSA

// A throwaway 1024-bit pair made with `openssl genrsa 1024` (`openssl rsa -pubout` and
// `-RSAPublicKey_out` for the two public forms). Small to keep the file short; MySQL uses 2048.
constexpr std::string_view kPrivateKey = R"(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAKXeFTMwi+I0L6fk
bwcmdCGot4ChHsFiH6atTwHf6tJW6gLydBtDlieoC2xdawH6UNKbxUsgvEnuQYCP
/V/yLyp7yrSsdKe/hBIqU3Ig08+GKugjc9VpjiDjZA8TdBynS8QGZYyiNbLvn3WR
Mrt+ejJ1BA7nyMQsAl1wyG0hL+/bAgMBAAECgYA44SGP/lPZ7F9zSaixYQRuDndv
CtGLK2UDOWdgkzLpkpiJDi+2scSqMLxKGvb5JKfWsUhE7SLkj2my9q3C20BE2fDE
xPCydhGP/YpLiNOKA0EtwalH/WN9+olaDn4QVthv8XYTUTMRty0lXGRK4H/d1FJW
6PKj+zq0ywSfN15McQJBANPSOLWIv4CDsUDaR1l+O3p0QqjuJagC8lzZkcH07BjM
yz8m/FqQI2ZZ3TNH7heTop8l2vJDx54RZwJgxmyMzjUCQQDIdkFCSkD5Cb3CJgYW
SLhCiS9eJZ6MTu5NmAm5kCcXf1PLBqXipnYnhxwY0t3uvZLRVRxAUUirkpmNfGz0
IsfPAkEAhW1Mb31eM9PAmbtlakgLq00EmGi6q6R/imE6YVSoS87k0Dj8iQd2ZQiC
P8U1gwBqVZmA2046taT8oBDZrJLdaQJAM472ye3/OA5hWAYfmqupeLOAE17poHzM
nfh0x91jsI93JcjX8auOyCvf9iKGIllv4ZdaZNCDOF3EULen7kLj0QJAbb+dt2xg
mAzLe8+u+0EMzUYd7KzgUwUN3fZFa8X6ofR5lgrorLOv6EpAfXriMYbUI/xxeFOq
jumJwdxpbvcerw==
-----END PRIVATE KEY-----
)";

constexpr std::string_view kPublicKey = R"(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCl3hUzMIviNC+n5G8HJnQhqLeA
oR7BYh+mrU8B3+rSVuoC8nQbQ5YnqAtsXWsB+lDSm8VLILxJ7kGAj/1f8i8qe8q0
rHSnv4QSKlNyINPPhiroI3PVaY4g42QPE3Qcp0vEBmWMojWy7591kTK7fnoydQQO
58jELAJdcMhtIS/v2wIDAQAB
-----END PUBLIC KEY-----
)";

constexpr std::string_view kPublicKeyPkcs1 = R"(-----BEGIN RSA PUBLIC KEY-----
MIGJAoGBAKXeFTMwi+I0L6fkbwcmdCGot4ChHsFiH6atTwHf6tJW6gLydBtDlieo
C2xdawH6UNKbxUsgvEnuQYCP/V/yLyp7yrSsdKe/hBIqU3Ig08+GKugjc9VpjiDj
ZA8TdBynS8QGZYyiNbLvn3WRMrt+ejJ1BA7nyMQsAl1wyG0hL+/bAgMBAAE=
-----END RSA PUBLIC KEY-----
)";

TEST(Rsa, RoundTrip) {
  for (std::string_view pub : {kPublicKey, kPublicKeyPkcs1}) {
    for (const std::string& password : {std::string("secret"), kUtf8Password, std::string(), std::string(85, 'x')}) {
      auto ciphertext = rsa_encrypt_password(password, kNonce, pub);
      ASSERT_TRUE(ciphertext) << ciphertext.error().message();
      EXPECT_EQ(ciphertext->size(), 128u);
      auto plain = rsa_decrypt_password(*ciphertext, kNonce, kPrivateKey);
      ASSERT_TRUE(plain) << plain.error().message();
      EXPECT_EQ(*plain, password);
    }
  }
}

TEST(Rsa, OaepIsRandomized) {
  auto a = rsa_encrypt_password("secret", kNonce, kPublicKey);
  auto b = rsa_encrypt_password("secret", kNonce, kPublicKey);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

// Made outside this code: ("secret\0" XOR kNonce) piped to
// `openssl pkeyutl -encrypt -pubin -inkey pub.pem -pkeyopt rsa_padding_mode:oaep`.
TEST(Rsa, DecryptsACiphertextMadeByTheOpensslCli) {
  const auto ciphertext = hex(R"(
      40 a8 95 5a 9e 72 67 58 d0 93 b1 50 42 36 76 99 ab cd 5b 7a 3c 23 e4 20 4e 7e 62 04 86 3f f8 8d
      59 bb 31 0e 11 fd b5 d0 38 5d 35 2c 88 27 1c 3c b6 00 51 65 64 85 dc 47 f0 19 7a d1 6e b5 4d 42
      e5 c3 15 51 56 0b a1 42 3a cf 3b 91 fd d0 fb 38 16 73 0e 51 56 d0 55 b2 57 08 57 8f 47 eb b6 07
      25 51 3b c8 b6 ee 70 80 5f bc c9 b8 af 52 f6 84 14 7b 31 19 6a 7f 5b 63 e9 6a 98 b7 2d e2 d1 73)");
  auto plain = rsa_decrypt_password(ciphertext, kNonce, kPrivateKey);
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_EQ(*plain, "secret");
  // The wrong nonce leaves no NUL at the end.
  auto other_nonce = kNonce;
  other_nonce[6] ^= 0x55;
  EXPECT_EQ(rsa_decrypt_password(ciphertext, other_nonce, kPrivateKey).error(), ProtocolErrc::kMalformed);
}

TEST(Rsa, NonceBeyond20BytesIsIgnored) {
  auto with_nul = kNonce;
  with_nul.push_back(0);  // as found in an AuthSwitchRequest
  auto ciphertext = rsa_encrypt_password("secret", with_nul, kPublicKey);
  ASSERT_TRUE(ciphertext);
  EXPECT_EQ(rsa_decrypt_password(*ciphertext, kNonce, kPrivateKey).value(), "secret");
}

TEST(Rsa, Errors) {
  EXPECT_EQ(rsa_encrypt_password("secret", kNonce, "not a key").error(), ProtocolErrc::kMalformed);
  EXPECT_EQ(rsa_encrypt_password("secret", kNonce, kPrivateKey.substr(0, 100)).error(), ProtocolErrc::kMalformed);
  EXPECT_EQ(rsa_encrypt_password("secret", {}, kPublicKey).error(), ProtocolErrc::kMalformed);
  EXPECT_EQ(rsa_encrypt_password(std::string(86, 'x'), kNonce, kPublicKey).error(), ProtocolErrc::kUnsupported);
  EXPECT_EQ(rsa_decrypt_password(hex("00 01 02"), kNonce, kPrivateKey).error(), ProtocolErrc::kMalformed);
  EXPECT_EQ(rsa_decrypt_password(hex("00 01 02"), kNonce, kPublicKey).error(), ProtocolErrc::kMalformed);
}

// ---------------------------------------------------------------- packets

TEST(AuthSwitchRequest, CapturedFromMariaDb) {
  const auto payload = split_frames(testdata_hex("auth_switch_request.hex")).at(0);
  auto v = decode_auth_switch_request(payload);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->plugin_name, "mysql_native_password");
  EXPECT_EQ(v->plugin_data, std::string("WQmR3FHw=j!aG}cT^\\1}\0", 21));
  EXPECT_EQ(to_hex(scramble_of(*v)), to_hex(bytes_of("WQmR3FHw=j!aG}cT^\\1}")));
  std::vector<std::uint8_t> out;
  encode_auth_switch_request(*v, out);
  EXPECT_EQ(to_hex(out), to_hex(payload));
}

TEST(AuthSwitchRequest, ChangeUserReplyIsOneToo) {
  auto v = decode_auth_switch_request(split_frames(testdata_hex("change_user_reply.hex")).at(0));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->plugin_name, "mysql_native_password");
  EXPECT_EQ(scramble_of(*v).size(), 20u);
}

TEST(AuthSwitchRequest, Synthetic) {
  const auto bytes = hex("fe 61 62 00 01 02");
  const AuthSwitchRequest expected{"ab", std::string("\x01\x02", 2)};
  EXPECT_EQ(decode_auth_switch_request(bytes).value(), expected);
  std::vector<std::uint8_t> out;
  encode_auth_switch_request(expected, out);
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(scramble_of(expected).size(), 2u);  // no NUL to strip
  // Empty data is allowed (mysql_clear_password sends none).
  EXPECT_EQ(decode_auth_switch_request(hex("fe 61 00")).value(), (AuthSwitchRequest{"a", ""}));
}

TEST(AuthSwitchRequest, Errors) {
  EXPECT_EQ(decode_auth_switch_request({}).error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_auth_switch_request(hex("fe")).error(), ProtocolErrc::kUnsupported);  // old_password
  EXPECT_EQ(decode_auth_switch_request(hex("fe 61 62")).error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_auth_switch_request(hex("00 00 00 02 00 00 00")).error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(AuthMoreData, RoundTrip) {
  struct Row {
    std::string bytes;
    std::string data;
  };
  for (const Row& row : {Row{"01 03", "\x03"}, Row{"01 04", "\x04"}, Row{"01", ""},
                         Row{"01 2d 2d 2d 2d 2d 42 45 47 49 4e", "-----BEGIN"}}) {
    const auto bytes = hex(row.bytes);
    auto v = decode_auth_more_data(bytes);
    ASSERT_TRUE(v) << row.bytes;
    EXPECT_EQ(v->data, row.data);
    std::vector<std::uint8_t> out;
    encode_auth_more_data(*v, out);
    EXPECT_EQ(out, bytes);
  }
  EXPECT_EQ(decode_auth_more_data({}).error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_auth_more_data(hex("fe 00")).error(), ProtocolErrc::kUnexpectedPacket);
}

}  // namespace
}  // namespace mysqlproxy::protocol
