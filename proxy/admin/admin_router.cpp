#include "proxy/admin/admin_router.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <set>
#include <stdexcept>

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace mysqlproxy::proxy::admin {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path == "/") return out;
  path.remove_prefix(1);  // leading '/'
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// Time depends only on the length of what the client sent, never on where the first difference
// is, so the token can't be guessed byte by byte. `expected` is never empty here.
bool constant_time_equal(std::string_view given, std::string_view expected) {
  unsigned diff = given.size() != expected.size() ? 1u : 0u;
  for (std::size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i]) ^ static_cast<unsigned char>(expected[i % expected.size()]);
  }
  return diff == 0;
}

// "Bearer <credential>": scheme case-insensitive (RFC 9110), one credential, nothing after it.
std::optional<std::string_view> bearer_credential(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || !iequals(header.substr(0, kScheme.size()), kScheme)) return std::nullopt;
  header.remove_prefix(kScheme.size());
  if (header.front() != ' ') return std::nullopt;
  const auto start = header.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::nullopt;
  header.remove_prefix(start);
  const auto end = header.find_last_not_of(" \t");
  header = header.substr(0, end + 1);
  if (header.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  return header;
}

// HEAD never carries a body, whatever the status; the length tells what GET would send.
void without_body_for_head(const AdminRequest& r, AdminResponse& resp) {
  if (r.method != "HEAD" || resp.body.empty()) return;
  resp.headers.emplace_back("Content-Length", std::to_string(resp.body.size()));
  resp.body.clear();
}

}  // namespace

const std::string* AdminResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return &v;
  }
  return nullptr;
}

AdminResponse json_response(int status, const boost::json::value& v) {
  AdminResponse r;
  r.status = status;
  r.body = boost::json::serialize(v);
  return r;
}

AdminResponse json_error(int status, std::string_view message) {
  boost::json::object inner;
  inner["status"] = status;
  inner["message"] = message;
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return json_response(status, outer);
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

bool is_loopback(const config::IpBytes& address) noexcept {
  if (config::is_ipv4_mapped(address)) return address[12] == 127;
  for (std::size_t i = 0; i + 1 < address.size(); ++i) {
    if (address[i] != 0) return false;
  }
  return address.back() == 1;
}

AdminRouter::AdminRouter(std::string admin_token, std::string read_token)
    : admin_token_(std::move(admin_token)), read_token_(std::move(read_token)) {}

void AdminRouter::add(std::string method, std::string pattern, Handler h, AdminAccess access) {
  if (method.empty() || pattern.empty() || pattern.front() != '/' || !h) {
    throw std::invalid_argument("admin route needs a method, a handler and a pattern starting with '/': " + pattern);
  }
  Route route;
  for (std::string_view seg : split_path(pattern)) {
    const bool is_param = seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
    if (is_param) seg = seg.substr(1, seg.size() - 2);
    if (seg.empty() || seg.find_first_of("{}") != std::string_view::npos) {
      throw std::invalid_argument("malformed admin route pattern: " + pattern);
    }
    route.segments.push_back(Segment{std::string(seg), is_param});
  }
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.handler = std::move(h);
  route.access = access;
  routes_.push_back(std::move(route));
}

void AdminRouter::set_tokens(std::string admin_token, std::string read_token) {
  std::lock_guard lock(token_mu_);
  admin_token_ = std::move(admin_token);
  read_token_ = std::move(read_token);
}

AdminResponse AdminRouter::handle(const AdminRequest& r) const {
  AdminResponse resp;
  try {
    Match match;
    auto refused = resolve(r, match);
    resp = refused ? std::move(*refused) : match.route->handler(r, match.params);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {} failed: {}", r.method, r.target, e.what());
    resp = json_error(500, "internal error");
  } catch (...) {
    spdlog::error("admin: {} {} failed with a non-standard exception", r.method, r.target);
    resp = json_error(500, "internal error");
  }
  without_body_for_head(r, resp);
  return resp;
}

std::optional<AdminResponse> AdminRouter::refusal(const AdminRequest& r) const {
  std::optional<AdminResponse> refused;
  try {
    Match match;
    refused = resolve(r, match);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {} failed: {}", r.method, r.target, e.what());
    refused = json_error(500, "internal error");
  }
  if (refused) without_body_for_head(r, *refused);
  return refused;
}

std::optional<AdminResponse> AdminRouter::check_access(const AdminRequest& r, AdminAccess access) const {
  if (access == AdminAccess::kOpen) return std::nullopt;
  std::string admin_token;
  std::string read_token;
  {
    std::lock_guard lock(token_mu_);
    admin_token = admin_token_;
    if (access == AdminAccess::kRead) read_token = read_token_;
  }
  if (admin_token.empty() && read_token.empty()) {
    if (access == AdminAccess::kAdmin) return json_error(403, "admin token not configured");
    // No token at all: only this host can read (what a default, loopback-bound admin API serves).
    if (r.peer && is_loopback(*r.peer)) return std::nullopt;
    return json_error(403, "no read token configured: set admin.read_token (or read_token_env, read_token_file) "
                           "and send it as 'Authorization: Bearer <token>'; without one only loopback clients may read");
  }
  const auto credential = bearer_credential(r.authorization);
  if (!credential) {
    auto resp = json_error(401, "missing or malformed bearer token");
    resp.headers.emplace_back("WWW-Authenticate", "Bearer");
    return resp;
  }
  // Both compared whatever the first gave, so the time says nothing about which one matched.
  const bool admin_ok = !admin_token.empty() && constant_time_equal(*credential, admin_token);
  const bool read_ok = !read_token.empty() && constant_time_equal(*credential, read_token);
  if (!admin_ok && !read_ok) return json_error(403, "invalid admin token");
  return std::nullopt;
}

std::optional<AdminResponse> AdminRouter::resolve(const AdminRequest& r, Match& out) const {
  std::string_view path = r.target;
  path = path.substr(0, path.find_first_of("?#"));
  if (path.empty() || path.front() != '/') return json_error(400, "request target must be a path");
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const auto segments = split_path(path);

  auto shape_matches = [&](const Route& route) {
    if (route.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const auto& want = route.segments[i];
      if (want.is_param ? segments[i].empty() : segments[i] != want.text) return false;
    }
    return true;
  };
  // Literal beats {param} at the first segment where the two patterns differ in kind.
  auto beats = [](const Route& a, const Route* b) {
    if (b == nullptr) return true;
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].is_param != b->segments[i].is_param) return !a.segments[i].is_param;
    }
    return false;  // same shape: the first registered wins
  };

  const Route* exact = nullptr;
  const Route* get_for_head = nullptr;
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    if (!shape_matches(route)) continue;
    allowed.insert(route.method);
    if (route.method == r.method && beats(route, exact)) exact = &route;
    if (r.method == "HEAD" && route.method == "GET" && beats(route, get_for_head)) get_for_head = &route;
  }
  if (allowed.empty()) return json_error(404, "no such endpoint");
  const Route* route = exact != nullptr ? exact : get_for_head;
  if (route == nullptr) {
    if (allowed.count("GET") != 0) allowed.insert("HEAD");
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    auto resp = json_error(405, "method not allowed");
    resp.headers.emplace_back("Allow", std::move(allow));
    return resp;
  }

  if (auto denied = check_access(r, route->access)) return denied;

  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!route->segments[i].is_param) continue;
    auto decoded = percent_decode(segments[i]);
    if (!decoded) return json_error(400, "malformed percent-encoding in path parameter '" + route->segments[i].text + "'");
    out.params.emplace(route->segments[i].text, std::move(*decoded));
  }
  out.route = route;
  return std::nullopt;
}

}  // namespace mysqlproxy::proxy::admin
