// Lines a test adds to /etc/hosts, tagged so they are removed again (also those a crashed
// earlier run left behind). Only the tagged lines are touched; the file is rewritten in place
// (it is often a bind mount, so no rename). Writing it needs root: set() says so otherwise.
#pragma once

#include <string>
#include <vector>

namespace itest {

class HostsEntries {
 public:
  static constexpr const char* kPath = "/etc/hosts";
  static constexpr const char* kTag = "# mysqlproxy-itest";

  explicit HostsEntries(std::string name) : name_(std::move(name)) {}
  HostsEntries(const HostsEntries&) = delete;
  HostsEntries& operator=(const HostsEntries&) = delete;
  ~HostsEntries();

  // `name` resolves to exactly `addresses` from now on (none: the name is gone).
  bool set(const std::vector<std::string>& addresses, std::string* error);

 private:
  std::string name_;
};

}  // namespace itest
