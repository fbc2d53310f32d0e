// Fuzz target: the admin API's request handling (proxy/admin/admin_router), everything before a
// handler runs: paths, methods, percent-decoding, bearer parsing and the access rules, for any
// peer and any combination of tokens. The routes have the admin API's own shapes and access.
//
// Input: [tokens][peer][method][target '\n' Authorization '\n' bytes to percent-encode...].
// Tokens bit 0: an admin token, bit 1: a read token. Peer: unknown, 127.0.0.1, ::1, 192.0.2.2,
// fd00::2, ::ffff:127.x, or else 16 bytes read from the input.
// Invariants: handle() and refusal() never throw, agree, and are deterministic; a handler runs
// exactly when refusal() says nothing, and only when the access rule allows it (checked against a
// bearer parser and a loopback test of the target's own); the status is one the rules produce,
// 401 says WWW-Authenticate: Bearer, 405 says Allow, HEAD has no body; a path parameter is the
// segment decoded by a percent-decoder of the target's own; percent_decode undoes an encoding of
// any bytes.
#include <optional>
#include <string>

#include "proxy/admin/admin_router.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::proxy::admin;
using mysqlproxy::config::IpBytes;

namespace {

constexpr std::string_view kAdminToken = "adm1n-t0ken";
constexpr std::string_view kReadToken = "r3ad-t0ken";
constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "get", "", "OPTIONS"};

struct Called {
  AdminAccess access = AdminAccess::kOpen;
  std::optional<std::string> name;  // the {name} parameter, when the route has one
};
std::optional<Called> g_called;

AdminRouter::Handler record(AdminAccess access) {
  return [access](const AdminRequest&, const AdminRouter::Params& p) {
    Called c{access, std::nullopt};
    if (const auto it = p.find("name"); it != p.end()) c.name = it->second;
    g_called = c;
    return json_response(200, boost::json::object{{"ok", true}});
  };
}

void add_routes(AdminRouter& r) {
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) r.add("GET", path, record(AdminAccess::kOpen), AdminAccess::kOpen);
  for (const char* path : {"/api/v1/pool", "/api/v1/clients", "/api/v1/config", "/api/v1/backends/{name}"}) {
    r.add("GET", path, record(AdminAccess::kRead), AdminAccess::kRead);
  }
  for (const char* path : {"/api/v1/backends/{name}/drain", "/api/v1/backends/{name}/enable", "/api/v1/reload",
                           "/api/v1/clients/unblock"}) {
    r.add("POST", path, record(AdminAccess::kAdmin), AdminAccess::kAdmin);
  }
}

// "Bearer" (any case), one or more spaces, a credential without blanks, blanks after it.
std::optional<std::string_view> reference_bearer(std::string_view h) {
  if (h.size() < 7) return std::nullopt;
  for (std::size_t i = 0; i < 6; ++i) {
    if ((h[i] | 0x20) != "bearer"[i]) return std::nullopt;
  }
  std::size_t i = 6;
  if (h[i] != ' ') return std::nullopt;
  while (i < h.size() && h[i] == ' ') ++i;
  const std::size_t start = i;
  while (i < h.size() && h[i] != ' ' && h[i] != '\t') ++i;
  const std::size_t end = i;
  while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  if (start == end || i != h.size()) return std::nullopt;
  return h.substr(start, end - start);
}

bool reference_loopback(const std::optional<IpBytes>& peer) {
  if (!peer) return false;
  const IpBytes& a = *peer;
  bool mapped = a[10] == 0xff && a[11] == 0xff;
  bool zero_head = true;
  for (int i = 0; i < 10; ++i) zero_head = zero_head && a[i] == 0;
  if (zero_head && mapped) return a[12] == 127;
  for (int i = 0; i < 15; ++i) {
    if (a[i] != 0) return false;
  }
  return a[15] == 1;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> reference_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
    } else if (i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// The {name} segment (the fourth) of the target's path, as the router cuts it.
std::optional<std::string_view> name_segment(std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  for (int skip = 0; skip < 4; ++skip) {
    const auto slash = path.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    path.remove_prefix(slash + 1);
  }
  return path.substr(0, path.find('/'));
}

std::optional<IpBytes> peer_from(std::uint8_t choice, mysqlproxy::fuzz::Input& in) {
  auto ip = [](std::initializer_list<std::uint8_t> tail) {
    IpBytes a{};
    std::copy(tail.begin(), tail.end(), a.end() - static_cast<std::ptrdiff_t>(tail.size()));
    return a;
  };
  switch (choice % 8) {
    case 0: return std::nullopt;
    case 1: return ip({0xff, 0xff, 127, 0, 0, 1});
    case 2: return ip({1});
    case 3: return ip({0xff, 0xff, 192, 0, 2, 2});
    case 4: {
      IpBytes a{};
      a[0] = 0xfd;
      a[15] = 2;
      return a;
    }
    case 5: return ip({0xff, 0xff, 127, in.u8(), in.u8(), in.u8()});
    default: {
      IpBytes a{};
      for (auto& b : a) b = in.u8();
      return a;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t tokens = in.u8();
  const std::uint8_t peer_choice = in.u8();
  const std::uint8_t method_choice = in.u8();
  const std::optional<IpBytes> peer = peer_from(peer_choice, in);
  const std::string_view rest = mysqlproxy::fuzz::view_of(in.rest());
  const auto first_nl = rest.find('\n');
  const std::string_view target = rest.substr(0, first_nl);
  std::string_view after = first_nl == std::string_view::npos ? std::string_view() : rest.substr(first_nl + 1);
  const auto second_nl = after.find('\n');
  const std::string_view authorization = after.substr(0, second_nl);
  const std::string_view raw = second_nl == std::string_view::npos ? std::string_view() : after.substr(second_nl + 1);

  const std::string admin_token((tokens & 1) != 0 ? kAdminToken : "");
  const std::string read_token((tokens & 2) != 0 ? kReadToken : "");
  AdminRouter router(admin_token, read_token);
  add_routes(router);

  AdminRequest r;
  r.method = std::string(kMethods[method_choice % std::size(kMethods)]);
  r.target = std::string(target);
  r.authorization = std::string(authorization);
  r.peer = peer;

  g_called.reset();
  const std::optional<AdminResponse> refused = router.refusal(r);
  FUZZ_CHECK(!g_called);  // asking runs no handler
  const AdminResponse resp = router.handle(r);
  FUZZ_CHECK(refused.has_value() == !g_called.has_value());
  const AdminResponse again = router.handle(r);
  FUZZ_CHECK(again.status == resp.status && again.body == resp.body && again.headers == resp.headers);

  const int s = resp.status;
  FUZZ_CHECK(s == 200 || s == 400 || s == 401 || s == 403 || s == 404 || s == 405);
  if (refused) {
    FUZZ_CHECK(refused->status == s && refused->body == resp.body && refused->headers == resp.headers);
    FUZZ_CHECK(s != 200);
  } else {
    FUZZ_CHECK(s == 200);
  }
  if (s == 401) FUZZ_CHECK(resp.header("WWW-Authenticate") != nullptr && *resp.header("WWW-Authenticate") == "Bearer");
  if (s == 405) FUZZ_CHECK(resp.header("Allow") != nullptr && !resp.header("Allow")->empty());
  if (r.method == "HEAD") FUZZ_CHECK(resp.body.empty());

  if (g_called) {
    const auto credential = reference_bearer(r.authorization);
    const bool admin_ok = !admin_token.empty() && credential == std::string_view(admin_token);
    const bool read_ok = !read_token.empty() && credential == std::string_view(read_token);
    switch (g_called->access) {
      case AdminAccess::kOpen:
        break;
      case AdminAccess::kRead:
        if (admin_token.empty() && read_token.empty()) {
          FUZZ_CHECK(reference_loopback(peer));
        } else {
          FUZZ_CHECK(admin_ok || read_ok);
        }
        break;
      case AdminAccess::kAdmin:
        FUZZ_CHECK(admin_ok);
        break;
    }
    if (g_called->name) {
      const auto segment = name_segment(r.target);
      FUZZ_CHECK(segment.has_value());
      const auto decoded = reference_decode(*segment);
      FUZZ_CHECK(decoded.has_value() && *decoded == *g_called->name);
    }
  }

  // percent_decode against the reference, and undoing an encoding of any bytes.
  FUZZ_CHECK(percent_decode(raw) == reference_decode(raw));
  std::string encoded;
  for (unsigned char c : raw) {
    constexpr char kHex[] = "0123456789ABCDEF";
    encoded += '%';
    encoded += kHex[c >> 4];
    encoded += kHex[c & 15];
  }
  const auto round = percent_decode(encoded);
  FUZZ_CHECK(round.has_value() && *round == raw);
  return 0;
}
