// Where the local MariaDB cluster (scripts/cluster.sh) listens, read from the
// environment that `eval "$(scripts/cluster.sh env)"` exports.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace itest {

inline constexpr const char* kClusterHint =
    "run scripts/cluster.sh start and eval $(scripts/cluster.sh env) "
    "(for test runs use CLUSTER_DIR=/tmp/itest-cluster CLUSTER_PORT_BASE=33306)";

struct ClusterEnv {
  std::string host = "127.0.0.1";
  int primary_port = 0;
  int replica1_port = 0;
  int replica2_port = 0;
  std::string dir;  // CLUSTER_DIR (empty when not exported)
  int port_base = 0;  // CLUSTER_PORT_BASE, or the primary port when not exported

  // Port of "primary", "replica1" or "replica2"; 0 for an unknown name.
  int port_of(std::string_view node) const;

  // Reads CLUSTER_PRIMARY_PORT, CLUSTER_REPLICA{1,2}_PORT, CLUSTER_DIR and
  // CLUSTER_PORT_BASE. On failure returns nullopt and explains in *error.
  static std::optional<ClusterEnv> from_environment(std::string* error);
};

// Path of scripts/cluster.sh in this source tree.
std::string cluster_script();

// Runs `scripts/cluster.sh <args>` with this cluster's CLUSTER_DIR and
// CLUSTER_PORT_BASE; output goes to *output. Returns the exit status.
// The repository's root folder (scripts/, k8s/ ...).
std::string repo_root();

int run_cluster_command(const ClusterEnv& env, const std::string& args, std::string* output);

}  // namespace itest
