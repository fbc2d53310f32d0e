// RSA keys are parsed once and then used as parsed: the proxy's own pair (caching_sha2_password
// from clients without TLS) and the backends' pinned public keys (backends[].rsa_public_key_file).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "protocol/auth.hpp"
#include "proxy/tls/rsa_key_pair.hpp"
#include "proxy/tls/tls_contexts.hpp"
#include "tests/proxy/test_pki.hpp"

namespace mysqlproxy::proxy {
namespace {

const std::vector<std::uint8_t> kNonce = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j',
                                          'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't'};

// A fresh RSA private key as a PEM file holds it.
std::string private_key_pem(test::TestKeyType type = test::TestKeyType::kRsa) {
  return test::pki_detail::pem_of(test::pki_detail::new_key(type).get());
}

// The public half of `key`, as a server sends it.
std::string public_pem_of(const protocol::RsaPrivateKey& key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key.get());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

TEST(RsaPrivateKey, DecryptsWithNoPemTextLeft) {
  std::string pem = private_key_pem();
  auto key = protocol::RsaPrivateKey::from_pem(pem);
  ASSERT_TRUE(key) << key.error().message();
  // The text is gone: what decrypts below works from the parsed key alone.
  std::fill(pem.begin(), pem.end(), 'x');
  pem.clear();
  pem.shrink_to_fit();
  auto cipher = protocol::rsa_encrypt_password("s3cret", kNonce, public_pem_of(*key));
  ASSERT_TRUE(cipher) << cipher.error().message();
  auto plain = protocol::rsa_decrypt_password(*cipher, kNonce, *key);
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_EQ(*plain, "s3cret");
}

TEST(RsaPrivateKey, RefusesWhatIsNotAnRsaPrivateKey) {
  EXPECT_FALSE(protocol::RsaPrivateKey::from_pem("not a key"));
  // An EC key is a private key, but not one caching_sha2_password can use.
  EXPECT_FALSE(protocol::RsaPrivateKey::from_pem(private_key_pem(test::TestKeyType::kEcdsa)));
  EXPECT_FALSE(protocol::RsaPrivateKey{});
  const auto empty = protocol::rsa_decrypt_password(std::vector<std::uint8_t>(256), kNonce, protocol::RsaPrivateKey{});
  EXPECT_EQ(empty.error(), protocol::ProtocolErrc::kMalformed);
}

// The proxy's pair is read from its file once, at start-up: the file can go, the pair works on.
TEST(RsaKeyPair, LoadedFromAFileItKeepsWorkingWithoutIt) {
  test::TempDir dir;
  const std::string path = dir.write("rsa.pem", private_key_pem());
  const RsaKeyResult loaded = load_or_generate_rsa_keys(path);
  ASSERT_TRUE(loaded.error.empty()) << loaded.error;
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.keys.private_key);
  auto cipher = protocol::rsa_encrypt_password("pw", kNonce, loaded.keys.public_pem);
  ASSERT_TRUE(cipher);
  EXPECT_EQ(protocol::rsa_decrypt_password(*cipher, kNonce, loaded.keys.private_key).value(), "pw");
}

// One parsed key serves every worker at once.
TEST(RsaKeyPair, OneKeyDecryptsOnManyThreadsAtOnce) {
  const RsaKeyResult pair = load_or_generate_rsa_keys("");
  ASSERT_TRUE(pair.error.empty());
  auto public_key = protocol::RsaPublicKey::from_pem(pair.keys.public_pem);
  ASSERT_TRUE(public_key);
  constexpr int kThreads = 4;
  constexpr int kRounds = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string password = "pw-" + std::to_string(t) + "-" + std::to_string(i);
        auto cipher = protocol::rsa_encrypt_password(password, kNonce, *public_key);
        if (!cipher) continue;
        auto plain = protocol::rsa_decrypt_password(*cipher, kNonce, pair.keys.private_key);
        if (plain && *plain == password) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kRounds);
}

// backends[].rsa_public_key_file: read and parsed with the TLS contexts (start-up, reload).
TEST(BackendRsaKeys, LoadedWithTheTlsContextsByBackendName) {
  test::TempDir dir;
  const RsaKeyResult server = load_or_generate_rsa_keys("");
  config::Config cfg;
  cfg.backends.resize(2);
  cfg.backends[0].name = "mysql8";
  cfg.backends[0].rsa_public_key_file = dir.write("mysql8.pub", server.keys.public_pem);
  cfg.backends[1].name = "other";
  auto built = build_tls_contexts(cfg);
  ASSERT_TRUE(built.contexts) << built.error;
  std::filesystem::remove(cfg.backends[0].rsa_public_key_file);
  const protocol::RsaPublicKey key = built.contexts->backend_rsa_key("mysql8");
  ASSERT_TRUE(key);
  EXPECT_FALSE(built.contexts->backend_rsa_key("other"));
  auto cipher = protocol::rsa_encrypt_password("pw", kNonce, key);
  ASSERT_TRUE(cipher);
  EXPECT_EQ(protocol::rsa_decrypt_password(*cipher, kNonce, server.keys.private_key).value(), "pw");
}

TEST(BackendRsaKeys, AnUnusableFileFailsTheLoadNamingTheBackend) {
  test::TempDir dir;
  config::Config cfg;
  cfg.backends.resize(1);
  cfg.backends[0].name = "mysql8";
  cfg.backends[0].rsa_public_key_file = dir.write("bad.pub", "-----BEGIN PUBLIC KEY-----\nnope\n");
  auto built = build_tls_contexts(cfg);
  EXPECT_FALSE(built.contexts);
  EXPECT_NE(built.error.find("backend mysql8 rsa_public_key_file"), std::string::npos) << built.error;
  cfg.backends[0].rsa_public_key_file = "/nonexistent/key.pem";
  built = build_tls_contexts(cfg);
  EXPECT_FALSE(built.contexts);
  EXPECT_NE(built.error.find("cannot read"), std::string::npos) << built.error;
}

}  // namespace
}  // namespace mysqlproxy::proxy
