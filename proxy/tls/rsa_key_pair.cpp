#include "proxy/tls/rsa_key_pair.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "config/read_file.hpp"

namespace mysqlproxy::proxy {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

constexpr unsigned kGeneratedBits = 2048;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// Keeps the parsed key (taking it over) and writes its public half as PEM.
RsaKeyResult key_pair_of(PkeyPtr pkey) {
  BioPtr pub(BIO_new(BIO_s_mem()));
  if (!pub || PEM_write_bio_PUBKEY(pub.get(), pkey.get()) != 1) {
    ERR_clear_error();
    return {{}, "cannot write the RSA public key as PEM"};
  }
  std::string public_pem = bio_text(pub.get());
  return {{protocol::RsaPrivateKey::adopt(pkey.release()), std::move(public_pem)}, {}};
}

}  // namespace

RsaKeyResult load_or_generate_rsa_keys(const std::string& path) {
  if (path.empty()) {
    PkeyPtr pkey(EVP_RSA_gen(kGeneratedBits));
    if (!pkey) {
      ERR_clear_error();
      return {{}, "cannot generate an RSA key pair"};
    }
    return key_pair_of(std::move(pkey));
  }
  auto text = config::read_file(path);
  if (!text) return {{}, "cannot read the RSA private key \"" + path + "\": " + text.error().message()};
  BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  OPENSSL_cleanse(text->data(), text->size());
  if (!pkey || EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_RSA) {
    ERR_clear_error();
    return {{}, "\"" + path + "\" is not a PEM RSA private key"};
  }
  return key_pair_of(std::move(pkey));
}

}  // namespace mysqlproxy::proxy
