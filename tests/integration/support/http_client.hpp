// A blocking HTTP/1.1 client for the tests (the admin API, Prometheus's query API).
#pragma once

#include <string>

namespace itest {

struct HttpReply {
  int status = 0;  // 0: no answer (error says why)
  std::string content_type;
  std::string body;
  std::string error;
};

// One request on a fresh connection; `token` adds "Authorization: Bearer <token>". A `source`
// address binds the socket to it first, so the server sees that peer (an IPv4 host address).
HttpReply http_request(const std::string& host, int port, const std::string& method, const std::string& target,
                       const std::string& token = "", const std::string& body = "", const std::string& source = "");

}  // namespace itest
