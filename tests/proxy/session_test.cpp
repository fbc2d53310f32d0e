// ClientSession end to end with no database server: real sessions between a scripted client and
// scripted backends on loopback (tests/support/session_rig.hpp). Each test scripts what every
// backend connection must receive and what it answers, then checks the bytes the client got and
// what each backend saw. The worker's replica round-robin starts at the first replica in the
// snapshot, so a first read goes to replica1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "protocol/command.hpp"
#include "protocol/constants.hpp"
#include "proxy/observability/proxy_metrics.hpp"
#include "tests/support/session_rig.hpp"

namespace mysqlproxy::test {
namespace {

using ::testing::ElementsAre;
using proxy::awaitable;
using namespace std::chrono_literals;

constexpr std::uint16_t kAutocommit = protocol::kServerStatusAutocommit;
constexpr std::uint16_t kInTransaction = protocol::kServerStatusInTrans | protocol::kServerStatusAutocommit;

std::uint64_t read_retries() { return proxy::proxy_metrics().read_retries.value(); }

TEST(SessionTest, ReadRetriedElsewhereWhenItsReplicaDiesBeforeAnswering) {
  SessionRig rig;
  const Answer one = text_result({"1"}, {{"1"}});
  rig.replica1.add_connection(ConnectionScript().expect(com_query("SELECT 1")).close());
  rig.replica2.add_connection(ConnectionScript().expect(com_query("SELECT 1")).answer(one));
  const std::uint64_t retries_before = read_retries();
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    const ClientAnswer answer = co_await client->query("SELECT 1");
    EXPECT_TRUE(answer.complete);
    EXPECT_EQ(answer.payloads(), one);  // replica2's answer, byte for byte, and no ERR
    EXPECT_THAT(answer.sequence_ids(), ElementsAre(1, 2, 3, 4));
    co_await client->quit();
    const bool ended = co_await rig.session_ends();
    EXPECT_TRUE(ended);
  });
  EXPECT_THAT(rig.replica1.log(), ElementsAre("conn 0: COM_QUERY SELECT 1", "conn 0: closed by the script"));
  EXPECT_THAT(rig.replica2.log(), ElementsAre("conn 0: COM_QUERY SELECT 1"));
  EXPECT_EQ(rig.primary.connections(), 0u);
  EXPECT_EQ(read_retries(), retries_before + 1);
}

TEST(SessionTest, ReplicaDyingMidResultGivesTheRowsSoFarThenErr1158AndTheSessionGoesOn) {
  SessionRig rig;
  const Answer rows = text_result({"v"}, {{"a"}, {"b"}, {"c"}});
  const Answer one = text_result({"1"}, {{"1"}});
  // Column count, definition, two rows: then the replica dies.
  rig.replica1.add_connection(
      ConnectionScript().expect(com_query("SELECT v FROM t")).answer(first_packets(rows, 4)).close());
  rig.replica2.add_connection(ConnectionScript().expect(com_query("SELECT 1")).answer(one));
  const std::uint64_t retries_before = read_retries();
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    const ClientAnswer cut = co_await client->query("SELECT v FROM t");
    EXPECT_TRUE(cut.complete);
    const Answer got = cut.payloads();
    EXPECT_EQ(Answer(got.begin(), got.begin() + std::min<std::size_t>(got.size(), 4)), first_packets(rows, 4));
    const auto err = cut.error();
    EXPECT_TRUE(err.has_value());
    if (err) {
      EXPECT_EQ(err->code, 1158);
      EXPECT_EQ(err->sql_state, "08S01");
      EXPECT_EQ(err->seq, 5);  // right after the last row the client holds
    }
    // The session goes on, on a fresh connection.
    const ClientAnswer next = co_await client->query("SELECT 1");
    EXPECT_EQ(next.payloads(), one);
  });
  EXPECT_EQ(read_retries(), retries_before);  // the client had rows already: no retry
  EXPECT_THAT(rig.replica1.log(), ElementsAre("conn 0: COM_QUERY SELECT v FROM t", "conn 0: closed by the script"));
}

TEST(SessionTest, LastInsertIdKeepsTheSessionOnItsPrimaryConnection) {
  SessionRig rig;
  const Answer inserted = ok_answer(kAutocommit, 1, 7);
  const Answer id = text_result({"LAST_INSERT_ID()"}, {{"7"}});
  const Answer rows = text_result({"v"}, {{"1"}});
  rig.primary.add_connection(ConnectionScript()
                                 .expect(com_query("INSERT INTO t (v) VALUES (1)"))
                                 .answer(inserted)
                                 .expect(com_query("SELECT LAST_INSERT_ID()"))
                                 .answer(id));
  // The pin lasts one statement: the next read goes to a replica.
  rig.replica1.add_connection(ConnectionScript().expect(com_query("SELECT v FROM t")).answer(rows));
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    const ClientAnswer insert = co_await client->query("INSERT INTO t (v) VALUES (1)");
    EXPECT_EQ(insert.payloads(), inserted);
    const ClientAnswer last_id = co_await client->query("SELECT LAST_INSERT_ID()");
    EXPECT_EQ(last_id.payloads(), id);
    const ClientAnswer read = co_await client->query("SELECT v FROM t");
    EXPECT_EQ(read.payloads(), rows);
  });
  // One connection to the primary carried both: the one whose id the client asks for.
  EXPECT_EQ(rig.primary.connections(), 1u);
  EXPECT_THAT(rig.primary.log(), ElementsAre("conn 0: COM_QUERY INSERT INTO t (v) VALUES (1)",
                                             "conn 0: COM_QUERY SELECT LAST_INSERT_ID()"));
  EXPECT_THAT(rig.replica1.log(), ElementsAre("conn 0: COM_QUERY SELECT v FROM t"));
  EXPECT_EQ(rig.replica2.connections(), 0u);
}

TEST(SessionTest, LastInsertIdAfterThePrimaryMovedIsAnsweredByTheConnectionThatMadeTheId) {
  SessionRig rig;
  ScriptedBackend& a = rig.primary;
  ScriptedBackend& b = rig.replica1;
  const Answer inserted = ok_answer(kAutocommit, 1, 7);
  const Answer id = text_result({"LAST_INSERT_ID()"}, {{"7"}});
  a.add_connection(ConnectionScript()
                       .expect(com_query("INSERT INTO t (v) VALUES (1)"))
                       .answer(inserted)
                       .expect(com_query("SELECT LAST_INSERT_ID()"))
                       .answer(id));
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    const ClientAnswer insert = co_await client->query("INSERT INTO t (v) VALUES (1)");
    EXPECT_EQ(insert.payloads(), inserted);
    rig.publish({&b, {&a, &rig.replica2}, {}});
    // Only a's connection knows the id: a fresh one on b would answer 0, silently wrong.
    const ClientAnswer last_id = co_await client->query("SELECT LAST_INSERT_ID()");
    EXPECT_EQ(last_id.payloads(), id);
  });
  EXPECT_THAT(a.log(), ElementsAre("conn 0: COM_QUERY INSERT INTO t (v) VALUES (1)",
                                   "conn 0: COM_QUERY SELECT LAST_INSERT_ID()"));
  EXPECT_EQ(b.connections(), 0u);
}

TEST(SessionTest, PrimaryMovingDuringATransactionEndsTheSessionWithErr1158) {
  SessionRig rig;
  ScriptedBackend& a = rig.primary;   // the primary at first
  ScriptedBackend& b = rig.replica1;  // promoted while the transaction is open on a
  a.add_connection(ConnectionScript()
                       .expect(com_query("BEGIN"))
                       .answer(ok_answer(kInTransaction))
                       .expect(com_query("INSERT INTO t (v) VALUES (1)"))
                       .answer(ok_answer(kInTransaction, 1))
                       .expect_hang_up());
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    const ClientAnswer begin = co_await client->query("BEGIN");
    EXPECT_FALSE(begin.error());
    const ClientAnswer insert = co_await client->query("INSERT INTO t (v) VALUES (1)");
    EXPECT_FALSE(insert.error());
    rig.publish({&b, {&a, &rig.replica2}, {}});
    const ClientAnswer refused = co_await client->query("INSERT INTO t (v) VALUES (2)");
    EXPECT_EQ(refused.packets.size(), 1u);
    const auto err = refused.error();
    EXPECT_TRUE(err.has_value());
    if (err) {
      EXPECT_EQ(err->code, 1158);
      EXPECT_EQ(err->sql_state, "08S01");
      EXPECT_EQ(err->seq, 1);
    }
    const bool eof = co_await client->sees_eof();
    EXPECT_TRUE(eof) << "the session must end after the ERR";
    const bool ended = co_await rig.session_ends();
    EXPECT_TRUE(ended);
    const bool hung_up = co_await a.hang_up_seen(0);  // the server rolls the transaction back
    EXPECT_TRUE(hung_up);
  });
  EXPECT_THAT(a.log(), ElementsAre("conn 0: COM_QUERY BEGIN", "conn 0: COM_QUERY INSERT INTO t (v) VALUES (1)",
                                   "conn 0: closed by the proxy"));
  EXPECT_EQ(b.connections(), 0u);
}

TEST(SessionTest, PrimaryMovingWithoutATransactionTheSessionFollowsIt) {
  SessionRig rig;
  ScriptedBackend& a = rig.primary;
  ScriptedBackend& b = rig.replica1;
  // autocommit=0 pins the session to a's connection, but with no transaction open it holds
  // nothing there that the move would lose: the setting is replayed on b.
  a.add_connection(ConnectionScript().expect(com_query("SET autocommit=0")).answer(ok_answer(0)));
  const Answer inserted = ok_answer(protocol::kServerStatusInTrans, 1);
  b.add_connection(ConnectionScript()
                       .expect(com_query("SET autocommit=0"))
                       .answer(ok_answer(0))
                       .expect(com_query("INSERT INTO t (v) VALUES (2)"))
                       .answer(inserted)
                       .expect_hang_up());
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    const ClientAnswer set = co_await client->query("SET autocommit=0");
    EXPECT_FALSE(set.error());
    rig.publish({&b, {&a, &rig.replica2}, {}});
    const ClientAnswer insert = co_await client->query("INSERT INTO t (v) VALUES (2)");
    EXPECT_EQ(insert.payloads(), inserted);  // b's OK, no ERR
    co_await client->quit();
    const bool ended = co_await rig.session_ends();
    EXPECT_TRUE(ended);
    // The transaction the INSERT opened on b dies with its connection.
    const bool hung_up = co_await b.hang_up_seen(0);
    EXPECT_TRUE(hung_up);
  });
  EXPECT_THAT(a.log(), ElementsAre("conn 0: COM_QUERY SET autocommit=0"));
  EXPECT_EQ(rig.worker().pool.stats(rig.id_of(a)).idle, 1u);  // given back, not closed
  EXPECT_THAT(b.log(), ElementsAre("conn 0: COM_QUERY SET autocommit=0", "conn 0: COM_QUERY INSERT INTO t (v) VALUES (2)",
                                   "conn 0: closed by the proxy"));
}

// Prepared statements: the client's id is the session's; each backend connection prepares the
// SQL under an id of its own. Only replica1 takes reads here, so every execute is routed there.
class SessionPreparedTest : public ::testing::Test {
 protected:
  SessionPreparedTest() { rig.publish({&rig.primary, {&rig.replica1}, {&rig.replica2}}); }

  // Prepares SELECT ? on replica1 (backend id 3, client id 1); then replica1 closes the
  // connection, which is idle in the pool by then.
  awaitable<ScriptedClient*> prepare_then_lose_the_connection() {
    ScriptedClient* client = co_await rig.connect();
    const ClientAnswer prepared = co_await client->prepare("SELECT ?");
    EXPECT_EQ(prepared.payloads(), prepare_ok_answer(1, 1, {"?"}));  // the backend's answer under the session's id
    const bool closed = co_await eventually([this] { return rig.replica1.closed(0); }, 5000ms);
    EXPECT_TRUE(closed);
    co_return client;
  }

  SessionRig rig;
  const Answer result = binary_int_result("?", {7});
};

TEST_F(SessionPreparedTest, PreparedAgainOnAFreshConnectionAfterTheFirstWasLost) {
  rig.replica1.add_connection(
      ConnectionScript().expect(com_stmt_prepare("SELECT ?")).answer(prepare_ok_answer(3, 1, {"?"})).close());
  rig.replica1.add_connection(ConnectionScript()
                                  .expect(com_stmt_prepare("SELECT ?"))
                                  .answer(prepare_ok_answer(5, 1, {"?"}))
                                  .expect(com_stmt_execute(5))
                                  .answer(result));
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await prepare_then_lose_the_connection();
    // The pool looks for EOF on a connection idle for a second or more (kStaleAfter in
    // backend_pool.cpp): past that, it finds this one dead and opens a fresh one.
    co_await pause_for(1200ms);
    const std::vector<std::int64_t> seven{7};
    const ClientAnswer executed = co_await client->execute(1, seven);
    EXPECT_TRUE(executed.complete);
    EXPECT_EQ(executed.payloads(), result);
  });
  EXPECT_THAT(rig.replica1.log(),
              ElementsAre("conn 0: COM_STMT_PREPARE SELECT ?", "conn 0: closed by the script",
                          "conn 1: COM_STMT_PREPARE SELECT ?", "conn 1: COM_STMT_EXECUTE id=5"));
  // The client's execute, parameters and all, under the new connection's id.
  EXPECT_EQ(rig.replica1.received().back().payload, stmt_execute_payload(5, {7}));
  EXPECT_EQ(rig.primary.connections(), 0u);
}

TEST_F(SessionPreparedTest, ExecuteOnAConnectionLostWithinASecondIsRetriedAndPreparedElsewhere) {
  rig.replica1.add_connection(
      ConnectionScript().expect(com_stmt_prepare("SELECT ?")).answer(prepare_ok_answer(3, 1, {"?"})).close());
  rig.primary.add_connection(ConnectionScript()
                                 .expect(com_stmt_prepare("SELECT ?"))
                                 .answer(prepare_ok_answer(5, 1, {"?"}))
                                 .expect(com_stmt_execute(5))
                                 .answer(result));
  const std::uint64_t retries_before = read_retries();
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await prepare_then_lose_the_connection();
    // At once: the pool hands out the dead connection unchecked, the execute fails on it before
    // any answer, and the read is retried away from replica1: on the primary, the last resort.
    const std::vector<std::int64_t> seven{7};
    const ClientAnswer executed = co_await client->execute(1, seven);
    EXPECT_TRUE(executed.complete);
    EXPECT_EQ(executed.payloads(), result);
  });
  EXPECT_THAT(rig.replica1.log(), ElementsAre("conn 0: COM_STMT_PREPARE SELECT ?", "conn 0: closed by the script"));
  EXPECT_THAT(rig.primary.log(), ElementsAre("conn 0: COM_STMT_PREPARE SELECT ?", "conn 0: COM_STMT_EXECUTE id=5"));
  EXPECT_EQ(rig.primary.received().back().payload, stmt_execute_payload(5, {7}));
  EXPECT_EQ(read_retries(), retries_before + 1);
}

TEST(SessionTest, ClientLeavingMidResultEndsTheSessionAndClosesTheBackendConnection) {
  SessionRig rig;
  const Answer big = numbered_rows(200);
  // 5 ms between rows: the answer is still coming when the client leaves.
  rig.replica1.add_connection(
      ConnectionScript().expect(com_query("SELECT n FROM big")).answer(big, 5ms).expect_hang_up());
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    Bytes query;
    protocol::encode_com_query("SELECT n FROM big", query);
    const bool sent = co_await client->send_command(query);
    EXPECT_TRUE(sent);
    for (std::size_t i = 0; i < 4; ++i) {  // column count, definition, rows 0 and 1
      auto packet = co_await client->read_packet("the start of the big result");
      EXPECT_TRUE(packet.has_value());
      if (!packet) co_return;
      EXPECT_EQ(packet->payload, big[i]);
    }
    client->close();
    const bool ended = co_await rig.session_ends();
    EXPECT_TRUE(ended) << "run_client_session must return once its client is gone";
    const bool hung_up = co_await rig.replica1.hang_up_seen(0);
    EXPECT_TRUE(hung_up) << "the connection, mid-answer, cannot go back to the pool";
  });
  EXPECT_THAT(rig.replica1.log(), ElementsAre("conn 0: COM_QUERY SELECT n FROM big", "conn 0: closed by the proxy"));
  const std::uint32_t id = rig.id_of(rig.replica1);
  EXPECT_EQ(rig.worker().pool.stats(id).idle, 0u);
  EXPECT_EQ(rig.worker().pool.stats(id).in_use, 0u);
  EXPECT_EQ(rig.shared().connections.open[id].load(), 0);  // closed and counted as such
}

TEST(SessionTest, NoBackendAnswersErr1105AndTheSessionGoesOn) {
  SessionRig rig;
  rig.publish({});  // nothing to route to
  const Answer one = text_result({"1"}, {{"1"}});
  rig.replica1.add_connection(ConnectionScript().expect(com_query("SELECT 1")).answer(one));
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    const ClientAnswer refused = co_await client->query("SELECT 1");
    const auto err = refused.error();
    EXPECT_TRUE(err.has_value());
    if (err) {
      EXPECT_EQ(err->code, 1105);
      EXPECT_EQ(err->seq, 1);
    }
    rig.publish({&rig.primary, {&rig.replica1, &rig.replica2}, {}});  // the backends are back
    const ClientAnswer answered = co_await client->query("SELECT 1");
    EXPECT_EQ(answered.payloads(), one);
  });
}

TEST(SessionTest, PoolAtItsLimitAnswersErr1040AfterAcquireTimeout) {
  SessionRig rig([](config::Config& c) {
    c.pool.max_connections_per_backend = 1;
    c.pool.acquire_timeout = 200ms;
  });
  const Answer inserted = ok_answer(kAutocommit, 1);
  rig.primary.add_connection(ConnectionScript()
                                 .expect(com_query("BEGIN"))
                                 .answer(ok_answer(kInTransaction))
                                 .expect(com_query("COMMIT"))
                                 .answer(ok_answer(kAutocommit))
                                 .expect(com_query("INSERT INTO t (v) VALUES (2)"))
                                 .answer(inserted));
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* holder = co_await rig.connect();
    ScriptedClient* waiter = co_await rig.connect();
    const ClientAnswer begin = co_await holder->query("BEGIN");  // holds the only connection
    EXPECT_FALSE(begin.error());
    const ClientAnswer refused = co_await waiter->query("INSERT INTO t (v) VALUES (2)");
    const auto err = refused.error();
    EXPECT_TRUE(err.has_value());
    if (err) {
      EXPECT_EQ(err->code, 1040);
      EXPECT_EQ(err->sql_state, "08004");
    }
    const ClientAnswer commit = co_await holder->query("COMMIT");
    EXPECT_FALSE(commit.error());
    const ClientAnswer insert = co_await waiter->query("INSERT INTO t (v) VALUES (2)");
    EXPECT_EQ(insert.payloads(), inserted);  // the connection, given back, now serves the other session
  });
  EXPECT_EQ(rig.primary.connections(), 1u);
  EXPECT_THAT(rig.primary.log(), ElementsAre("conn 0: COM_QUERY BEGIN", "conn 0: COM_QUERY COMMIT",
                                             "conn 0: COM_QUERY INSERT INTO t (v) VALUES (2)"));
}

}  // namespace
}  // namespace mysqlproxy::test
