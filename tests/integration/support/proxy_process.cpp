#include "support/proxy_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef MYSQLPROXY_BINARY
#define MYSQLPROXY_BINARY ""
#endif

namespace itest {
namespace {

using Clock = std::chrono::steady_clock;

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    std::string s = "killed by signal " + std::to_string(WTERMSIG(status));
    if (const char* name = ::strsignal(WTERMSIG(status))) s += std::string(" (") + name + ")";
    if (WCOREDUMP(status)) s += ", core dumped";
    return s;
  }
  return "ended with status " + std::to_string(status);
}

bool accepts_tcp(const std::string& host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool direct_mode() {
  const char* v = std::getenv("MYSQLPROXY_TEST_DIRECT");
  return v != nullptr && std::string(v) == "1";
}

std::string proxy_binary() {
  if (const char* v = std::getenv("MYSQLPROXY_BINARY"); v != nullptr && *v != '\0') return v;
  return MYSQLPROXY_BINARY;
}

int pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

ProxyProcess::ProxyProcess(ClusterEnv cluster, ProxyOptions options)
    : cluster_(std::move(cluster)), options_(std::move(options)), direct_(direct_mode()) {}

ProxyProcess::~ProxyProcess() {
  stop();
  if (!work_dir_.empty() && !keep_files_) {
    std::error_code ec;
    std::filesystem::remove_all(work_dir_, ec);
  }
}

std::string ProxyProcess::render_config() const {
  std::ostringstream y;
  y << "listen: { address: 127.0.0.1, port: " << port_ << " }\n";
  y << "workers: " << options_.workers << "\n";
  y << "backends:\n";
  if (!options_.backends.empty()) {
    for (const std::string& b : options_.backends) y << "  - " << b << "\n";
  } else {
    y << "  - { name: " << options_.primary_node << ", host: " << cluster_.host
      << ", port: " << cluster_.port_of(options_.primary_node) << ", role: primary }\n";
    for (const char* node : {"primary", "replica1", "replica2"}) {
      if (options_.primary_node == node) continue;
      y << "  - { name: " << node << ", host: " << cluster_.host << ", port: " << cluster_.port_of(node)
        << ", role: replica }\n";
    }
  }
  y << "users:\n";
  if (!options_.users.empty()) {
    for (const std::string& u : options_.users) y << "  - " << u << "\n";
  } else {
    y << "  - { name: app, password: app-pass }\n";
    y << "  - { name: app2, password: app2-pass }\n";
  }
  if (!options_.tls.empty()) y << "tls: " << options_.tls << "\n";
  if (!options_.auth.empty()) y << "auth: " << options_.auth << "\n";
  y << "timeouts: { connect: " << options_.connect_timeout << ", handshake: " << options_.handshake_timeout
    << ", idle: " << options_.idle_timeout << ", query: " << options_.query_timeout
    << ", client_stall: " << options_.client_stall_timeout
    << ", drain: " << options_.drain_timeout << " }\n";
  y << "admin: { address: 127.0.0.1, port: " << admin_port_
    << (options_.admin_token.empty() ? "" : ", token: " + options_.admin_token)
    << (options_.admin_extra.empty() ? "" : ", " + options_.admin_extra) << " }\n";
  y << "logging: { level: " << options_.log_level << ", format: text }\n";
  y << "routing: { consistency: " << options_.consistency << ", consistency_timeout: " << options_.consistency_timeout
    << " }\n";
  if (!options_.pool.empty()) y << "pool: " << options_.pool << "\n";
  if (!options_.limits.empty()) y << "limits: " << options_.limits << "\n";
  if (!options_.compression.empty()) y << "compression: " << options_.compression << "\n";
  if (!options_.failover.empty()) y << "failover: " << options_.failover << "\n";
  y << "health: { user: monitor, password: monitor-pass, interval: " << options_.health_interval
    << (options_.health_extra.empty() ? "" : ", " + options_.health_extra) << " }\n";
  return y.str();
}

bool ProxyProcess::start(std::string* error) {
  if (cluster_.port_of(options_.primary_node) == 0) {
    *error = "unknown cluster node '" + options_.primary_node + "'";
    return false;
  }
  if (direct_) {
    port_ = cluster_.port_of(options_.primary_node);
    return true;
  }
  std::string binary = proxy_binary();
  if (binary.empty() || ::access(binary.c_str(), X_OK) != 0) {
    *error = "proxy binary '" + binary +
             "' is missing or not executable: build the mysql-proxy target "
             "(or run with MYSQLPROXY_TEST_DIRECT=1 to test against MariaDB directly)";
    return false;
  }

  char tmpl[] = "/tmp/mysqlproxy-itest-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    *error = std::string("mkdtemp failed: ") + std::strerror(errno);
    return false;
  }
  work_dir_ = tmpl;
  config_path_ = work_dir_ + "/proxy.yaml";
  log_path_ = work_dir_ + "/proxy.log";

  port_ = pick_free_port();
  // The kernel may hand the same free port out twice in a row: the two must differ.
  do {
    admin_port_ = pick_free_port();
  } while (admin_port_ != 0 && admin_port_ == port_);
  if (port_ == 0 || admin_port_ == 0) {
    *error = "could not pick a free port";
    return false;
  }
  config_text_ = render_config();
  {
    std::ofstream out(config_path_);
    out << config_text_;
    if (!out) {
      *error = "cannot write " + config_path_;
      return false;
    }
  }

  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    *error = "cannot create " + log_path_ + ": " + std::strerror(errno);
    return false;
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    *error = std::string("fork failed: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // Child: die with the test binary, log stdout+stderr to the file.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execl(binary.c_str(), binary.c_str(), "--config", config_path_.c_str(), static_cast<char*>(nullptr));
    std::fprintf(stderr, "exec %s failed: %s\n", binary.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  exit_description_.clear();

  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    std::string how;
    if (!running(&how)) {
      *error = "proxy " + how + " before accepting connections on port " + std::to_string(port_) +
               "\nconfig:\n" + config_text_ + "log tail:\n" + log_tail();
      return false;
    }
    // The admin API starts listening just after the client port: wait for both.
    if (accepts_tcp(host_, port_) && accepts_tcp(host_, admin_port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *error = "proxy did not accept TCP connections on 127.0.0.1:" + std::to_string(port_) +
           " within 10 s\nconfig:\n" + config_text_ + "log tail:\n" + log_tail();
  stop();
  return false;
}

bool ProxyProcess::running(std::string* how) {
  if (pid_ <= 0) {
    if (how) *how = exit_description_.empty() ? "not started" : exit_description_;
    return false;
  }
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_description_ = r == pid_ ? describe_status(status) : "lost (waitpid failed)";
  pid_ = -1;
  if (how) *how = exit_description_;
  return false;
}

std::string ProxyProcess::stop() {
  if (pid_ <= 0) return exit_description_;
  std::string how;
  if (!running(&how)) return how;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    if (!running(&how)) return how;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_description_ = "did not stop within 5 s of SIGTERM; SIGKILLed";
  return exit_description_;
}

void ProxyProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<std::string> ProxyProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string how;
  while (running(&how)) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return how;
}

bool ProxyProcess::rewrite_config(const ProxyOptions& options) {
  options_ = options;
  return write_config_text(render_config());
}

bool ProxyProcess::write_config_text(const std::string& text) {
  config_text_ = text;
  std::ofstream out(config_path_, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

std::string ProxyProcess::log_tail(size_t lines) const {
  if (log_path_.empty()) return "";
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > 2000) line = line.substr(0, 2000) + "...(truncated)";
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (auto& l : tail) out += "  | " + l + "\n";
  return out;
}

}  // namespace itest
