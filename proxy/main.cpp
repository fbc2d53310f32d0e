// mysql-proxy: a MySQL wire-protocol proxy. Loads the config, starts the workers, and runs until
// SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "config/load.hpp"
#include "proxy/logging.hpp"
#include "proxy/health/health_monitor.hpp"
#include "proxy/server/identity_probe.hpp"
#include "proxy/server/server.hpp"
#include "proxy/session/session_context.hpp"

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
  if (args.check_only) {
    std::cout << args.config_path << ": configuration is valid\n";
    return 0;
  }
  std::signal(SIGPIPE, SIG_IGN);
  auto cfg = std::make_shared<const config::Config>(std::move(*loaded));
  proxy::setup_logging(cfg->logging);

  proxy::SharedState shared(cfg);
  // Publishes the pool as configured at once; checks refine it from start() on.
  proxy::HealthMonitor monitor(cfg, shared.pool);
  proxy::probe_identity(*cfg, shared.identity);

  const unsigned workers = cfg->workers ? cfg->workers : std::max(1u, std::thread::hardware_concurrency());
  proxy::Server server(shared, workers);
  if (auto ec = server.listen(cfg->listen.address, cfg->listen.port)) {
    spdlog::critical("cannot listen on {}:{}: {}", cfg->listen.address, cfg->listen.port, ec.message());
    return 1;
  }
  monitor.start();
  server.start();
  spdlog::info("mysql-proxy {} listening on {}:{} with {} workers, presenting server version '{}'", MYSQLPROXY_VERSION,
               cfg->listen.address, server.bound_port(), workers, shared.identity.get()->version);

  proxy::asio::io_context signals_io(1);
  proxy::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([&](const proxy::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", sig);
    server.stop();
  });
  std::thread signal_thread([&] { signals_io.run(); });
  server.join();
  monitor.stop();
  signals_io.stop();
  signal_thread.join();
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}
