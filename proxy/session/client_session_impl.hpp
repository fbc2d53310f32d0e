#pragma once
// ClientSession: the state of one client session, shared by the files that implement it:
// client_session.cpp (login and the command loop), session_commands.cpp (routed commands) and
// session_leases.cpp (backend connections).
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "protocol/response_scanner.hpp"
#include "proxy/backend/backend_connection.hpp"
#include "proxy/logging.hpp"
#include "proxy/mysql_errors.hpp"
#include "proxy/net/idle_timer.hpp"
#include "proxy/net/packet_stream.hpp"
#include "proxy/routing/gtid.hpp"
#include "proxy/routing/router.hpp"
#include "proxy/backend/backend_command.hpp"
#include "proxy/session/client_handshake.hpp"
#include "proxy/session/client_statements.hpp"
#include "proxy/session/session_context.hpp"
#include "proxy/session/session_error.hpp"
#include "proxy/session/session_state.hpp"
#include "proxy/session/statement_plan.hpp"
#include "proxy/session/wait_watch.hpp"

namespace mysqlproxy::proxy {

// A backend connection the session holds: for one command, or longer while pinned.
struct Lease {
  std::unique_ptr<BackendConnection> connection;
  Target target = Target::kPrimary;  // what was asked for
  bool on_primary = false;           // what it got: reads fall back to the primary
  std::string backend_name;
  RouteReason reason = RouteReason::kWrite;  // why the command now running is here (the metric label)
};

// What run_routed does around the relay for the binary protocol: send another packet than the
// client's (a statement id of the leased connection, parameter types it lacks), and learn from
// the answer while the connection is still held.
struct CommandHooks {
  struct Before {
    std::optional<std::vector<std::uint8_t>> payload;  // what to send instead of the client's packet
    BackendCommandResult failure;                      // set when the connection could not be readied
  };
  std::function<awaitable<Before>(BackendConnection&)> before;
  std::function<void(BackendConnection&, const protocol::ResponseTracker&)> after;
  std::optional<std::uint32_t> prepare_id;
};

class ClientSession final : public WorkerSession {
 public:
  ClientSession(tcp::socket socket, WorkerContext& worker, ConnectionLimits::ClientSlot slot);
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;
  awaitable<void> run();
  void drain() override;
  void force_close() override;
  void end_when_quiet();
  void sweep(std::chrono::steady_clock::time_point now) override;  // session_stalls.cpp
  void abandon_statements_on(std::span<const std::uint32_t> down_backends) override;  // session_stalls.cpp

 private:
  // ---- client_session.cpp ----
  awaitable<bool> login();
  AuthServices auth_services() const;
  // Before the greeting: a source blocked after failed logins gets ERR 1129 and true.
  awaitable<bool> refuse_if_blocked();
  // The ERR 1129 text while the client's source is blocked after failed logins (counted).
  std::optional<std::string> blocked_message();
  // A failed login or COM_CHANGE_USER: counted, and against the source address (login_throttle).
  void note_login_failure(LoginFailure failure);
  // limits.login_* of the config in force, unless the client's address is exempt (or unknown).
  [[nodiscard]] std::optional<ThrottlePolicy> throttle() const;
  // The client's address is in limits.login_throttle_exempt (its address must be known).
  [[nodiscard]] bool source_exempt() const;
  // Before the greeting: a source with max_pending_logins_per_address logins in progress gets
  // ERR 1040 and true; otherwise the session holds a slot until its login ends.
  awaitable<bool> refuse_if_too_many_pending_logins();
  // Writes an ERR in place of the greeting (no SQLSTATE), bounded by kRefusalWriteTimeout.
  awaitable<void> refuse_before_greeting(std::uint16_t code, const std::string& message);
  awaitable<bool> handle(const protocol::Packet& command);
  awaitable<bool> ping(const protocol::Packet& command);
  awaitable<bool> reset_connection(const protocol::Packet& command);
  awaitable<bool> change_user(const protocol::Packet& command);
  awaitable<bool> send_ok(std::uint8_t seq);
  // Forgets what the session set up (COM_RESET_CONNECTION, COM_CHANGE_USER); the schema stays.
  void forget_session_state();
  // A reload happened: take the new config (routing policy, users, timeouts for what comes next).
  void refresh_config();

  // ---- session_stalls.cpp ----
  // timeouts.query: KILL QUERY for a statement the backend has been silent on, then the close.
  void on_backend_stall(std::chrono::steady_clock::duration stalled, std::chrono::steady_clock::time_point now);

  // ---- session_commands.cpp ----
  awaitable<bool> query(const protocol::Packet& command);
  // Runs a command on a connection for `route` (or the pinned one) and learns from the answer.
  // Its value: whether the session goes on; or the error that takes the answer's place. It
  // writes no ERR itself.
  awaitable<Outcome<bool>> run_routed(const protocol::Packet& command, RouteDecision route,
                                      const StatementTraits* statement, std::string_view sql,
                                      const CommandHooks* hooks = nullptr);
  // The one exit for errors: sends `error` (logged and counted) at `seq`, unless it says where the
  // answer stands; true when the session goes on.
  awaitable<bool> answer_error(const SessionError& error, std::uint8_t seq);
  // run_routed's value, or its error answered.
  awaitable<bool> settle(Outcome<bool>& ran, std::uint8_t seq);

  // ---- session_prepared.cpp ----
  awaitable<bool> stmt_prepare(const protocol::Packet& command);
  awaitable<bool> stmt_execute(const protocol::Packet& command);
  awaitable<bool> stmt_send_long_data(const protocol::Packet& command);
  awaitable<bool> stmt_fetch(const protocol::Packet& command);
  awaitable<bool> stmt_reset(const protocol::Packet& command);
  awaitable<bool> stmt_close(const protocol::Packet& command);
  // The statement prepared on `backend` (preparing it there first if needed).
  awaitable<CommandHooks::Before> on_backend(BackendConnection& backend, ClientStatement& st,
                                             std::span<const std::uint8_t> payload);
  awaitable<bool> unknown_statement(const protocol::Packet& command);
  // `kind` is the command's first byte, read before the relay; `command.payload` is read only for
  // commands that cannot be answered with a LOCAL INFILE request (COM_INIT_DB, COM_SET_OPTION).
  void learn(protocol::Command kind, const protocol::Packet& command, const StatementTraits* statement,
             std::string_view sql);
  // One statement answered: mysql_proxy_queries_total (the lease's reason) and the latency histogram.
  void count_query(std::chrono::steady_clock::time_point started);
  [[nodiscard]] RouteDecision route(protocol::Command command, const StatementTraits* statement) const;
  // Gives up a connection held only for the previous statement's results, unless this
  // statement reads them.
  void drop_transient_lease(const StatementTraits* statement);

  // ---- session_backend_users.cpp ----
  // auth.backend_users: the entry for `name` logging in from this client's address, from a copy of
  // the primary's accounts no older than auth.backend_users_refresh; null when there is none.
  awaitable<std::shared_ptr<const config::UserConfig>> backend_user(std::string name);
  awaitable<const config::UserConfig*> resolve_login_user(std::string name);

  // ---- session_leases.cpp ----
  // Makes lease_ hold a connection for `target` (or keeps the pinned one), its state in line with
  // the session's, `reason` the one it is counted under; or the error to answer instead (never
  // written here). Backends in `avoid` are not tried, and those that fail here join it, so a
  // command's later attempts skip them too. take_turn = false: a replica is chosen without moving
  // the worker's round-robin on (a login checking its database).
  awaitable<Outcome<Lease*>> acquire(Target target, RouteReason reason, std::vector<std::uint32_t>& avoid,
                                     const BackendFilter& accept = {}, bool take_turn = true);
  // What went wrong readying a connection on one backend (the planner decides what follows).
  struct LeaseFailure {
    AcquireFailure kind;
    std::vector<std::uint8_t> server_error;  // the backend's ERR (kRefused, kStateRefused)
    std::string log;
  };
  // One backend of `snap` (the snapshot acquire() chose it from): a kept or pooled connection, its
  // state replayed into lease_. On kStateRefused lease_ still holds it.
  awaitable<std::optional<LeaseFailure>> ready_lease(const PoolSnapshot& snap, const BackendStatus& b, Target target,
                                                     RouteReason reason, bool on_primary);
  // consistency: session/global. A replica known to have applied `required`, or one that catches
  // up within routing.consistency_timeout, or else the primary.
  awaitable<Outcome<Lease*>> acquire_consistent(const GtidPosition& required, RouteReason reason);
  // After a write on the primary: remember its GTID, for later reads.
  awaitable<void> remember_write(const StatementTraits* statement);
  [[nodiscard]] std::optional<GtidPosition> required_position() const;
  // Gives lease_ back: to the pool, or in session pool mode to kept_.
  void release_lease();
  void discard_lease();
  // Session pool mode: the kept connection to `backend_id`, taken out of kept_; none if there is
  // none. Kept connections to backends the snapshot no longer routes to are closed on the way.
  std::optional<Lease> take_kept(std::uint32_t backend_id, const PoolSnapshot& snap);
  // Closes every kept connection (session end, COM_CHANGE_USER).
  void discard_kept();
  BackendCredentials credentials() const;
  BackendTarget target_of(const BackendStatus& b) const;
  void learn_identity(const BackendConnection& backend);
  // plan_missing_database() for a backend's ERR; kForgotten: the session has no default database now.
  MissingDatabase on_missing_database(std::span<const std::uint8_t> server_error, bool on_primary, bool last_attempt);
  // At login and COM_CHANGE_USER: a backend that takes reads accepts the database asked for (1049
  // refuses it, as on a server). The lease stays for the caller to release.
  awaitable<Outcome<Lease*>> check_database();
  // The proxy presents a MariaDB server (some error texts differ from MySQL's).
  [[nodiscard]] bool presents_mariadb_server() const { return presents_mariadb(shared_.identity.get()->version); }

  WorkerContext& worker_;
  SharedState& shared_;
  std::shared_ptr<const config::Config> config_;
  std::uint64_t config_version_ = 0;
  std::shared_ptr<const config::Config> user_owner_;
  std::shared_ptr<const config::UserConfig> backend_user_;  // login_.user when it is a backend account  // keeps login_.user alive if a reload removed it
  PacketStream client_;
  SessionLog log_;
  IdleTimer idle_;
  ClientLogin login_;
  SessionState state_;
  RoutingPolicy policy_;
  std::optional<Lease> lease_;
  // pool.mode: session (fixed at login and COM_CHANGE_USER): the connections this session keeps
  // between statements, at most one per backend, opened for it alone and closed at its end.
  bool session_pool_ = false;
  std::vector<Lease> kept_;
  // A login or COM_CHANGE_USER is checking the database it asked for: one that does not exist
  // refuses it (1049), it is not a database dropped under the session.
  bool checking_database_ = false;
  bool in_command_ = false;
  WaitWatch watch_;  // what the command in progress waits on, for sweep()
  // timeouts.query on the command in progress: what sweep() did about a silent backend.
  enum class QueryTimeout : std::uint8_t { kNone, kKillSent, kClosed };
  QueryTimeout query_timeout_ = QueryTimeout::kNone;
  std::chrono::steady_clock::time_point kill_sent_at_{};
  bool draining_ = false;
  // Draining: ends the session at its first quiet moment outside a transaction (end_when_quiet).
  asio::steady_timer drain_timer_;
  ClientStatements statements_;
  std::optional<std::uint32_t> cursor_statement_;  // the client statement whose cursor is open
  config::Consistency consistency_;
  GtidPosition written_;  // this session's newest write (consistency: session)
  std::vector<std::pair<std::uint32_t, GtidPosition>> known_applied_;  // learnt by waiting on replicas
  protocol::ResponseScanner scanner_;
  std::string peer_;
  std::optional<config::IpBytes> peer_address_;
  ConnectionLimits::ClientSlot client_slot_;  // limits.max_client_connections
  PendingLogins::Slot pending_login_;         // limits.max_pending_logins_per_address, until logged in
  ConnectionLimits::UserSlot user_slot_;      // the user's max_connections, from login on
};

}  // namespace mysqlproxy::proxy
