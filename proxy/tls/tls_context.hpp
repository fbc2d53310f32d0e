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

struct TlsContextResult {
  SslContextPtr context;  // null on failure
  std::string error;      // what went wrong, naming the file
};

// The server side of client connections: certificate chain and key from `cfg`.
[[nodiscard]] TlsContextResult make_client_facing_context(const config::ClientTlsConfig& cfg);

// The client side of connections to a backend whose mode is not disabled.
[[nodiscard]] TlsContextResult make_backend_context(const config::BackendTlsConfig& cfg);

}  // namespace mysqlproxy::proxy
