// mysql-proxy: a MySQL wire-protocol proxy. Loads the config and runs the proxy (ProxyRuntime)
// until SIGTERM or SIGINT; SIGHUP reloads the config.
#include <csignal>
#include <cstdlib>
#include <functional>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "config/load.hpp"
#include "proxy/logging.hpp"
#include "proxy/net/io_backend.hpp"
#include "proxy/tls/tls_contexts.hpp"
#include "proxy/server/proxy_runtime.hpp"

namespace {

constexpr const char* kUsage =
    "usage: mysql-proxy --config FILE [--check-config]\n"
    "  --config FILE    the YAML configuration (see config/example.yaml)\n"
    "  --check-config   validate the configuration and exit\n"
    "  --version        print the version and exit\n";

struct Args {
  std::string config_path;
  bool check_only = false;
};

bool parse_args(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      args.config_path = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      args.config_path = a.substr(9);
    } else if (a == "--check-config") {
      args.check_only = true;
    } else if (a == "--version") {
      std::cout << "mysql-proxy " << MYSQLPROXY_VERSION << "\n";
      std::exit(0);
    } else {
      return false;
    }
  }
  return !args.config_path.empty();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mysqlproxy;
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::cerr << kUsage;
    return 2;
  }
  auto loaded = config::load_config_file(args.config_path);
  if (!loaded) {
    std::cerr << "mysql-proxy: invalid configuration: " << loaded.error().message << "\n";
    return 1;
  }
  // Before anything runs: the epoll build, if it takes over, loads the config again itself.
  if (!args.check_only) {
    const unsigned rings = proxy::worker_count(*loaded) + proxy::kAuxiliaryRings;
    if (const auto failed = proxy::hand_over_to_epoll_if_needed(argv, rings); !failed.empty()) {
      std::cerr << "mysql-proxy: " << failed << "\n";
      return 1;
    }
  }
  if (args.check_only) {
    // The certificates, keys and CAs it names must be usable too.
    if (const auto tls = proxy::build_tls_contexts(*loaded); !tls.contexts) {
      std::cerr << "mysql-proxy: invalid configuration: " << args.config_path << ": " << tls.error << "\n";
      return 1;
    }
    std::cout << args.config_path << ": configuration is valid\n";
    return 0;
  }
  std::signal(SIGPIPE, SIG_IGN);
  auto cfg = std::make_shared<const config::Config>(std::move(*loaded));
  proxy::setup_logging(cfg->logging);

  spdlog::info("mysql-proxy {} starting, network I/O on {}", MYSQLPROXY_VERSION, proxy::io_backend_name());
  proxy::ProxyRuntime runtime(args.config_path, cfg);
  // SIGHUP reloads; SIGTERM/SIGINT drain and stop (a second one stops at once).
  proxy::asio::io_context signals_io(1);
  proxy::asio::signal_set signals(signals_io, SIGINT, SIGTERM, SIGHUP);
  int stops = 0;
  std::function<void(const proxy::error_code&, int)> on_signal = [&](const proxy::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading {}", args.config_path);
      runtime.reload();
    } else if (++stops == 1) {
      spdlog::info("signal {}: draining, then stopping", sig);
      runtime.request_stop();
    } else {
      spdlog::warn("signal {} again: stopping now", sig);
      std::_Exit(1);
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  std::thread signal_thread([&] { signals_io.run(); });
  const int code = runtime.run();
  signals_io.stop();
  signal_thread.join();
  spdlog::info("exiting with code {}", code);
  spdlog::shutdown();
  return code;
}
