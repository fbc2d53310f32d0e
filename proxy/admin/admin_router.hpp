#pragma once
// AdminRouter: pure request dispatch for the admin HTTP API. No sockets: (method, target,
// headers, body) in, response out, so every routing and auth rule is unit-testable.
//
// Rules of handle():
//   - the query string is ignored for matching; one trailing slash is tolerated;
//   - unknown path -> 404; known path but no route for the method -> 405 with "Allow";
//   - HEAD is served by the GET route, without a body (Content-Length kept, see AdminResponse);
//   - a literal segment wins over a {param} segment at the first place two patterns differ;
//   - needs_token routes: no token configured -> 403, missing/malformed Authorization -> 401
//     with "WWW-Authenticate: Bearer", wrong token -> 403 (checked before any parameter work);
//   - path parameters are percent-decoded; bad percent-encoding -> 400;
//   - a handler that throws -> 500 JSON error, logged. handle() itself never throws.
//
// Threading: add() is for setup, before the router is shared. handle() is const and may run on
// any thread; set_token() may run concurrently with it (config reload).
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/admin/http_types.hpp"

namespace mysqlproxy::proxy::admin {

class AdminRouter {
 public:
  using Params = std::map<std::string, std::string, std::less<>>;  // {name} path parameters
  using Handler = std::function<AdminResponse(const AdminRequest&, const Params&)>;

  // "" = the needs_token endpoints are off (403 "admin token not configured").
  explicit AdminRouter(std::string bearer_token);

  // Patterns are "/" followed by literal segments and {param} segments, e.g.
  // "/api/v1/backends/{name}/drain". A malformed pattern is a bug in the caller and throws
  // std::invalid_argument at setup time.
  // needs_token: the request must carry "Authorization: Bearer <token>" (compared in constant time).
  void add(std::string method, std::string pattern, Handler h, bool needs_token);

  [[nodiscard]] AdminResponse handle(const AdminRequest& r) const;

  void set_token(std::string token);

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
    bool needs_token = false;
  };

  [[nodiscard]] AdminResponse dispatch(const AdminRequest& r) const;
  [[nodiscard]] std::optional<AdminResponse> check_token(const AdminRequest& r) const;

  std::vector<Route> routes_;
  mutable std::mutex token_mu_;
  std::string token_;
};

// Decodes %XX escapes; nullopt on a truncated or non-hex escape. '+' stays '+' (paths, not forms).
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace mysqlproxy::proxy::admin
