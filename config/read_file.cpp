#include "config/read_file.hpp"

#include <cerrno>
#include <cstdio>
#include <memory>

namespace mysqlproxy::config {
namespace {

boost::system::error_code last_error() {
  return {errno != 0 ? errno : EIO, boost::system::generic_category()};
}

}  // namespace

boost::system::result<std::string> read_file(const std::string& path) {
  // stdio rather than iostreams: it reports why (errno), and fread on a directory fails with
  // EISDIR instead of yielding an empty "file".
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return last_error();
  std::string content;
  char buffer[8192];
  while (true) {
    std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    content.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) return last_error();
  return content;
}

}  // namespace mysqlproxy::config
