#pragma once
// The host-name check of verify_identity for the health monitor. The client library the monitor
// uses checks a certificate only against the address it connects to (an IP once the monitor has
// resolved the backend's name), and has no hook before it logs in. So the monitor first opens a
// connection of its own up to the end of the TLS handshake, checked exactly as the proxy's backend
// connections are (the backend's CA, its server_name or host), and hands the library that
// certificate's fingerprint: the library then refuses, before it sends the login, any server that
// does not present the very certificate checked here.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.hpp"

namespace mysqlproxy::proxy {

struct CertificateCheck {
  std::string sha1_fingerprint;  // 40 upper-case hex digits, as MARIADB_OPT_TLS_PEER_FP takes it
  std::string error;             // set when the server could not be checked or failed the check
};

class TlsIdentityProbe {
 public:
  TlsIdentityProbe();
  ~TlsIdentityProbe();
  TlsIdentityProbe(const TlsIdentityProbe&) = delete;
  TlsIdentityProbe& operator=(const TlsIdentityProbe&) = delete;

  // Greeting, SSLRequest and the TLS handshake with `host`:`port` under `tls` (its server_name is
  // the name required in the certificate), then a close: nothing else is sent. Blocking, bounded
  // by `timeout`.
  CertificateCheck run(const std::string& host, std::uint16_t port, const config::BackendTlsConfig& tls,
                       std::chrono::milliseconds timeout);

  // Thread-safe: ends a run() in progress at once (it then fails).
  void cancel();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mysqlproxy::proxy
