#pragma once
// Certificates made in memory for TLS tests: a CA and server certificates it signs, for the names
// a test needs, so no test depends on files on disk or a running cluster. TempDir writes PEM files
// for code that takes paths (the TLS contexts built from the config).
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

namespace mysqlproxy::test {

struct TestKeyAndCertificate {
  std::string cert_pem;
  std::string key_pem;
};

enum class TestKeyType { kRsa, kEcdsa };

namespace pki_detail {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

inline PkeyPtr new_key(TestKeyType type) {
  EVP_PKEY* key = type == TestKeyType::kRsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (key == nullptr) throw std::runtime_error("cannot generate a test key");
  return PkeyPtr(key, &EVP_PKEY_free);
}

inline PkeyPtr read_key(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) throw std::runtime_error("unreadable test key");
  return PkeyPtr(key, &EVP_PKEY_free);
}

inline X509Ptr read_cert(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) throw std::runtime_error("unreadable test certificate");
  return X509Ptr(cert, &X509_free);
}

inline void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw std::runtime_error("bad test certificate extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

inline std::string pem_of(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

inline std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// Signed by `issuer` (issuer_key), or by itself when issuer is null.
inline TestKeyAndCertificate make_certificate(const std::string& common_name, const std::string& alt_names, bool ca,
                                              TestKeyType type, X509* issuer, EVP_PKEY* issuer_key) {
  PkeyPtr key = new_key(type);
  X509Ptr cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  static std::mt19937_64 serials{std::random_device{}()};
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serials() >> 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
    if (!alt_names.empty()) add_extension(cert.get(), signer, NID_subject_alt_name, alt_names);
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("cannot sign a test certificate");
  }
  return {pem_of(cert.get()), pem_of(key.get())};
}

}  // namespace pki_detail

// A private CA that signs server certificates.
class TestCa {
 public:
  explicit TestCa(const std::string& name = "mysql-proxy unit test CA")
      : ca_(pki_detail::make_certificate(name, "", true, TestKeyType::kRsa, nullptr, nullptr)) {}

  [[nodiscard]] const std::string& cert_pem() const noexcept { return ca_.cert_pem; }

  // `alt_names` as in openssl's subjectAltName: "DNS:localhost,IP:127.0.0.1".
  [[nodiscard]] TestKeyAndCertificate issue(const std::string& common_name, const std::string& alt_names,
                                            TestKeyType type = TestKeyType::kRsa) const {
    auto issuer = pki_detail::read_cert(ca_.cert_pem);
    auto issuer_key = pki_detail::read_key(ca_.key_pem);
    return pki_detail::make_certificate(common_name, alt_names, false, type, issuer.get(), issuer_key.get());
  }

 private:
  TestKeyAndCertificate ca_;
};

// A directory of its own under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::mt19937_64 rng{std::random_device{}()};
    path_ = std::filesystem::temp_directory_path() / ("mysqlproxy-test-" + std::to_string(rng()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to `name` in the directory; its absolute path.
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace mysqlproxy::test
