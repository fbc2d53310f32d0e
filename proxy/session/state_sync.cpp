#include "proxy/session/state_sync.hpp"

#include <algorithm>

#include "protocol/command.hpp"
#include "proxy/session/consistency.hpp"

namespace mysqlproxy::proxy {
namespace {

bool is_prefix(const std::vector<std::uint64_t>& applied, std::span<const StateEntry> log) {
  if (applied.size() > log.size()) return false;
  for (std::size_t i = 0; i < applied.size(); ++i) {
    if (applied[i] != log[i].hash) return false;
  }
  return true;
}

}  // namespace

bool state_matches(const CarriedState& carried, const SessionState& session) noexcept {
  const auto log = session.replay_log();
  return !carried.tainted && carried.schema == session.schema() && carried.multi_statements == session.multi_statements() &&
         carried.applied.size() == log.size() && is_prefix(carried.applied, log);
}

awaitable<BackendCommandResult> sync_state(BackendConnection& backend, const SessionState& session, bool track_gtids) {
  BackendCommandResult result;
  CarriedState& carried = backend.carried();
  const bool want_tracking = track_gtids && backend.caps().has(protocol::kClientSessionTrack);
  if (auto ec = co_await close_displaced_statements(backend)) {
    result.ec = ec;
    co_return result;
  }
  if (state_matches(carried, session) && (carried.gtid_tracking || !want_tracking)) co_return result;

  std::vector<std::uint8_t> payload;
  const auto log = session.replay_log();
  if (carried.tainted || !is_prefix(carried.applied, log)) {
    const bool reset_ok = co_await backend.reset();
    if (!reset_ok) {
      result.ec = protocol::ProtocolErrc::kUnexpectedPacket;
      co_return result;
    }
  }
  if (!session.schema().empty() && carried.schema != session.schema()) {
    payload.clear();
    protocol::encode_com_init_db(session.schema(), payload);
    result = co_await run_backend_command(backend, payload);
    if (!result.ok()) co_return result;
    carried.schema = session.schema();
  }
  for (std::size_t i = carried.applied.size(); i < log.size(); ++i) {
    payload.clear();
    protocol::encode_com_query(log[i].sql, payload);
    result = co_await run_backend_command(backend, payload);
    if (!result.ok()) co_return result;
    carried.applied.push_back(log[i].hash);
  }
  if (want_tracking && !carried.gtid_tracking) {
    payload.clear();
    protocol::encode_com_query(enable_gtid_tracking_sql(flavor_of(backend.server_version())), payload);
    result = co_await run_backend_command(backend, payload);
    if (!result.ok()) co_return result;
    carried.gtid_tracking = true;
  }
  if (carried.multi_statements != session.multi_statements()) {
    payload.clear();
    protocol::encode_com_set_option(session.multi_statements() ? protocol::kMysqlOptionMultiStatementsOn
                                                               : protocol::kMysqlOptionMultiStatementsOff,
                                    payload);
    result = co_await run_backend_command(backend, payload);
    if (!result.ok()) co_return result;
    carried.multi_statements = session.multi_statements();
  }
  co_return result;
}

}  // namespace mysqlproxy::proxy
