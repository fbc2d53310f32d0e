// The session rig's own promises (tests/support/session_rig.hpp): a command the script did not
// expect, a scripted step that never came and a test that hangs each fail the test, saying what
// happened, and in bounded time.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/support/session_rig.hpp"

namespace mysqlproxy::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using proxy::awaitable;
using namespace std::chrono_literals;

// The messages of the failures `body` reports, kept from the test running it.
std::vector<std::string> failures_of(const std::function<void()>& body) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    body();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) messages.emplace_back(results.GetTestPartResult(i).message());
  return messages;
}

TEST(SessionRigTest, AnUnexpectedCommandFailsNamingWhatCameAndWhatTheScriptExpected) {
  const auto failures = failures_of([] {
    SessionRig rig;
    rig.replica1.add_connection(ConnectionScript().expect(com_query("SELECT 2")).answer(text_result({"2"}, {{"2"}})));
    rig.run([&]() -> awaitable<void> {
      ScriptedClient* client = co_await rig.connect();
      (void)co_await client->query("SELECT 1");
    });
  });
  EXPECT_THAT(failures, Contains(HasSubstr("backend 'replica1', connection 0: the proxy sent COM_QUERY SELECT 1 "
                                           "where the script expects COM_QUERY SELECT 2")));
}

TEST(SessionRigTest, AScriptedStepThatNeverCameFailsAtTheRigsEnd) {
  const auto failures = failures_of([] {
    SessionRig rig;
    rig.replica1.add_connection(ConnectionScript()
                                    .expect(com_query("SELECT 1"))
                                    .answer(text_result({"1"}, {{"1"}}))
                                    .expect(com_query("SELECT 2"))
                                    .answer(text_result({"2"}, {{"2"}})));
    rig.replica2.add_connection(ConnectionScript().expect(com_query("SELECT 3")));
    rig.run([&]() -> awaitable<void> {
      ScriptedClient* client = co_await rig.connect();
      (void)co_await client->query("SELECT 1");
    });
  });
  EXPECT_THAT(failures, Contains(HasSubstr("backend 'replica1', connection 0: the script stopped at step 3 of 4 "
                                           "(expecting COM_QUERY SELECT 2)")));
  EXPECT_THAT(failures, Contains(HasSubstr("backend 'replica2': 1 scripted connection(s) never opened")));
}

TEST(SessionRigTest, AHungTestFailsAtItsLimitInsteadOfHanging) {
  const auto started = std::chrono::steady_clock::now();
  const auto failures = failures_of([] {
    SessionRig rig;
    // The backend takes the query and never answers.
    rig.replica1.add_connection(ConnectionScript().expect(com_query("SELECT SLEEP(100)")));
    rig.run(
        [&]() -> awaitable<void> {
          ScriptedClient* client = co_await rig.connect();
          (void)co_await client->query("SELECT SLEEP(100)");
        },
        300ms);
  });
  EXPECT_THAT(failures, Contains(HasSubstr("the test did not finish within 300 ms")));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

}  // namespace
}  // namespace mysqlproxy::test
