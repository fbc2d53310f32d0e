#pragma once
// Every TLS context the running config calls for, built together so a reload either gets them all
// or keeps the old ones (a renewed certificate with a typo must not switch TLS off).
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>

#include "config/config.hpp"
#include "proxy/tls/tls_context.hpp"

namespace mysqlproxy::proxy {

struct TlsContexts {
  SslContextPtr clients;  // null: TLS is not offered to clients
  std::unordered_map<std::string, SslContextPtr> backends;  // by backend name; absent = plain TCP

  [[nodiscard]] SslContextPtr backend(const std::string& name) const {
    auto it = backends.find(name);
    return it == backends.end() ? nullptr : it->second;
  }
};

struct TlsContextsResult {
  std::shared_ptr<const TlsContexts> contexts;  // null on failure
  std::string error;
};

[[nodiscard]] TlsContextsResult build_tls_contexts(const config::Config& cfg);

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
