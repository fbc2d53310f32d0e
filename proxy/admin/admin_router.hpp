#pragma once
// AdminRouter: pure request dispatch for the admin HTTP API. No sockets: (method, target,
// headers, body) in, response out, so every routing and auth rule is unit-testable.
//
// Rules of handle():
//   - the query string is ignored for matching; one trailing slash is tolerated;
//   - unknown path -> 404; known path but no route for the method -> 405 with "Allow";
//   - HEAD is served by the GET route, without a body (Content-Length kept, see AdminResponse);
//   - a literal segment wins over a {param} segment at the first place two patterns differ;
//   - who may call a route (AdminAccess), checked before any parameter work:
//       kOpen:  anyone (the probes and Prometheus: /healthz, /readyz, /metrics);
//       kRead:  "Authorization: Bearer <read token or admin token>" when either token is set, from
//               every peer, loopback included; with neither set, peers on a loopback address
//               only, others 403 saying how to set a read token;
//       kAdmin: the admin token; none configured -> 403;
//     a kRead/kAdmin route with a token configured: missing/malformed Authorization -> 401 with
//     "WWW-Authenticate: Bearer", wrong token -> 403. Tokens are compared in constant time;
//   - path parameters are percent-decoded; bad percent-encoding -> 400;
//   - a handler that throws -> 500 JSON error, logged. handle() itself never throws.
//
// Threading: add() is for setup, before the router is shared. handle() is const and may run on
// any thread; set_tokens() may run concurrently with it (config reload).
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/network.hpp"
#include "proxy/admin/http_types.hpp"

namespace mysqlproxy::proxy::admin {

// Who may call a route; see the rules above.
enum class AdminAccess { kOpen, kRead, kAdmin };

class AdminRouter {
 public:
  using Params = std::map<std::string, std::string, std::less<>>;  // {name} path parameters
  using Handler = std::function<AdminResponse(const AdminRequest&, const Params&)>;

  // admin_token "" = the kAdmin endpoints are off (403 "admin token not configured");
  // read_token opens the kRead endpoints only (the admin token opens them too).
  explicit AdminRouter(std::string admin_token, std::string read_token = "");

  // Patterns are "/" followed by literal segments and {param} segments, e.g.
  // "/api/v1/backends/{name}/drain". A malformed pattern is a bug in the caller and throws
  // std::invalid_argument at setup time.
  void add(std::string method, std::string pattern, Handler h, AdminAccess access);

  [[nodiscard]] AdminResponse handle(const AdminRequest& r) const;
  // What handle() answers without running a handler (400, 401, 403, 404, 405), or nullopt when it
  // would run one. Needs only the request line and headers: the server asks before it reads a
  // body, so nobody can make it buffer one without the right to send it.
  [[nodiscard]] std::optional<AdminResponse> refusal(const AdminRequest& r) const;

  void set_tokens(std::string admin_token, std::string read_token);

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    AdminAccess access = AdminAccess::kAdmin;
  };
  struct Match {
    const Route* route = nullptr;
    Params params;
  };

  // The route and its decoded parameters, or the refusal (before any handler runs).
  [[nodiscard]] std::optional<AdminResponse> resolve(const AdminRequest& r, Match& out) const;
  [[nodiscard]] std::optional<AdminResponse> check_access(const AdminRequest& r, AdminAccess access) const;

  std::vector<Route> routes_;
  mutable std::mutex token_mu_;
  std::string admin_token_;
  std::string read_token_;
};

// Decodes %XX escapes; nullopt on a truncated or non-hex escape. '+' stays '+' (paths, not forms).
std::optional<std::string> percent_decode(std::string_view s);

// 127.0.0.0/8 (also as ::ffff:127.x.y.z) or ::1.
[[nodiscard]] bool is_loopback(const config::IpBytes& address) noexcept;

}  // namespace mysqlproxy::proxy::admin
