#pragma once
// The RSA key pair caching_sha2_password uses to receive a password without TLS: the client asks
// for the public key, encrypts the password with it, and the proxy decrypts with the private key.
#include <string>

#include "protocol/auth.hpp"

namespace mysqlproxy::proxy {

struct RsaKeyPair {
  // Parsed once here, at start-up: every decryption uses it as it is, from any worker.
  protocol::RsaPrivateKey private_key;
  std::string public_pem;  // SubjectPublicKeyInfo "PUBLIC KEY", as MySQL servers send it
};

struct RsaKeyResult {
  RsaKeyPair keys;  // empty on failure
  std::string error;
};

// Reads a PEM private key from `path`, or makes a fresh 2048-bit pair when `path` is empty
// (as MySQL servers do when they start without one).
[[nodiscard]] RsaKeyResult load_or_generate_rsa_keys(const std::string& path);

}  // namespace mysqlproxy::proxy
