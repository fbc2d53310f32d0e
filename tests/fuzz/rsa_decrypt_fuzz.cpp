// Fuzz target: RSA decryption of a caching_sha2_password login's password (protocol/auth), what
// the proxy does with whatever a client sends after asking for its public key.
//
// Input: [mode][nonce length (0..31)][nonce...][ciphertext...]. Mode bit 0 passes the private key
// as PEM (parsed each time), else as a parsed RsaPrivateKey; bits 1-7 pick a byte to flip.
// Invariants: an empty nonce is kMalformed; anything else gives a password or an error value,
// never a crash; a password that comes out fits in the key with OAEP's padding and encrypts back
// to a ciphertext that decrypts to it. The input's bytes as a password (up to the 85 a 1024-bit
// key takes) survive encryption and decryption unchanged; the other key of the pair, a flipped
// byte or a cut ciphertext decrypt to nothing.
#include <algorithm>
#include <string>

#include "protocol/auth.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;

namespace {

// Throwaway 1024-bit pairs made with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024`
// for this target alone (small: decryption is the slow part of every input).
constexpr std::string_view kPrivateKey = R"(-----BEGIN PRIVATE KEY-----
MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBANNE2Pnc1REVGS7m
XiXmuYkW2GDa7PALRi5DHwzN0vyphn0/CijVMQ9jzN/+yL0YCQaW6Edg6fUhboss
iAER/ia8OukvT2ISkUv5uZBVkMX79h5Gqjq7+E1/Zuicn4jO5/iSYBqWC3+Ghu9I
fNvg8GLdq4+C+iFlPgpl6XOQKAEhAgMBAAECgYEArv1optT2Glcaa9FeDBCmftlQ
UjEjbdQ4xhrMfiOBbcvQ3K65cIbdQv0L9kCn7pAY8b9PF8g7INIXKOmyoQhRNCuF
bFox3WCcRu5bpaCHSmJ5QJdpWutRDmQScelwCHpddhR7+y4uUzTZlNmJ8WyTl8Cn
2KxQ27KvGbf2lgLMWwECQQD+cu9cbzGz+0nDE8hF4/uTqVXqLCmRxyHvHRfiUeyG
eurq22HiizhDQYR0o6ucgJZByqfgCcnP8ZDXiI0YqCnRAkEA1I6H0zbaRrSlZ2Aj
1/va8C4FDHdqeBFisrToK/ILZmfy0NNo8pz/RGFjs3gZk3orEdjaX871EoKZR9NJ
npHmUQJAdu7wNQuAdvkpNDbF8O0shYusLeXwlEQ491Ro+o+CeCVyMs7ShRq/9Kfm
KsLqDyAHm78HEvBgVYM7SZN5KCJKUQJAfzz/A6m/SjoTFWnQqxcBvWre7NKDMnK9
0VpH7R6MQnYRPX6AQVNH32gpJaLMNKMaKynTtyyNOdJh7UQGutx9sQJBAN3nXq/Z
zVdtEhr5z/YLk/TkoR2/aQqcpYGmY2n0j3uMH/WJV1MMPWt+egD01nb59eOpoG5a
gWm8erz1d4AMTLY=
-----END PRIVATE KEY-----
)";

constexpr std::string_view kPublicKey = R"(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDTRNj53NURFRku5l4l5rmJFthg
2uzwC0YuQx8MzdL8qYZ9Pwoo1TEPY8zf/si9GAkGluhHYOn1IW6LLIgBEf4mvDrp
L09iEpFL+bmQVZDF+/YeRqo6u/hNf2bonJ+Izuf4kmAalgt/hobvSHzb4PBi3auP
gvohZT4KZelzkCgBIQIDAQAB
-----END PUBLIC KEY-----
)";

constexpr std::string_view kOtherPrivateKey = R"(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBANaYYXxiU6lVd23I
BFGYgg2OwImwrNyEyZkpDXSTeQa3jRvzhloLwCg2f1HcKdxrqbg/cRj8i1/twXSt
zwUBxFgvnlOTB3i2zYMUcyUCnhfIIn9k28SqjqM0L208VXOKt9bKSnLp0HDyzLVM
XGfGyjJI3CofnmoUzmLD343IopZVAgMBAAECgYEAm8YPdfAWVORShmFcKTLwrRDD
2O9j+8t0X/a56ramcubIytJy42iGO2qb73tG89c/YxzCZ2XjcmYvORh2H2dR83Dy
fSREEwv3ui4ivfXqGmx0ba0TozFHNB/GaAJ5czZ6RaEjDyazb2QasOHv8Cmh68sb
qr1Do+UesLt5UzLb8IECQQD4xTrk59odnZ5+MHpTQ7+DB1NfsA2adtF5+XEWbE68
Enr3F1CC2U+FABF0Vi3qyNDfBw7l9AASxHn0Ay2RCyYhAkEA3NTmCfrAT7f+V5YB
QnbC2NkOyss1BsrNIcexZf+Vx9SqDgM5VpORKqx+JogbMFg0Ng1RuJhwpO9zaiwD
mEqBtQJAfZz5dAQueq3QDd/kpI6c8UiNrM90zv4YIAL4O15NE2IxfPrkyG16Xan/
JkMtxFPKRBOITky6jL9w5OmF5KtAgQJALOZIo2zNXygM2agRN39IHKj9XfQ1It1n
GeAtTIzL2mZ98P1s0hKM6H1L5O+1f33fl8HbhMnR1WcuMz8ht/wmJQJAHNkT2Xu9
97sIs5tPmXC0U2YHEHQPpviuY/n7Hct9BzxLMHNQ86fdUwz7eo2Ik9NsIoDtd7Ur
wzn4zA0YYqnhqg==
-----END PRIVATE KEY-----
)";

constexpr std::size_t kKeyBytes = 128;
constexpr std::size_t kOaepOverheadBytes = 42;  // SHA-1 OAEP
constexpr std::size_t kMaxPassword = kKeyBytes - kOaepOverheadBytes - 1;  // and the NUL

const RsaPrivateKey& private_key() {
  static const RsaPrivateKey key = RsaPrivateKey::from_pem(kPrivateKey).value();
  return key;
}
const RsaPrivateKey& other_private_key() {
  static const RsaPrivateKey key = RsaPrivateKey::from_pem(kOtherPrivateKey).value();
  return key;
}
const RsaPublicKey& public_key() {
  static const RsaPublicKey key = RsaPublicKey::from_pem(kPublicKey).value();
  return key;
}

void round_trip(std::string_view password, std::span<const std::uint8_t> nonce, std::uint8_t flip) {
  auto ciphertext = rsa_encrypt_password(password, nonce, public_key());
  FUZZ_CHECK(ciphertext.has_value());
  FUZZ_CHECK(ciphertext->size() == kKeyBytes);
  auto plain = rsa_decrypt_password(*ciphertext, nonce, private_key());
  FUZZ_CHECK(plain.has_value());
  FUZZ_CHECK(*plain == password);
  // OAEP's integrity check: the odds of any of these decrypting are about 2^-160.
  FUZZ_CHECK(!rsa_decrypt_password(*ciphertext, nonce, other_private_key()).has_value());
  Bytes flipped = *ciphertext;
  flipped[flip % flipped.size()] ^= static_cast<std::uint8_t>(1u << (flip % 8));
  FUZZ_CHECK(!rsa_decrypt_password(flipped, nonce, private_key()).has_value());
  const std::span<const std::uint8_t> cut(ciphertext->data(), ciphertext->size() - 1 - flip % 8);
  FUZZ_CHECK(!rsa_decrypt_password(cut, nonce, private_key()).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t mode = in.u8();
  const std::size_t nonce_size = in.u8() % 32;
  Bytes nonce;
  for (std::size_t i = 0; i < nonce_size; ++i) nonce.push_back(in.u8());
  const auto ciphertext = in.rest();

  const auto plain = (mode & 1) != 0 ? rsa_decrypt_password(ciphertext, nonce, kPrivateKey)
                                     : rsa_decrypt_password(ciphertext, nonce, private_key());
  if (nonce.empty()) {
    FUZZ_CHECK(!plain.has_value());
    FUZZ_CHECK(plain.error() == ProtocolErrc::kMalformed);
    FUZZ_CHECK(!rsa_encrypt_password("x", nonce, public_key()).has_value());
    return 0;
  }
  if (plain) {
    FUZZ_CHECK(ciphertext.size() <= kKeyBytes);
    FUZZ_CHECK(plain->size() <= kMaxPassword);
    round_trip(*plain, nonce, mode);
  }
  (void)rsa_decrypt_password(ciphertext, nonce, other_private_key());

  const std::string password(mysqlproxy::fuzz::view_of(ciphertext.first(std::min(ciphertext.size(), kMaxPassword))));
  round_trip(password, nonce, mode);
  return 0;
}
