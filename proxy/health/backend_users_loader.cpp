#include "proxy/health/backend_users_loader.hpp"

#include <spdlog/spdlog.h>

#include "proxy/health/monitor_connection.hpp"

namespace mysqlproxy::proxy {
namespace {

constexpr std::chrono::milliseconds kPeriod = std::chrono::minutes(1);

}  // namespace

bool BackendUsersCell::wait_for_request(std::chrono::milliseconds period) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, period, [this] { return requested_ || stopping_; });
  const bool was = requested_;
  requested_ = false;
  return was;
}

void BackendUsersLoader::start(std::shared_ptr<const config::Config> cfg) {
  config_.store(std::move(cfg));
  ensure_mysql_library();
  thread_ = std::thread([this] { run(); });
}

void BackendUsersLoader::stop() {
  cell_.stop();
  if (thread_.joinable()) thread_.join();
}

void BackendUsersLoader::run() {
  while (!cell_.stopping()) {
    auto cfg = config_.load();
    if (cfg->auth.backend_users) load_once(*cfg);
    (void)cell_.wait_for_request(kPeriod);  // a login asked for a fresher copy, or a minute passed
  }
}

void BackendUsersLoader::load_once(const config::Config& cfg) {
  const auto snap = pool_.get();
  const BackendStatus* primary = snap->primary_status();
  if (primary == nullptr) {
    spdlog::warn("backend users: no primary to read mysql.user from");
    return;
  }
  const ConnectionSettings settings =
      monitor_settings(cfg, primary->name, primary->host, primary->port, cfg.timeouts.connect);
  MonitorConnection conn;
  if (auto error = conn.connect(settings)) {
    spdlog::warn("backend users: cannot reach '{}': {}", primary->name, *error);
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  auto outcome = conn.query(std::string(kBackendUsersQuery));
  if (!outcome.result) {
    spdlog::warn("backend users: reading mysql.user on '{}' failed: {}", primary->name, outcome.error.message);
    return;
  }
  auto users = std::make_shared<BackendUsers>();
  for (const auto& row : outcome.result->rows) {
    if (row.size() < 4 || !row[0] || !row[1]) continue;
    users->accounts.push_back(BackendAccount{*row[0], *row[1], row[2].value_or(""), row[3].value_or("")});
  }
  users->loaded_at = started;  // a copy read after `started` holds every change made before it
  users->version = ++version_;
  spdlog::debug("backend users: {} accounts read from '{}'", users->accounts.size(), primary->name);
  cell_.set(std::move(users));
}

}  // namespace mysqlproxy::proxy
