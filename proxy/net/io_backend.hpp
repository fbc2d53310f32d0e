#pragma once
// Which kernel interface the proxy's network I/O runs on. The default build uses io_uring (it
// batches a round of sends and receives into one system call); where io_uring is missing or
// forbidden (old kernels, container runtimes whose seccomp profile blocks it) the same proxy
// built on epoll, installed beside it as mysql-proxy-epoll, takes over.
#include <string>

namespace mysqlproxy::proxy {

// "io_uring" or "epoll": what this binary was built with.
const char* io_backend_name() noexcept;

// In an io_uring build: if io_uring can't be used here for `rings` io_contexts at once, or
// MYSQL_PROXY_IO=epoll asks for it, replaces this process with the epoll build (same arguments)
// and does not return; returns an error message if that is needed but impossible. In an epoll
// build: does nothing.
std::string hand_over_to_epoll_if_needed(char** argv, unsigned rings);

// io_contexts the proxy runs besides its workers (admin API, signals, start-up identity probe,
// health TLS probes): each needs a ring of its own on io_uring.
inline constexpr unsigned kAuxiliaryRings = 4;

}  // namespace mysqlproxy::proxy
