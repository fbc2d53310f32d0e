#include "support/hosts_entries.hpp"

#include <fstream>

namespace itest {

HostsEntries::~HostsEntries() {
  std::string ignored;
  set({}, &ignored);
}

bool HostsEntries::set(const std::vector<std::string>& addresses, std::string* error) {
  std::ifstream in(kPath);
  if (!in) {
    *error = std::string("cannot read ") + kPath;
    return false;
  }
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    if (line.find(kTag) == std::string::npos) kept += line + "\n";
  }
  in.close();
  for (const std::string& a : addresses) kept += a + " " + name_ + " " + kTag + "\n";
  std::ofstream out(kPath, std::ios::trunc);
  out << kept;
  out.flush();
  if (!out) {
    *error = std::string("cannot write ") + kPath + " (the test needs root)";
    return false;
  }
  return true;
}

}  // namespace itest
