// A TCP forwarder: connections to listen_host:port are relayed to 127.0.0.1:target_port (by
// default the same port). The cluster binds 127.0.0.1 only; this makes a server reachable at a
// second loopback address (for the DNS discovery tests, whose names resolve to 127.0.0.x).
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace itest {

class TcpForwarder {
 public:
  TcpForwarder() = default;
  TcpForwarder(const TcpForwarder&) = delete;
  TcpForwarder& operator=(const TcpForwarder&) = delete;
  ~TcpForwarder() { stop(); }

  bool start(const std::string& listen_host, int port, std::string* error, int target_port = 0);
  void stop();

 private:
  void accept_loop();
  void pump(int a, int b);

  int target_port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> pumps_;
};

}  // namespace itest
