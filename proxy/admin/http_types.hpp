#pragma once
// The admin API's request and response as plain values, so dispatch and handlers can be tested
// without sockets. The HTTP server converts to and from the wire.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "config/network.hpp"

namespace mysqlproxy::proxy::admin {

struct AdminRequest {
  std::string method;         // "GET", "POST", ... (case-sensitive, as on the wire)
  std::string target;         // path plus optional ?query
  std::string authorization;  // the Authorization header, "" if absent
  std::string body;
  // The connecting peer's address (IPv4 as ::ffff:a.b.c.d); nullopt = unknown, never loopback.
  std::optional<config::IpBytes> peer;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (e.g. Allow on 405). For a HEAD request the router leaves the body empty and
  // records the GET body's length here as "Content-Length", so the server can announce it.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first extra header with this name (case-insensitive), or nullptr.
  [[nodiscard]] const std::string* header(std::string_view name) const;
};

// A response whose body is `v` serialized.
AdminResponse json_response(int status, const boost::json::value& v);
// {"error": {"status": <status>, "message": "<message>"}}
AdminResponse json_error(int status, std::string_view message);

}  // namespace mysqlproxy::proxy::admin
