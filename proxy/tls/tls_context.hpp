#pragma once
// OpenSSL contexts built from the config: the one clients see (the proxy's certificate) and one
// per backend (trusted CA, optional client certificate). TLS 1.2 is the oldest version either
// side speaks. Failures come back as messages, never as exceptions.
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "config/config.hpp"

namespace mysqlproxy::proxy {

using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// The TLS 1.2 suites either side accepts (OpenSSL names), best first: ECDHE key exchange (forward
// secrecy) with AES-GCM or ChaCha20-Poly1305, for RSA and ECDSA certificates. No RSA key exchange,
// no CBC. TLS 1.3 keeps OpenSSL's suites, all of them AEAD with ephemeral keys. The health
// monitor's connections are given the same list.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

struct TlsContextResult {
  SslContextPtr context;  // null on failure
  std::string error;      // what went wrong, naming the file
};

// The server side of client connections: certificate chain and key from `cfg`.
[[nodiscard]] TlsContextResult make_client_facing_context(const config::ClientTlsConfig& cfg);

// The client side of connections to a backend whose mode is not disabled.
[[nodiscard]] TlsContextResult make_backend_context(const config::BackendTlsConfig& cfg);

}  // namespace mysqlproxy::proxy
