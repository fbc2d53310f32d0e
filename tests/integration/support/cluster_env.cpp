#include "support/cluster_env.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#ifndef MYSQLPROXY_REPO_ROOT
#error "MYSQLPROXY_REPO_ROOT must be defined by the build"
#endif

namespace itest {

std::string repo_root() { return MYSQLPROXY_REPO_ROOT; }

namespace {

std::optional<int> port_from_env(const char* name, std::string* error) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    *error += std::string(" ") + name + " is not set;";
    return std::nullopt;
  }
  char* end = nullptr;
  long port = std::strtol(value, &end, 10);
  if (*end != '\0' || port <= 0 || port > 65535) {
    *error += std::string(" ") + name + "='" + value + "' is not a port;";
    return std::nullopt;
  }
  return static_cast<int>(port);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace

int ClusterEnv::port_of(std::string_view node) const {
  if (node == "primary") return primary_port;
  if (node == "replica1") return replica1_port;
  if (node == "replica2") return replica2_port;
  return 0;
}

std::optional<ClusterEnv> ClusterEnv::from_environment(std::string* error) {
  std::string problems;
  ClusterEnv env;
  auto p = port_from_env("CLUSTER_PRIMARY_PORT", &problems);
  auto r1 = port_from_env("CLUSTER_REPLICA1_PORT", &problems);
  auto r2 = port_from_env("CLUSTER_REPLICA2_PORT", &problems);
  if (!p || !r1 || !r2) {
    *error = "cluster environment missing:" + problems + " " + kClusterHint;
    return std::nullopt;
  }
  env.primary_port = *p;
  env.replica1_port = *r1;
  env.replica2_port = *r2;
  if (const char* dir = std::getenv("CLUSTER_DIR")) env.dir = dir;
  env.port_base = env.primary_port;
  if (std::getenv("CLUSTER_PORT_BASE") != nullptr) {
    std::string ignored;
    if (auto base = port_from_env("CLUSTER_PORT_BASE", &ignored)) env.port_base = *base;
  }
  return env;
}

std::string cluster_script() { return repo_root() + "/scripts/cluster.sh"; }

int run_cluster_command(const ClusterEnv& env, const std::string& args, std::string* output) {
  std::string cmd;
  if (!env.dir.empty()) cmd += "CLUSTER_DIR=" + shell_quote(env.dir) + " ";
  cmd += "CLUSTER_PORT_BASE=" + std::to_string(env.port_base) + " ";
  cmd += shell_quote(cluster_script()) + " " + args + " </dev/null 2>&1";
  output->clear();
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    *output = "popen failed for: " + cmd;
    return -1;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) output->append(buf.data(), n);
  int status = ::pclose(pipe);
  if (status == -1) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace itest
