// connection_scale: opens N logged-in client connections through the proxy and holds them idle,
// then reports the proxy's RSS per connection, how fast they were accepted, and whether every
// one still answers a query. Run by bench/run.sh (which raises the file limit first).
//   connection_scale --port P --pid PROXY_PID --connections N [--out FILE.json]
#include <mysql.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Options {
  unsigned port = 0;
  long pid = 0;
  std::size_t connections = 10000;
  std::string out;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--port") o.port = static_cast<unsigned>(std::atoi(value));
    else if (flag == "--pid") o.pid = std::atol(value);
    else if (flag == "--connections") o.connections = static_cast<std::size_t>(std::atol(value));
    else if (flag == "--out") o.out = value;
  }
  if (o.port == 0 || o.pid == 0) {
    std::cerr << "usage: connection_scale --port P --pid PROXY_PID --connections N [--out FILE]\n";
    std::exit(2);
  }
  return o;
}

long rss_kib(long pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

MYSQL* connect(unsigned port) {
  MYSQL* m = mysql_init(nullptr);
  unsigned timeout = 10;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (mysql_real_connect(m, "127.0.0.1", "app", "app-pass", nullptr, port, nullptr, 0) == nullptr) {
    std::cerr << "connect failed: " << mysql_error(m) << "\n";
    mysql_close(m);
    return nullptr;
  }
  return m;
}

bool answers(MYSQL* m) {
  if (mysql_query(m, "SELECT 1") != 0) return false;
  MYSQL_RES* res = mysql_store_result(m);
  if (res == nullptr) return false;
  MYSQL_ROW row = mysql_fetch_row(res);
  const bool ok = row != nullptr && row[0] != nullptr && std::string_view(row[0]) == "1";
  mysql_free_result(res);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  mysql_library_init(0, nullptr, nullptr);

  // One connection first, so what the proxy allocates once (pools, backend links) is not
  // counted against the idle ones.
  MYSQL* warm = connect(opt.port);
  if (warm == nullptr || !answers(warm)) return 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long rss_before = rss_kib(opt.pid);

  std::vector<MYSQL*> held;
  held.reserve(opt.connections);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < opt.connections; ++i) {
    MYSQL* m = connect(opt.port);
    if (m == nullptr) break;
    held.push_back(m);
  }
  const double connect_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long rss_idle = rss_kib(opt.pid);

  std::size_t answered = 0;
  for (MYSQL* m : held) answered += answers(m) ? 1 : 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long rss_after_query = rss_kib(opt.pid);

  for (MYSQL* m : held) mysql_close(m);
  mysql_close(warm);

  const double n = static_cast<double>(held.size());
  const double per_conn = n > 0 ? static_cast<double>(rss_idle - rss_before) / n : 0;
  const double per_conn_after_query = n > 0 ? static_cast<double>(rss_after_query - rss_before) / n : 0;
  char json[1024];
  std::snprintf(json, sizeof json,
                "{\n  \"requested\": %zu,\n  \"opened\": %zu,\n  \"answered\": %zu,\n  \"connect_seconds\": %.3f,\n"
                "  \"connections_per_second\": %.0f,\n  \"rss_before_kib\": %ld,\n  \"rss_idle_kib\": %ld,\n"
                "  \"rss_after_query_kib\": %ld,\n  \"rss_per_idle_connection_kib\": %.2f,\n"
                "  \"rss_per_connection_after_query_kib\": %.2f\n}\n",
                opt.connections, held.size(), answered, connect_s, n / connect_s, rss_before, rss_idle,
                rss_after_query, per_conn, per_conn_after_query);
  std::cout << json;
  if (!opt.out.empty()) std::ofstream(opt.out) << json;
  const bool ok = held.size() == opt.connections && answered == held.size();
  if (!ok) std::cerr << "connection_scale: " << held.size() << " opened, " << answered << " answered\n";
  return ok ? 0 : 1;
}
