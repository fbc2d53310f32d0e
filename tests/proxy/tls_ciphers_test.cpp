// The TLS 1.2 suites the proxy accepts, as the server of its clients and as the client of its
// backends: forward-secret key exchange (ECDHE) with AEAD ciphers only. Real handshakes on
// loopback between the proxy's contexts and an OpenSSL peer limited to one suite.
#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <boost/asio/ssl/stream.hpp>

#include "config/config.hpp"
#include "proxy/net/asio.hpp"
#include "proxy/tls/tls_context.hpp"
#include "tests/proxy/test_pki.hpp"

namespace mysqlproxy::proxy {
namespace {

using SslContext = asio::ssl::context;

// One handshake between `server` and `client` over loopback: the suite agreed on, "" if none.
std::string handshake(SslContext& server, SslContext& client) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::string server_cipher;
  std::string client_cipher;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
        if (ec) co_return;
        asio::ssl::stream<tcp::socket> tls(std::move(socket), server);
        auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::server, kUseTuple);
        if (!hec) server_cipher = SSL_get_cipher_name(tls.native_handle());
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        asio::ssl::stream<tcp::socket> tls(io, client);
        const auto endpoint = acceptor.local_endpoint();
        auto [cec] = co_await tls.next_layer().async_connect(endpoint, kUseTuple);
        if (cec) co_return;
        auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kUseTuple);
        if (!hec) client_cipher = SSL_get_cipher_name(tls.native_handle());
      },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  return server_cipher == client_cipher ? server_cipher : "";
}

// An OpenSSL peer that speaks TLS 1.2 and only the suites in `ciphers`.
void limit_to_tls12(SslContext& ctx, const char* ciphers) {
  SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ASSERT_EQ(SSL_CTX_set_cipher_list(ctx.native_handle(), ciphers), 1) << ciphers;
}

class TlsCiphers : public ::testing::Test {
 protected:
  void SetUp() override {
    config::ClientTlsConfig client_facing;
    client_facing.cert_file = dir_.write("server.pem", server_.cert_pem);
    client_facing.key_file = dir_.write("server-key.pem", server_.key_pem);
    auto made = make_client_facing_context(client_facing);
    ASSERT_TRUE(made.context) << made.error;
    proxy_server_ = made.context;
    config::BackendTlsConfig backend;
    backend.mode = config::BackendTlsMode::kRequired;
    auto to_backend = make_backend_context(backend);
    ASSERT_TRUE(to_backend.context) << to_backend.error;
    proxy_client_ = to_backend.context;
  }

  // What a client limited to `ciphers` (TLS 1.2) agrees on with the proxy.
  std::string client_gets(const char* ciphers) {
    SslContext client(SslContext::tls_client);
    limit_to_tls12(client, ciphers);
    return handshake(*proxy_server_, client);
  }

  // What the proxy agrees on with a backend limited to `ciphers` (TLS 1.2).
  std::string backend_gets(const char* ciphers) {
    SslContext backend(SslContext::tls_server);
    backend.use_certificate_chain(asio::buffer(server_.cert_pem));
    backend.use_private_key(asio::buffer(server_.key_pem), SslContext::pem);
    limit_to_tls12(backend, ciphers);
    return handshake(backend, *proxy_client_);
  }

  test::TestCa ca_;
  test::TempDir dir_;
  test::TestKeyAndCertificate server_ = ca_.issue("localhost", "DNS:localhost,IP:127.0.0.1");
  SslContextPtr proxy_server_;
  SslContextPtr proxy_client_;
};

TEST_F(TlsCiphers, ClientsGetForwardSecretAeadSuites) {
  EXPECT_EQ(client_gets("ECDHE-RSA-AES128-GCM-SHA256"), "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(client_gets("ECDHE-RSA-AES256-GCM-SHA384"), "ECDHE-RSA-AES256-GCM-SHA384");
  EXPECT_EQ(client_gets("ECDHE-RSA-CHACHA20-POLY1305"), "ECDHE-RSA-CHACHA20-POLY1305");
}

TEST_F(TlsCiphers, ClientsOfferingOnlyRsaKeyExchangeOrCbcAreRefused) {
  EXPECT_EQ(client_gets("AES128-SHA256"), "");         // RSA key exchange, CBC
  EXPECT_EQ(client_gets("AES256-GCM-SHA384"), "");     // RSA key exchange: no forward secrecy
  EXPECT_EQ(client_gets("ECDHE-RSA-AES128-SHA"), "");  // forward secret, but CBC
  EXPECT_EQ(client_gets("DHE-RSA-AES128-SHA256"), "");
}

// The proxy's order decides among the suites a client offers, whatever the client's order.
TEST_F(TlsCiphers, TheProxysPreferenceWins) {
  EXPECT_EQ(client_gets("ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"),
            "ECDHE-RSA-AES128-GCM-SHA256");
}

TEST_F(TlsCiphers, BackendsGetForwardSecretAeadSuites) {
  EXPECT_EQ(backend_gets("ECDHE-RSA-AES256-GCM-SHA384"), "ECDHE-RSA-AES256-GCM-SHA384");
  EXPECT_EQ(backend_gets("ECDHE-RSA-CHACHA20-POLY1305"), "ECDHE-RSA-CHACHA20-POLY1305");
}

TEST_F(TlsCiphers, BackendsOfferingOnlyRsaKeyExchangeOrCbcAreRefused) {
  EXPECT_EQ(backend_gets("AES256-GCM-SHA384"), "");
  EXPECT_EQ(backend_gets("AES128-SHA256"), "");
  EXPECT_EQ(backend_gets("ECDHE-RSA-AES256-SHA384"), "");
}

// TLS 1.3 keeps working, with its own (all AEAD, all ephemeral) suites.
TEST_F(TlsCiphers, Tls13IsUnaffected) {
  SslContext client(SslContext::tls_client);
  const std::string suite = handshake(*proxy_server_, client);
  EXPECT_TRUE(suite.starts_with("TLS_")) << suite;
}

}  // namespace
}  // namespace mysqlproxy::proxy
