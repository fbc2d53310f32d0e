#include "proxy/net/io_backend.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#ifdef MYSQLPROXY_IO_URING
#include <liburing.h>
#endif

namespace mysqlproxy::proxy {

#ifdef MYSQLPROXY_IO_URING

namespace {

// The reason io_uring can't be used here, or empty if it can.
std::string io_uring_unusable() {
  const char* forced = std::getenv("MYSQL_PROXY_IO");
  if (forced != nullptr && std::string_view(forced) == "epoll") return "MYSQL_PROXY_IO=epoll";
  io_uring ring{};
  const int rc = io_uring_queue_init(8, &ring, 0);
  if (rc < 0) return std::string("io_uring_setup failed: ") + std::strerror(-rc);
  io_uring_queue_exit(&ring);
  return {};
}

}  // namespace

const char* io_backend_name() noexcept { return "io_uring"; }

std::string hand_over_to_epoll_if_needed(char** argv) {
  const std::string why = io_uring_unusable();
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
std::string hand_over_to_epoll_if_needed(char**) { return {}; }

#endif

}  // namespace mysqlproxy::proxy
