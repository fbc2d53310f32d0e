#include "proxy/health/monitor_tls_probe.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "protocol/capabilities.hpp"
#include "protocol/frame.hpp"
#include "protocol/handshake.hpp"
#include "protocol/ok_err.hpp"
#include "proxy/net/asio.hpp"
#include "proxy/tls/tls_context.hpp"

namespace mysqlproxy::proxy {
namespace {

// A greeting is about 100 bytes; anything near this is not one.
constexpr std::size_t kMaxGreeting = 64 * 1024;
constexpr std::uint8_t kUtf8mb4GeneralCi = 45;

CertificateCheck failed(std::string why) { return {{}, std::move(why)}; }

std::string sha1_fingerprint(X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha1(), digest.data(), &n) != 1) return {};
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 0x0f];
  }
  return out;
}

awaitable<CertificateCheck> check_certificate(tcp::socket& socket, const std::string& host, std::uint16_t port,
                                              const std::string& name, SslContextPtr context) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  const std::string service = std::to_string(port);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, service, kUseTuple);
  if (rec) co_return failed("cannot resolve " + host + ": " + rec.message());
  auto [cec, ep] = co_await asio::async_connect(socket, endpoints, kUseTuple);
  (void)ep;
  if (cec) co_return failed("cannot connect: " + cec.message());

  // Exactly the greeting's bytes: nothing behind it is read in plain text.
  std::array<std::uint8_t, 4> header{};
  const auto header_buffer = asio::buffer(header);
  auto [hec, hn] = co_await asio::async_read(socket, header_buffer, kUseTuple);
  (void)hn;
  if (hec) co_return failed("no greeting: " + hec.message());
  const std::size_t length = header[0] | (header[1] << 8) | (header[2] << 16);
  if (length == 0 || length > kMaxGreeting) co_return failed("no greeting: a packet of " + std::to_string(length) + " bytes");
  std::vector<std::uint8_t> payload(length);
  const auto payload_buffer = asio::buffer(payload);
  auto [pec, pn] = co_await asio::async_read(socket, payload_buffer, kUseTuple);
  (void)pn;
  if (pec) co_return failed("no greeting: " + pec.message());
  if (payload[0] == protocol::kErrHeader) {
    auto err = protocol::decode_err(payload, protocol::Capabilities{protocol::kClientProtocol41});
    const std::string why = err ? "[" + std::to_string(err->code) + "] " + std::string(err->message) : "(unreadable)";
    co_return failed("the server refused the connection: " + why);
  }
  auto greeting = protocol::decode_initial_handshake(payload);
  if (!greeting) co_return failed("unreadable greeting: " + greeting.error().message());
  if (!greeting->capabilities.has(protocol::kClientSsl)) co_return failed("the server does not offer TLS");

  protocol::SslRequest request;
  request.capabilities = protocol::Capabilities{protocol::kClientProtocol41 | protocol::kClientSsl |
                                                protocol::kClientSecureConnection | protocol::kClientLongPassword |
                                                protocol::kClientPluginAuth};
  request.max_packet_size = 1u << 24;
  request.character_set = kUtf8mb4GeneralCi;
  std::vector<std::uint8_t> ssl_request;
  protocol::encode_ssl_request(request, ssl_request);
  std::vector<std::uint8_t> wire;
  (void)protocol::encode_frames(ssl_request, static_cast<std::uint8_t>(header[3] + 1), wire);
  const auto wire_buffer = asio::buffer(wire);
  auto [wec, wn] = co_await asio::async_write(socket, wire_buffer, kUseTuple);
  (void)wn;
  if (wec) co_return failed("cannot send the SSLRequest: " + wec.message());

  // The checks of the proxy's own backend connections (PacketStream::start_tls_as_client).
  asio::ssl::stream<tcp::socket&> tls(socket, *context);
  error_code not_an_address;
  (void)asio::ip::make_address(name, not_an_address);
  if (not_an_address) SSL_set_tlsext_host_name(tls.native_handle(), name.c_str());
  tls.set_verify_callback(asio::ssl::host_name_verification(name));
  auto [tec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (tec) co_return failed("TLS: " + tec.message() + " (the certificate must name " + name + ")");
  X509* cert = SSL_get1_peer_certificate(tls.native_handle());
  if (cert == nullptr) co_return failed("TLS: the server sent no certificate");
  std::string fingerprint = sha1_fingerprint(cert);
  X509_free(cert);
  if (fingerprint.empty()) co_return failed("TLS: cannot digest the server's certificate");
  co_return CertificateCheck{std::move(fingerprint), {}};
}

}  // namespace

struct TlsIdentityProbe::State {
  std::mutex mu;
  asio::io_context* io = nullptr;  // the run in progress, for cancel()
  tcp::socket* socket = nullptr;
};

TlsIdentityProbe::TlsIdentityProbe() : state_(std::make_unique<State>()) {}
TlsIdentityProbe::~TlsIdentityProbe() = default;

CertificateCheck TlsIdentityProbe::run(const std::string& host, std::uint16_t port, const config::BackendTlsConfig& tls,
                                       std::chrono::milliseconds timeout) {
  auto context = make_backend_context(tls);
  if (!context.context) return failed(context.error);
  const std::string name = tls.server_name.empty() ? host : tls.server_name;

  asio::io_context io;
  tcp::socket socket(io);
  {
    std::lock_guard lock(state_->mu);
    state_->io = &io;
    state_->socket = &socket;
  }
  CertificateCheck result;
  bool finished = false;
  bool timed_out = false;
  asio::steady_timer timer(io);
  timer.expires_after(timeout);
  timer.async_wait([&](const error_code& ec) {
    if (ec) return;  // the check ended first
    timed_out = true;
    error_code ignored;
    socket.close(ignored);
  });
  asio::co_spawn(io, check_certificate(socket, host, port, name, context.context),
                 [&](std::exception_ptr e, CertificateCheck check) {
                   finished = true;
                   timer.cancel();
                   result = e ? failed("the check failed unexpectedly") : std::move(check);
                 });
  io.run();
  {
    std::lock_guard lock(state_->mu);
    state_->io = nullptr;
    state_->socket = nullptr;
  }
  if (timed_out) result = failed("timed out after " + std::to_string(timeout.count()) + " ms");
  if (!finished) result = failed("interrupted");
  error_code ignored;
  socket.close(ignored);
  return result;
}

void TlsIdentityProbe::cancel() {
  std::lock_guard lock(state_->mu);
  if (state_->io == nullptr) return;
  asio::post(*state_->io, [socket = state_->socket] {
    error_code ignored;
    socket->close(ignored);
  });
}

}  // namespace mysqlproxy::proxy
