#include "proxy/net/io_backend.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>

#ifdef MYSQLPROXY_IO_URING
#include <liburing.h>
#endif

namespace mysqlproxy::proxy {

#ifdef MYSQLPROXY_IO_URING

namespace {

// The entries Asio asks for in each io_context's ring (io_uring_service's ring_size, private):
// about 1.6 MiB of ring memory each.
constexpr unsigned kAsioRingEntries = 16384;

// The reason io_uring can't be used here for `rings` io_contexts, or empty if it can. Rings are
// made the size Asio makes them, all held at once: some kernels count ring memory against
// RLIMIT_MEMLOCK, per user, so every process of the same uid on a node (two proxy pods with
// runAsUser 10001, during a rolling update) shares one budget, 8 MiB by default in containers.
// A ring that fails later can't hand over any more, so find out now.
std::string io_uring_unusable(unsigned rings) {
  const char* forced = std::getenv("MYSQL_PROXY_IO");
  if (forced != nullptr && std::string_view(forced) == "epoll") return "MYSQL_PROXY_IO=epoll";
  std::vector<io_uring> made(rings);
  unsigned n = 0;
  int rc = 0;
  for (; n < rings; ++n) {
    rc = io_uring_queue_init(kAsioRingEntries, &made[n], 0);
    if (rc < 0) break;
  }
  for (unsigned i = 0; i < n; ++i) io_uring_queue_exit(&made[i]);
  if (rc == 0) return {};
  std::string why = "io_uring_setup failed for ring " + std::to_string(n + 1) + " of " + std::to_string(rings) + ": " +
                    std::strerror(-rc);
  if (rc == -ENOMEM) why += " (ring memory counts against RLIMIT_MEMLOCK, shared by the user's processes)";
  return why;
}

}  // namespace

const char* io_backend_name() noexcept { return "io_uring"; }

std::string hand_over_to_epoll_if_needed(char** argv, unsigned rings) {
  const std::string why = io_uring_unusable(rings);
  if (why.empty()) return {};
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "io_uring is not usable (" + why + ") and /proc/self/exe is unreadable: " + ec.message();
  const auto sibling = self.parent_path() / "mysql-proxy-epoll";
  std::cerr << "mysql-proxy: " << why << "; running " << sibling.string() << "\n";
  ::execv(sibling.c_str(), argv);
  return "io_uring is not usable (" + why + ") and " + sibling.string() + " can't run: " + std::strerror(errno);
}

#else

const char* io_backend_name() noexcept { return "epoll"; }
std::string hand_over_to_epoll_if_needed(char**, unsigned) { return {}; }

#endif

}  // namespace mysqlproxy::proxy
