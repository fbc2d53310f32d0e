// Deadline: a timer whose handler is already queued when the guarded operation ends must not close
// the socket afterwards, nor touch a Deadline that is gone.
#include "proxy/net/deadline.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

namespace mysqlproxy::proxy {
namespace {

using namespace std::chrono_literals;

struct SocketPair {
  asio::io_context io;
  tcp::socket client{io};
  tcp::socket server{io};
  SocketPair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
};

// Arms a 1 ms deadline and lets it expire before the io_context runs: the first run collects the
// expired timer, queuing its handler behind whatever was posted before.
template <class Posted>
void expire_then_run(SocketPair& p, Deadline& d, Posted&& posted) {
  d.arm(1ms);
  std::this_thread::sleep_for(20ms);
  asio::post(p.io, std::forward<Posted>(posted));
  p.io.run();
}

TEST(Deadline, ClosesTheSocketWhenTimeRunsOut) {
  SocketPair p;
  Deadline d(p.io.get_executor(), p.server);
  expire_then_run(p, d, [] {});
  EXPECT_TRUE(d.expired());
  EXPECT_FALSE(p.server.is_open());
}

TEST(Deadline, ACancelAfterTheTimerFiredLeavesTheSocketOpen) {
  SocketPair p;
  Deadline d(p.io.get_executor(), p.server);
  expire_then_run(p, d, [&] { d.cancel(); });
  EXPECT_FALSE(d.expired());
  EXPECT_TRUE(p.server.is_open());
}

TEST(Deadline, ADeadlineGoneBeforeItsQueuedHandlerRanIsNotTouched) {
  SocketPair p;
  std::optional<Deadline> d(std::in_place, p.io.get_executor(), p.server);
  expire_then_run(p, *d, [&] { d.reset(); });
  EXPECT_TRUE(p.server.is_open());
}

TEST(Deadline, ReArmingStartsAfreshAndAnEarlierExpiryDoesNotCount) {
  SocketPair p;
  Deadline d(p.io.get_executor(), p.server);
  bool open_after_stale_handler = false;
  bool expired_after_stale_handler = true;
  expire_then_run(p, d, [&] {
    d.arm(10s);
    // Queued behind the earlier expiry's handler: sees what it left.
    asio::post(p.io, [&] {
      open_after_stale_handler = p.server.is_open();
      expired_after_stale_handler = d.expired();
      d.cancel();
    });
  });
  EXPECT_TRUE(open_after_stale_handler);
  EXPECT_FALSE(expired_after_stale_handler);
}

}  // namespace
}  // namespace mysqlproxy::proxy
