#pragma once
// Every TLS context the running config calls for, and the backends' pinned RSA public keys, built
// together so a reload either gets them all or keeps the old ones (a renewed certificate with a
// typo must not switch TLS off).
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>

#include "config/config.hpp"
#include "protocol/auth.hpp"
#include "proxy/tls/tls_context.hpp"

namespace mysqlproxy::proxy {

struct TlsContexts {
  SslContextPtr clients;  // null: TLS is not offered to clients
  std::unordered_map<std::string, SslContextPtr> backends;  // by backend name; absent = plain TCP
  // backends[].rsa_public_key_file, parsed once per load: caching_sha2_password without TLS.
  std::unordered_map<std::string, protocol::RsaPublicKey> backend_rsa_keys;  // absent = none pinned

  [[nodiscard]] SslContextPtr backend(const std::string& name) const {
    auto it = backends.find(name);
    return it == backends.end() ? nullptr : it->second;
  }
  [[nodiscard]] protocol::RsaPublicKey backend_rsa_key(const std::string& name) const {
    auto it = backend_rsa_keys.find(name);
    return it == backend_rsa_keys.end() ? protocol::RsaPublicKey{} : it->second;
  }
};

struct TlsContextsResult {
  std::shared_ptr<const TlsContexts> contexts;  // null on failure
  std::string error;
};

[[nodiscard]] TlsContextsResult build_tls_contexts(const config::Config& cfg);

struct RsaPublicKeyResult {
  protocol::RsaPublicKey key;  // empty on failure
  std::string error;           // naming the file
};

// A backend's RSA public key from a PEM file ("PUBLIC KEY" or "RSA PUBLIC KEY").
[[nodiscard]] RsaPublicKeyResult load_rsa_public_key(const std::string& path);

// The contexts in force; swapped whole on reload.
class TlsCell {
 public:
  TlsCell() : current_(std::make_shared<const TlsContexts>()) {}
  [[nodiscard]] std::shared_ptr<const TlsContexts> get() const { return current_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const TlsContexts> c) { current_.store(std::move(c), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const TlsContexts>> current_;
};

}  // namespace mysqlproxy::proxy
