#include "proxy/tls/tls_contexts.hpp"

namespace mysqlproxy::proxy {

TlsContextsResult build_tls_contexts(const config::Config& cfg) {
  auto contexts = std::make_shared<TlsContexts>();
  if (cfg.tls.enabled()) {
    auto made = make_client_facing_context(cfg.tls);
    if (!made.context) return {nullptr, "tls: " + made.error};
    contexts->clients = std::move(made.context);
  }
  for (const auto& backend : cfg.backends) {
    if (backend.tls.mode == config::BackendTlsMode::kDisabled) continue;
    auto made = make_backend_context(backend.tls);
    if (!made.context) return {nullptr, "backend " + backend.name + " tls: " + made.error};
    contexts->backends.emplace(backend.name, std::move(made.context));
  }
  return {std::move(contexts), {}};
}

}  // namespace mysqlproxy::proxy
