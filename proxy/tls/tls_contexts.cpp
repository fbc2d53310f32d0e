#include "proxy/tls/tls_contexts.hpp"

#include "config/read_file.hpp"

namespace mysqlproxy::proxy {

RsaPublicKeyResult load_rsa_public_key(const std::string& path) {
  auto text = config::read_file(path);
  if (!text) return {{}, "cannot read \"" + path + "\": " + text.error().message()};
  auto key = protocol::RsaPublicKey::from_pem(*text);
  if (!key) return {{}, "\"" + path + "\" is not a PEM RSA public key"};
  return {std::move(*key), {}};
}

TlsContextsResult build_tls_contexts(const config::Config& cfg) {
  auto contexts = std::make_shared<TlsContexts>();
  if (cfg.tls.enabled()) {
    auto made = make_client_facing_context(cfg.tls);
    if (!made.context) return {nullptr, "tls: " + made.error};
    contexts->clients = std::move(made.context);
  }
  for (const auto& backend : cfg.backends) {
    if (!backend.rsa_public_key_file.empty()) {
      auto key = load_rsa_public_key(backend.rsa_public_key_file);
      if (!key.error.empty()) return {nullptr, "backend " + backend.name + " rsa_public_key_file: " + key.error};
      contexts->backend_rsa_keys.emplace(backend.name, std::move(key.key));
    }
    if (backend.tls.mode == config::BackendTlsMode::kDisabled) continue;
    auto made = make_backend_context(backend.tls);
    if (!made.context) return {nullptr, "backend " + backend.name + " tls: " + made.error};
    contexts->backends.emplace(backend.name, std::move(made.context));
  }
  return {std::move(contexts), {}};
}

}  // namespace mysqlproxy::proxy
