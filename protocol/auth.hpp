#pragma once
// Authentication: the mysql_native_password and caching_sha2_password scrambles (client and
// server side), RSA password exchange, and the AuthSwitchRequest / AuthMoreData packets.
//
// Empty passwords: MySQL sends an empty auth response for an empty password and stores an empty
// authentication_string, not a hash. The verifiers therefore take std::optional stage2 hashes:
// std::nullopt means "this account has an empty password", which only an empty response matches.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace mysqlproxy::protocol {

inline constexpr std::string_view kMysqlNativePassword = "mysql_native_password";
inline constexpr std::string_view kCachingSha2Password = "caching_sha2_password";
inline constexpr std::string_view kSha256Password = "sha256_password";
inline constexpr std::string_view kMysqlClearPassword = "mysql_clear_password";

// caching_sha2_password exchange bytes. The server sends kFastAuthSuccess / kPerformFullAuthentication
// in an AuthMoreData packet; the client asks for the server's RSA key with a bare 0x02 packet
// (sha256_password used 0x01 for the same request).
inline constexpr std::uint8_t kSha256PasswordRequestPublicKey = 0x01;
inline constexpr std::uint8_t kCachingSha2RequestPublicKey = 0x02;
inline constexpr std::uint8_t kCachingSha2FastAuthSuccess = 0x03;
inline constexpr std::uint8_t kCachingSha2PerformFullAuthentication = 0x04;

using Sha1Digest = std::array<std::uint8_t, 20>;
using Sha256Digest = std::array<std::uint8_t, 32>;

// Views a string's bytes as the byte span the functions below take.
[[nodiscard]] inline std::span<const std::uint8_t> bytes_of(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// ---- mysql_native_password ----
// Every nonce below is the 20-byte scramble; only its first 20 bytes are used.

// SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))); an empty password gives an empty response.
[[nodiscard]] std::vector<std::uint8_t> scramble_native_password(std::string_view password,
                                                                 std::span<const std::uint8_t> nonce);
// SHA1(SHA1(pw)): what mysql.user stores (as "*" + 40 upper-case hex).
[[nodiscard]] Sha1Digest native_password_stage2(std::string_view password);
// "*" + 40 hex digits (either case) -> stage2; anything else, including "", -> nullopt.
[[nodiscard]] std::optional<Sha1Digest> parse_native_password_hash(std::string_view text);
// stage2 -> "*" + 40 upper-case hex, as SELECT PASSWORD('...') prints it.
[[nodiscard]] std::string format_native_password_hash(const Sha1Digest& stage2);
// stage2 = nullopt: the account has an empty password and only an empty response matches.
[[nodiscard]] bool verify_native_password(std::span<const std::uint8_t> response, std::span<const std::uint8_t> nonce,
                                          const std::optional<Sha1Digest>& stage2);
// SHA1(pw) recovered from a valid response: enough to log in to a backend with a fresh nonce
// (scramble_native_from_stage1) while knowing only the stored hash. nullopt if the response is wrong.
[[nodiscard]] std::optional<Sha1Digest> recover_native_stage1(std::span<const std::uint8_t> response,
                                                              std::span<const std::uint8_t> nonce,
                                                              const Sha1Digest& stage2);
[[nodiscard]] std::vector<std::uint8_t> scramble_native_from_stage1(const Sha1Digest& stage1,
                                                                    std::span<const std::uint8_t> nonce);

// ---- caching_sha2_password ----

// XOR(SHA256(pw), SHA256(SHA256(SHA256(pw)) + nonce)), 32 bytes; an empty password gives an empty response.
[[nodiscard]] std::vector<std::uint8_t> scramble_caching_sha2(std::string_view password,
                                                              std::span<const std::uint8_t> nonce);
// SHA256(SHA256(pw)): what the server's fast-auth cache holds.
[[nodiscard]] Sha256Digest caching_sha2_stage2(std::string_view password);
// The fast-auth check; stage2 = nullopt as for verify_native_password.
[[nodiscard]] bool verify_caching_sha2_fast(std::span<const std::uint8_t> response, std::span<const std::uint8_t> nonce,
                                            const std::optional<Sha256Digest>& stage2);

// RSA keys parsed once from PEM and shared: copies are cheap, and one key serves any number of
// threads at once (every operation makes its own context). Empty when default-constructed.
class RsaPublicKey {
 public:
  RsaPublicKey() = default;
  // "PUBLIC KEY" (SubjectPublicKeyInfo) or "RSA PUBLIC KEY" (PKCS#1); kMalformed otherwise.
  [[nodiscard]] static Result<RsaPublicKey> from_pem(std::string_view pem);
  [[nodiscard]] explicit operator bool() const noexcept { return key_ != nullptr; }
  [[nodiscard]] evp_pkey_st* get() const noexcept { return key_.get(); }

 private:
  std::shared_ptr<evp_pkey_st> key_;
};

class RsaPrivateKey {
 public:
  RsaPrivateKey() = default;
  // Any PEM private key OpenSSL reads, if it is RSA; kMalformed otherwise.
  [[nodiscard]] static Result<RsaPrivateKey> from_pem(std::string_view pem);
  // Takes ownership of a key made elsewhere (a freshly generated pair); null or not RSA: empty.
  [[nodiscard]] static RsaPrivateKey adopt(evp_pkey_st* key);
  [[nodiscard]] explicit operator bool() const noexcept { return key_ != nullptr; }
  [[nodiscard]] evp_pkey_st* get() const noexcept { return key_.get(); }

 private:
  std::shared_ptr<evp_pkey_st> key_;
};

// Full authentication without TLS: (password + NUL) XOR the nonce repeated, encrypted with the
// server's RSA public key and RSA_PKCS1_OAEP_PADDING, as MySQL 8 clients do. kMalformed for an
// unusable key or an empty nonce, kUnsupported if the password is too long for the key.
[[nodiscard]] Result<std::vector<std::uint8_t>> rsa_encrypt_password(std::string_view password,
                                                                     std::span<const std::uint8_t> nonce,
                                                                     const RsaPublicKey& public_key);
// The same with a PEM key ("PUBLIC KEY" or "RSA PUBLIC KEY"), parsed for this one call.
[[nodiscard]] Result<std::vector<std::uint8_t>> rsa_encrypt_password(std::string_view password,
                                                                     std::span<const std::uint8_t> nonce,
                                                                     std::string_view public_key_pem);
// The server side: decrypt with the private key, undo the XOR, drop the NUL.
// kMalformed if the key, the ciphertext or the missing NUL says it was not such a message.
[[nodiscard]] Result<std::string> rsa_decrypt_password(std::span<const std::uint8_t> ciphertext,
                                                       std::span<const std::uint8_t> nonce,
                                                       const RsaPrivateKey& private_key);
// The same with a PEM private key, parsed for this one call.
[[nodiscard]] Result<std::string> rsa_decrypt_password(std::span<const std::uint8_t> ciphertext,
                                                       std::span<const std::uint8_t> nonce,
                                                       std::string_view private_key_pem);

// ---- packets ----

// 0xfe, NUL-terminated plugin name, then the plugin data to the end of the packet. A bare 0xfe
// (the pre-4.1 "old password" switch) is kUnsupported.
struct AuthSwitchRequest {
  std::string plugin_name;
  std::string plugin_data;  // as sent: servers append a NUL to the 20-byte scramble
  bool operator==(const AuthSwitchRequest&) const = default;
};

[[nodiscard]] Result<AuthSwitchRequest> decode_auth_switch_request(std::span<const std::uint8_t> payload);
void encode_auth_switch_request(const AuthSwitchRequest& v, std::vector<std::uint8_t>& out);
// The scramble inside plugin_data: one trailing NUL stripped. Views into `req`.
[[nodiscard]] std::span<const std::uint8_t> scramble_of(const AuthSwitchRequest& req) noexcept;

// 0x01 then plugin-specific data (e.g. kCachingSha2FastAuthSuccess, or a PEM public key).
struct AuthMoreData {
  std::string data;
  bool operator==(const AuthMoreData&) const = default;
};

[[nodiscard]] Result<AuthMoreData> decode_auth_more_data(std::span<const std::uint8_t> payload);
void encode_auth_more_data(const AuthMoreData& v, std::vector<std::uint8_t>& out);

}  // namespace mysqlproxy::protocol
