#include "protocol/auth.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <new>

#include "protocol/constants.hpp"
#include "protocol/wire_reader.hpp"
#include "protocol/wire_writer.hpp"

namespace mysqlproxy::protocol {
namespace {

using Bytes = std::span<const std::uint8_t>;

// One digest over the concatenation of `parts`. EVP calls fail only on allocation failure.
template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* md, std::initializer_list<Bytes> parts) {
  std::array<std::uint8_t, N> out{};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1;
  for (Bytes part : parts) ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == N;
  if (!ok) throw std::bad_alloc();
  return out;
}

Sha1Digest sha1(std::initializer_list<Bytes> parts) { return digest<20>(EVP_sha1(), parts); }
Sha256Digest sha256(std::initializer_list<Bytes> parts) { return digest<32>(EVP_sha256(), parts); }

Bytes first20(Bytes nonce) { return nonce.first(std::min<std::size_t>(nonce.size(), kScrambleSize)); }

template <std::size_t N>
std::array<std::uint8_t, N> xor_arrays(const std::array<std::uint8_t, N>& a, const std::array<std::uint8_t, N>& b) {
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = a[i] ^ b[i];
  return out;
}

template <std::size_t N>
bool equal_ct(const std::array<std::uint8_t, N>& a, const std::array<std::uint8_t, N>& b) {
  return CRYPTO_memcmp(a.data(), b.data(), N) == 0;
}

// response XOR SHA1(nonce + stage2) is SHA1(pw) when the client knew the password.
Sha1Digest native_candidate_stage1(Bytes response, Bytes nonce, const Sha1Digest& stage2) {
  Sha1Digest r{};
  std::copy(response.begin(), response.end(), r.begin());
  return xor_arrays(r, sha1({first20(nonce), stage2}));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* pkey) { return {pkey, &EVP_PKEY_free}; }

// Any RSA public key PEM (SubjectPublicKeyInfo or PKCS#1).
EVP_PKEY* load_public_key(std::string_view pem) {
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* dctx =
      OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, "RSA", EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
  if (dctx == nullptr) return nullptr;
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t len = pem.size();
  const bool ok = OSSL_DECODER_from_data(dctx, &data, &len) == 1;
  OSSL_DECODER_CTX_free(dctx);
  if (!ok) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return pkey;
}

EVP_PKEY* load_private_key(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return nullptr;
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (pkey != nullptr && EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return pkey;
}

// Leaves no OpenSSL errors queued on this thread: a stale one confuses later SSL_get_error() calls.
boost::system::error_code fail(ProtocolErrc e) {
  ERR_clear_error();
  return e;
}

// RSA-OAEP (SHA-1) adds 2 * 20 + 2 bytes of overhead.
constexpr std::size_t kOaepOverhead = 42;

}  // namespace

std::vector<std::uint8_t> scramble_native_password(std::string_view password, Bytes nonce) {
  if (password.empty()) return {};
  return scramble_native_from_stage1(sha1({bytes_of(password)}), nonce);
}

Sha1Digest native_password_stage2(std::string_view password) {
  return sha1({sha1({bytes_of(password)})});
}

std::optional<Sha1Digest> parse_native_password_hash(std::string_view text) {
  if (text.size() != 41 || text[0] != '*') return std::nullopt;
  Sha1Digest out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(text[1 + 2 * i]);
    const int lo = hex_value(text[2 + 2 * i]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string format_native_password_hash(const Sha1Digest& stage2) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = "*";
  for (std::uint8_t b : stage2) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

bool verify_native_password(Bytes response, Bytes nonce, const std::optional<Sha1Digest>& stage2) {
  if (!stage2) return response.empty();
  return recover_native_stage1(response, nonce, *stage2).has_value();
}

std::optional<Sha1Digest> recover_native_stage1(Bytes response, Bytes nonce, const Sha1Digest& stage2) {
  if (response.size() != 20) return std::nullopt;
  const Sha1Digest stage1 = native_candidate_stage1(response, nonce, stage2);
  if (!equal_ct(sha1({stage1}), stage2)) return std::nullopt;
  return stage1;
}

std::vector<std::uint8_t> scramble_native_from_stage1(const Sha1Digest& stage1, Bytes nonce) {
  const Sha1Digest mask = sha1({first20(nonce), sha1({stage1})});
  const Sha1Digest r = xor_arrays(stage1, mask);
  return {r.begin(), r.end()};
}

std::vector<std::uint8_t> scramble_caching_sha2(std::string_view password, Bytes nonce) {
  if (password.empty()) return {};
  const Sha256Digest stage1 = sha256({bytes_of(password)});
  const Sha256Digest stage2 = sha256({stage1});
  const Sha256Digest r = xor_arrays(stage1, sha256({stage2, first20(nonce)}));
  return {r.begin(), r.end()};
}

Sha256Digest caching_sha2_stage2(std::string_view password) { return sha256({sha256({bytes_of(password)})}); }

bool verify_caching_sha2_fast(Bytes response, Bytes nonce, const std::optional<Sha256Digest>& stage2) {
  if (!stage2) return response.empty();
  if (response.size() != 32) return false;
  Sha256Digest r{};
  std::copy(response.begin(), response.end(), r.begin());
  const Sha256Digest stage1 = xor_arrays(r, sha256({*stage2, first20(nonce)}));
  return equal_ct(sha256({stage1}), *stage2);
}

Result<RsaPublicKey> RsaPublicKey::from_pem(std::string_view pem) {
  EVP_PKEY* pkey = load_public_key(pem);
  if (pkey == nullptr) return fail(ProtocolErrc::kMalformed);
  RsaPublicKey key;
  key.key_ = share(pkey);
  return key;
}

Result<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view pem) {
  EVP_PKEY* pkey = load_private_key(pem);
  if (pkey == nullptr) return fail(ProtocolErrc::kMalformed);
  return adopt(pkey);
}

RsaPrivateKey RsaPrivateKey::adopt(EVP_PKEY* pkey) {
  RsaPrivateKey key;
  if (pkey == nullptr) return key;
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    return key;
  }
  key.key_ = share(pkey);
  return key;
}

Result<std::vector<std::uint8_t>> rsa_encrypt_password(std::string_view password, Bytes nonce,
                                                       const RsaPublicKey& public_key) {
  nonce = first20(nonce);
  if (nonce.empty() || !public_key) return ProtocolErrc::kMalformed;
  const auto key_size = static_cast<std::size_t>(EVP_PKEY_get_size(public_key.get()));
  if (password.size() + 1 + kOaepOverhead > key_size) return fail(ProtocolErrc::kUnsupported);

  std::vector<std::uint8_t> plain(password.begin(), password.end());
  plain.push_back(0);
  for (std::size_t i = 0; i < plain.size(); ++i) plain[i] ^= nonce[i % nonce.size()];

  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(public_key.get(), nullptr));
  std::vector<std::uint8_t> out(key_size);
  std::size_t out_len = out.size();
  const bool ok = ctx && EVP_PKEY_encrypt_init(ctx.get()) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) == 1 &&
                  EVP_PKEY_encrypt(ctx.get(), out.data(), &out_len, plain.data(), plain.size()) == 1;
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!ok) return fail(ProtocolErrc::kMalformed);
  out.resize(out_len);
  return out;
}

Result<std::vector<std::uint8_t>> rsa_encrypt_password(std::string_view password, Bytes nonce,
                                                       std::string_view public_key_pem) {
  if (first20(nonce).empty()) return ProtocolErrc::kMalformed;
  auto key = RsaPublicKey::from_pem(public_key_pem);
  if (!key) return key.error();
  return rsa_encrypt_password(password, nonce, *key);
}

Result<std::string> rsa_decrypt_password(Bytes ciphertext, Bytes nonce, const RsaPrivateKey& private_key) {
  nonce = first20(nonce);
  if (nonce.empty() || !private_key) return ProtocolErrc::kMalformed;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(private_key.get(), nullptr));
  std::vector<std::uint8_t> plain(static_cast<std::size_t>(EVP_PKEY_get_size(private_key.get())));
  std::size_t plain_len = plain.size();
  const bool ok = ctx && EVP_PKEY_decrypt_init(ctx.get()) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) == 1 &&
                  EVP_PKEY_decrypt(ctx.get(), plain.data(), &plain_len, ciphertext.data(), ciphertext.size()) == 1;
  if (!ok) return fail(ProtocolErrc::kMalformed);
  plain.resize(plain_len);
  for (std::size_t i = 0; i < plain.size(); ++i) plain[i] ^= nonce[i % nonce.size()];
  if (plain.empty() || plain.back() != 0) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return ProtocolErrc::kMalformed;
  }
  std::string password(plain.begin(), plain.end() - 1);
  OPENSSL_cleanse(plain.data(), plain.size());
  return password;
}

Result<std::string> rsa_decrypt_password(Bytes ciphertext, Bytes nonce, std::string_view private_key_pem) {
  if (first20(nonce).empty()) return ProtocolErrc::kMalformed;
  auto key = RsaPrivateKey::from_pem(private_key_pem);
  if (!key) return key.error();
  return rsa_decrypt_password(ciphertext, nonce, *key);
}

Result<AuthSwitchRequest> decode_auth_switch_request(Bytes payload) {
  WireReader r(payload);
  if (r.u8() != kAuthSwitchHeader) return r.ok() ? ProtocolErrc::kUnexpectedPacket : ProtocolErrc::kTruncated;
  if (r.empty()) return ProtocolErrc::kUnsupported;  // old_password switch request
  AuthSwitchRequest v;
  v.plugin_name = r.nul_str();
  v.plugin_data = r.rest();
  if (!r.ok()) return r.error();
  return v;
}

void encode_auth_switch_request(const AuthSwitchRequest& v, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(kAuthSwitchHeader);
  w.nul_str(v.plugin_name);
  w.bytes(v.plugin_data);
}

std::span<const std::uint8_t> scramble_of(const AuthSwitchRequest& req) noexcept {
  std::string_view data = req.plugin_data;
  if (!data.empty() && data.back() == '\0') data.remove_suffix(1);
  return bytes_of(data);
}

Result<AuthMoreData> decode_auth_more_data(Bytes payload) {
  WireReader r(payload);
  if (r.u8() != kAuthMoreDataHeader) return r.ok() ? ProtocolErrc::kUnexpectedPacket : ProtocolErrc::kTruncated;
  return AuthMoreData{std::string(r.rest())};
}

void encode_auth_more_data(const AuthMoreData& v, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(kAuthMoreDataHeader);
  w.bytes(v.data);
}

}  // namespace mysqlproxy::protocol
