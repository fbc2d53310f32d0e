// Draining (SIGTERM) as a client sees it, with no database server: a statement the client sent
// just as the drain began is answered, not cut off, and a session that stays quiet outside a
// transaction ends, its client seeing the connection closed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "proxy/session/session_context.hpp"
#include "tests/support/session_rig.hpp"

namespace mysqlproxy::test {
namespace {

using proxy::awaitable;
using namespace std::chrono_literals;

Bytes com_query_payload(std::string_view sql) {
  Bytes p{0x03};
  p.insert(p.end(), sql.begin(), sql.end());
  return p;
}

void drain_all(SessionRig& rig) {
  rig.shared().draining = true;
  const std::vector<proxy::WorkerSession*> sessions(rig.worker().sessions.begin(), rig.worker().sessions.end());
  for (proxy::WorkerSession* s : sessions) s->drain();
}

TEST(SessionDrainTest, AStatementSentAsTheDrainBeginsIsAnsweredThenTheSessionEnds) {
  SessionRig rig;
  const Answer one = text_result({"1"}, {{"1"}});
  rig.replica1.add_connection(ConnectionScript().expect(com_query("SELECT 1")).answer(one));
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    // On the wire before the drain: the session may not have read it yet.
    const bool sent = co_await client->send_command(com_query_payload("SELECT 1"));
    EXPECT_TRUE(sent);
    drain_all(rig);
    ClientAnswer answer;
    for (;;) {
      auto packet = co_await client->read_packet("the answer to SELECT 1");
      if (!packet) break;
      answer.packets.push_back(std::move(*packet));
      if (answer.packets.size() == one.size()) break;
    }
    EXPECT_EQ(answer.payloads(), one) << "answered in full, not cut off by the drain";
    const bool closed = co_await client->sees_eof();
    EXPECT_TRUE(closed) << "the session ends once quiet";
    const bool ended = co_await rig.session_ends();
    EXPECT_TRUE(ended);
  });
}

TEST(SessionDrainTest, AQuietSessionEndsSoonAfterTheDrainBegins) {
  SessionRig rig;
  rig.run([&]() -> awaitable<void> {
    ScriptedClient* client = co_await rig.connect();
    EXPECT_FALSE(rig.session_ended());
    drain_all(rig);
    const bool closed = co_await client->sees_eof();
    EXPECT_TRUE(closed);
    const bool ended = co_await rig.session_ends();
    EXPECT_TRUE(ended);
  });
}

}  // namespace
}  // namespace mysqlproxy::test
