#pragma once
// FailoverCoordinator: the thread that promotes a replica when the primary is lost, and fences a
// server that must not take writes (docs/failover.md). It watches the pool snapshot the health
// monitor publishes; it acts only with failover.automatic on, and only while it holds the named
// lock on a majority of the servers (agreement.hpp). What it decides comes from the pure rules
// (candidate.hpp, agreement.hpp, fencing.hpp); what it sends, from failover_sql.hpp. The health
// monitor then sees the new writable server and routes writes to it, as it follows any promotion.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "proxy/failover/failover_status.hpp"
#include "proxy/failover/server_link.hpp"
#include "proxy/health/pool_snapshot.hpp"

namespace mysqlproxy::proxy {

class FailoverCoordinator {
 public:
  using Clock = std::chrono::steady_clock;
  // Told every event (for metrics), on the coordinator's thread.
  using EventCallback = std::function<void(const FailoverEvent&)>;

  explicit FailoverCoordinator(const PoolSnapshotCell& pool) : pool_(pool) {}
  ~FailoverCoordinator() { stop(); }
  FailoverCoordinator(const FailoverCoordinator&) = delete;
  FailoverCoordinator& operator=(const FailoverCoordinator&) = delete;

  void set_event_callback(EventCallback cb) { on_event_ = std::move(cb); }  // before start()
  void start(std::shared_ptr<const config::Config> cfg);
  void update_config(std::shared_ptr<const config::Config> cfg);
  void stop();
  [[nodiscard]] FailoverStatus status() const;

 private:
  struct Locked {
    std::vector<std::unique_ptr<ServerLink>> links;  // each holds the lock; closing one frees it
    std::vector<ServerFacts> facts;                  // read under the lock, one per link
    std::vector<bool> read_ok;
  };

  // status().holds_lock while it lives.
  class Acting {
   public:
    explicit Acting(FailoverCoordinator& c);
    ~Acting();
    Acting(const Acting&) = delete;
    Acting& operator=(const Acting&) = delete;

   private:
    FailoverCoordinator& c_;
  };

  void run();
  void tick(const config::Config& cfg);
  // Follows the published primary and remembers, while it answers, how far behind each replica is.
  void observe(const PoolSnapshot& snap, Clock::time_point now);
  void fail_over(const config::Config& cfg, const PoolSnapshot& snap, const BackendStatus& lost);
  void fence(const config::Config& cfg, const PoolSnapshot& snap);
  // The lock on every reachable server but `skip`; nullopt (and every lock let go) without a
  // majority of all of them.
  std::optional<Locked> lock_majority(const config::Config& cfg, const PoolSnapshot& snap,
                                      std::optional<std::uint32_t> skip, std::string& why);
  void record(FailoverEvent e);
  void set_diverged(const std::string& name, std::vector<std::string> errant);
  void clear_diverged(const std::string& name);

  const PoolSnapshotCell& pool_;
  EventCallback on_event_;
  std::thread thread_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  std::shared_ptr<const config::Config> config_;
  FailoverStatus status_;

  // The coordinator thread's own memory.
  std::optional<std::uint32_t> primary_id_;
  std::optional<Clock::time_point> unreachable_since_;
  std::map<std::uint32_t, double> lag_while_primary_seen_;
  Clock::time_point next_failover_try_{};
  Clock::time_point next_fence_try_{};
  std::string last_refusal_;  // each distinct refusal is logged once
};

}  // namespace mysqlproxy::proxy
