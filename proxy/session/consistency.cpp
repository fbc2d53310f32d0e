#include "proxy/session/consistency.hpp"

#include "protocol/constants.hpp"
#include "protocol/ok_err.hpp"

namespace mysqlproxy::proxy {

std::optional<GtidPosition> gtid_from_session_state(std::string_view changes) {
  auto entries = protocol::decode_session_state_changes(changes);
  if (!entries) return std::nullopt;
  for (const auto& e : *entries) {
    if (e.type == protocol::kSessionTrackSystemVariables) {
      auto var = protocol::decode_session_track_system_variable(e.data);
      if (var && var->name == "last_gtid" && !var->value.empty()) return GtidPosition::parse(var->value);
    } else if (e.type == protocol::kSessionTrackGtids) {
      auto gtids = protocol::decode_session_track_gtids(e.data);
      if (gtids && !gtids->gtids.empty()) return GtidPosition::parse(gtids->gtids);
    }
  }
  return std::nullopt;
}

std::string enable_gtid_tracking_sql(ServerFlavor f) {
  if (f == ServerFlavor::kMySql) return "SET @@session.session_track_gtids = OWN_GTID";
  return "SET @@session.session_track_system_variables = "
         "CONCAT(@@session.session_track_system_variables, ',last_gtid')";
}

std::string last_write_gtid_sql(ServerFlavor f) {
  // MySQL has no per-session variable: the server's executed set includes the write, which is
  // stricter than needed but never wrong.
  return f == ServerFlavor::kMariaDb ? "SELECT @@last_gtid" : "SELECT @@global.gtid_executed";
}

}  // namespace mysqlproxy::proxy
