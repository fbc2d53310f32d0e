#pragma once
// What the failover coordinator reports: the last failover or fencing event, and the servers it
// keeps out as diverged. Shown by /api/v1/pool, counted in metrics, logged.
#include <chrono>
#include <string>
#include <vector>

namespace mysqlproxy::proxy {

struct FailoverEvent {
  std::string kind;     // "failover", "fence", "rejoin"
  std::string outcome;  // "done", "failed", "refused"
  std::string from;     // the lost primary (failover), the server acted on (fence, rejoin)
  std::string to;       // the promoted server (failover), the primary it now follows (rejoin)
  std::string detail;   // why it failed or was refused, or the steps' times
  std::chrono::system_clock::time_point at{};
  double seconds = 0;   // from the decision to the end
};

struct DivergedServer {
  std::string name;
  std::vector<std::string> errant;  // its transactions the primary lacks
};

struct FailoverStatus {
  bool automatic = false;
  bool holds_lock = false;  // this proxy holds the majority right now (acting)
  std::vector<FailoverEvent> recent;  // newest last, at most a few
  std::vector<DivergedServer> diverged;
};

}  // namespace mysqlproxy::proxy
