// ClientSession: read-your-writes (routing.consistency session|global). After a write, reads go to
// a replica that has applied it: one the health monitor has seen caught up, one this session saw
// catch up, or one that catches up within consistency_timeout; failing that, the primary.
#include "protocol/command.hpp"
#include "proxy/backend/backend_command.hpp"
#include "proxy/observability/proxy_metrics.hpp"
#include "proxy/session/client_session_impl.hpp"
#include "proxy/session/consistency.hpp"
#include "proxy/session/statement_plan.hpp"

namespace mysqlproxy::proxy {

std::optional<GtidPosition> ClientSession::required_position() const {
  if (consistency_ == config::Consistency::kEventual) return std::nullopt;
  GtidPosition required = consistency_ == config::Consistency::kSession ? written_ : shared_.latest_write.get();
  if (required.empty()) return std::nullopt;
  return required;
}

awaitable<Outcome<Lease*>> ClientSession::acquire_consistent(const GtidPosition& required, RouteReason reason) {
  const auto caught_up = [&](const BackendStatus& b) {
    for (const auto& [id, position] : known_applied_) {
      if (id == b.id && position.includes(required)) return true;
    }
    const auto seen = GtidPosition::parse(b.gtid_position);
    return seen && seen->includes(required);
  };
  auto& m = proxy_metrics();
  std::vector<std::uint32_t> avoid;  // what failed here is not tried again below
  const auto snap = shared_.pool.get();
  for (const auto& b : snap->backends) {
    if (snap->takes_reads(b) && caught_up(b)) {
      m.consistency_hits.inc();
      const BackendFilter accept = caught_up;
      co_return co_await acquire(Target::kReplica, reason, avoid, accept);
    }
  }
  const auto timeout = config_->routing.consistency_timeout;
  if (timeout.count() > 0) {
    auto leased = co_await acquire(Target::kReplica, reason, avoid);
    if (!leased.ok() || lease_->on_primary) co_return leased;  // on the primary: it has everything
    std::vector<std::uint8_t> payload;
    protocol::encode_com_query(wait_for_gtid_sql(flavor_of(lease_->connection->server_version()), required, timeout),
                               payload);
    m.consistency_waits.inc();
    const auto wait_started = std::chrono::steady_clock::now();
    const auto waited = co_await run_backend_command(*lease_->connection, payload);
    m.consistency_wait_duration.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_started).count());
    if (waited.ok() && waited.first_value == "0") {
      lease_->reason = RouteReason::kConsistencyWait;
      const std::uint32_t id = lease_->connection->backend_id;
      std::erase_if(known_applied_, [&](const auto& k) { return k.first == id; });
      known_applied_.emplace_back(id, required);
      log_.debug("replica '{}' caught up with {}", lease_->backend_name, required.to_string());
      co_return &*lease_;
    }
    if (waited.ec) {
      discard_lease();
    } else {
      release_lease();
    }
    log_.debug("no replica caught up with {} in time: reading from the primary", required.to_string());
  }
  m.consistency_fallbacks.inc();
  auto leased = co_await acquire(Target::kPrimary, RouteReason::kFallbackToPrimary, avoid);
  co_return leased;
}

awaitable<void> ClientSession::remember_write(const StatementTraits* statement) {
  if (consistency_ == config::Consistency::kEventual || !lease_ || !lease_->on_primary) co_return;
  const auto& tracker = scanner_.tracker();
  if (tracker.ended_with_error() || state_.in_transaction()) co_return;
  auto gtid = gtid_from_session_state(tracker.session_state());
  const bool wrote = statement != nullptr && (statement->statement_class == StatementClass::kWrite ||
                                              statement->transaction == TransactionOp::kCommit);
  if (!gtid && wrote && !lease_->connection->caps().has(protocol::kClientSessionTrack)) {
    // The client didn't ask for session tracking, so OK packets can't carry the GTID: ask.
    std::vector<std::uint8_t> payload;
    protocol::encode_com_query(last_write_gtid_sql(flavor_of(lease_->connection->server_version())), payload);
    const auto answer = co_await run_backend_command(*lease_->connection, payload);
    if (answer.ok() && answer.first_value) gtid = GtidPosition::parse(*answer.first_value);
  }
  log_.debug("write gtid: {} (tracked={}, wrote={})", gtid ? gtid->to_string() : "none", !tracker.session_state().empty(), wrote);
  if (!gtid || gtid->empty()) co_return;
  written_.merge(*gtid);
  if (consistency_ == config::Consistency::kGlobal) shared_.latest_write.merge(*gtid);
}

}  // namespace mysqlproxy::proxy
