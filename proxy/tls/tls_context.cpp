#include "proxy/tls/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace mysqlproxy::proxy {
namespace {

namespace ssl = boost::asio::ssl;
using boost::system::error_code;

int min_protocol(config::TlsVersion version) {
  return version == config::TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

std::string describe(const error_code& ec) {
  std::string text = ec.message();
  // OpenSSL's own reason is more telling than Asio's category text.
  if (const unsigned long err = ERR_get_error(); err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof buf);
    text = buf;
  }
  ERR_clear_error();
  return text;
}

TlsContextResult failed(const std::string& what, const std::string& file, const error_code& ec) {
  return {nullptr, what + " \"" + file + "\": " + describe(ec)};
}

// Common hardening: no compression, no renegotiation, the configured minimum version, and TLS 1.2
// suites with forward secrecy and AEAD only (TLS 1.3's own suites all are).
bool harden(ssl::context& ctx, config::TlsVersion min_version) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
  SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_RENEGOTIATION);
  return SSL_CTX_set_cipher_list(ctx.native_handle(), kTls12Ciphers) == 1 &&
         SSL_CTX_set_min_proto_version(ctx.native_handle(), min_protocol(min_version)) == 1;
}

}  // namespace

TlsContextResult make_client_facing_context(const config::ClientTlsConfig& cfg) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  if (!harden(*ctx, cfg.min_version)) return {nullptr, "cannot set the TLS version or ciphers"};
  // Among the suites both sides have, the proxy's order (kTls12Ciphers) decides, not the client's.
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  error_code ec;
  ctx->use_certificate_chain_file(cfg.cert_file, ec);
  if (ec) return failed("cannot use the certificate", cfg.cert_file, ec);
  ctx->use_private_key_file(cfg.key_file, ssl::context::pem, ec);
  if (ec) return failed("cannot use the private key", cfg.key_file, ec);
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return {nullptr, "the private key \"" + cfg.key_file + "\" does not match the certificate \"" + cfg.cert_file + "\""};
  }
  // Sessions are short-lived per connection here; a cache would only hold memory.
  SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_OFF);
  return {ctx, {}};
}

TlsContextResult make_backend_context(const config::BackendTlsConfig& cfg) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (!harden(*ctx, cfg.min_version)) return {nullptr, "cannot set the TLS version or ciphers"};
  error_code ec;
  const bool verify =
      cfg.mode == config::BackendTlsMode::kVerifyCa || cfg.mode == config::BackendTlsMode::kVerifyIdentity;
  if (verify) {
    if (cfg.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
      if (ec) return {nullptr, "cannot load the system's trusted CAs: " + describe(ec)};
    } else {
      ctx->load_verify_file(cfg.ca_file, ec);
      if (ec) return failed("cannot load the CA", cfg.ca_file, ec);
    }
    ctx->set_verify_mode(ssl::verify_peer, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_none, ec);
  }
  if (!cfg.cert_file.empty()) {
    ctx->use_certificate_chain_file(cfg.cert_file, ec);
    if (ec) return failed("cannot use the client certificate", cfg.cert_file, ec);
    ctx->use_private_key_file(cfg.key_file, ssl::context::pem, ec);
    if (ec) return failed("cannot use the client key", cfg.key_file, ec);
  }
  return {ctx, {}};
}

}  // namespace mysqlproxy::proxy
