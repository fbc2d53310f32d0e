// Runs the mysql-proxy binary for a test: generates its YAML config, captures
// its stderr into a log file, waits until it accepts TCP connections and stops
// it again (SIGTERM, then SIGKILL).
//
// With MYSQLPROXY_TEST_DIRECT=1 nothing is started: host()/port() name the node
// that would have been the proxy's primary backend, so every test can be run
// against a real MariaDB server to prove the test itself is right.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/cluster_env.hpp"

namespace itest {

// True when MYSQLPROXY_TEST_DIRECT=1: talk to MariaDB directly, no proxy.
bool direct_mode();

// Path of the proxy binary this suite was built against.
std::string proxy_binary();

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0).
int pick_free_port();

struct ProxyOptions {
  // Cluster node used as the proxy's "primary" backend; the other two nodes
  // become its replicas.
  std::string primary_node = "primary";
  int workers = 2;
  std::string log_level = "debug";
  std::string connect_timeout = "2s";
  std::string handshake_timeout = "10s";
  std::string idle_timeout = "0";
  std::string query_timeout = "0";
  std::string client_stall_timeout = "60s";
  // Read-your-writes: "global" makes the proxy behave like one server for tests that check
  // single-server semantics (a write is visible to every later read, from any session);
  // routing tests use "eventual" to see reads spread over replicas.
  std::string consistency = "global";
  std::string consistency_timeout = "5s";
  std::string pool;  // a YAML flow mapping for the pool section, e.g. "{ max_connections_per_backend: 2 }"
  std::string health_interval = "500ms";
  // More fields of the health mapping, e.g. "max_replication_lag: 1s, heartbeat: { enabled: true }".
  std::string health_extra;
  // The backends sequence as YAML flow mappings, one per entry; empty = primary_node and the
  // other two nodes as replicas.
  std::vector<std::string> backends;
  // timeouts.drain: how long SIGTERM waits for open transactions.
  std::string drain_timeout = "2s";
  // The admin API listens on a free port of its own; POSTs need this token ("" = POSTs off).
  std::string admin_token = "itest-token";
  // More fields of the admin mapping, e.g. "readiness_requires_primary: false".
  std::string admin_extra;
  // The limits section as a YAML flow mapping, e.g. "{ max_client_connections: 5 }"; empty = defaults.
  std::string limits;
  // The users sequence as YAML flow mappings; empty = app and app2 with their cluster passwords.
  std::vector<std::string> users;
  // The tls and auth sections as YAML flow mappings; empty = left out (no TLS to clients).
  std::string tls;
  std::string auth;
  // The compression section as a YAML flow mapping, e.g. "{ backends: true }"; empty = defaults.
  std::string compression;
  // The failover section as a YAML flow mapping, e.g. "{ automatic: true }"; empty = defaults.
  std::string failover;
};

class ProxyProcess {
 public:
  ProxyProcess(ClusterEnv cluster, ProxyOptions options = {});
  ~ProxyProcess();  // stop()s and removes the work dir unless keep_files()
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  // Writes the config and starts the proxy; returns false with *error (which
  // includes the log tail) if it did not accept connections within 10 s.
  // In direct mode it only records the target node.
  bool start(std::string* error);

  // SIGTERM, wait up to 5 s, then SIGKILL. Returns a description of how the
  // process ended ("" when it was not running).
  std::string stop();

  // Still alive? When not, *how says how it ended (exit code or signal).
  bool running(std::string* how = nullptr);
  // Sends a signal (SIGHUP: reload; SIGTERM: drain and stop).
  void signal(int sig);
  // Waits up to `timeout` for the process to end; how it ended, or nullopt if it still runs.
  std::optional<std::string> wait_exit(std::chrono::milliseconds timeout);

  // Writes a new config file for the next reload: rendered from `options` (same ports), or
  // `text` as is.
  bool rewrite_config(const ProxyOptions& options);
  bool write_config_text(const std::string& text);

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  int admin_port() const { return admin_port_; }
  bool direct() const { return direct_; }
  // The proxy's process id (-1 when it does not run).
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  const std::string& config_path() const { return config_path_; }
  const std::string& config_text() const { return config_text_; }

  // Last `lines` lines of the proxy's log ("" in direct mode).
  std::string log_tail(size_t lines = 60) const;

  // Keep the config and the log after destruction (e.g. the test failed).
  void keep_files() { keep_files_ = true; }

 private:
  std::string render_config() const;

  ClusterEnv cluster_;
  ProxyOptions options_;
  bool direct_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  int admin_port_ = 0;
  pid_t pid_ = -1;
  std::string exit_description_;
  std::string work_dir_;
  std::string config_path_;
  std::string log_path_;
  std::string config_text_;
  bool keep_files_ = false;
};

}  // namespace itest
