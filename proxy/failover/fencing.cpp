#include "proxy/failover/fencing.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

#include "proxy/routing/gtid.hpp"

namespace mysqlproxy::proxy {

std::string_view to_string(FenceNext n) noexcept {
  switch (n) {
    case FenceNext::kNothing: return "nothing";
    case FenceNext::kRejoin: return "rejoin";
    case FenceNext::kKeepOut: return "diverged";
  }
  return "unknown";
}

namespace {

// (domain, server) -> the last seq from that server in that domain.
using BinlogState = std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint64_t>;

template <class T>
bool number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// "0-1-42,0-2-50,1-1-7"; "" is the empty state.
std::optional<BinlogState> parse_binlog_state(std::string_view text) {
  BinlogState state;
  text = trim(text);
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto a = item.find('-');
    const auto b = a == std::string_view::npos ? a : item.find('-', a + 1);
    std::uint32_t domain = 0, server = 0;
    std::uint64_t seq = 0;
    if (b == std::string_view::npos || !number(item.substr(0, a), domain) ||
        !number(item.substr(a + 1, b - a - 1), server) || !number(item.substr(b + 1), seq)) {
      return std::nullopt;
    }
    std::uint64_t& last = state[{domain, server}];
    last = std::max(last, seq);
  }
  return state;
}

bool is_mysql_set(std::string_view text) { return text.find(':') != std::string_view::npos; }

}  // namespace

std::optional<std::vector<std::string>> errant_transactions(std::string_view server, std::string_view primary) {
  std::vector<std::string> out;
  if (is_mysql_set(server) || is_mysql_set(primary)) {
    // One MySQL set against MariaDB positions: two kinds of server, no common history.
    const bool mixed = (!is_mysql_set(server) && !trim(server).empty()) ||
                       (!is_mysql_set(primary) && !trim(primary).empty());
    if (mixed) return std::nullopt;
    auto mine = GtidPosition::parse(server);
    auto theirs = GtidPosition::parse(primary);
    if (!mine || !theirs) return std::nullopt;
    const std::string left = mine->minus(*theirs).to_string();
    for (std::size_t start = 0; start < left.size();) {
      const auto comma = left.find(',', start);
      out.push_back(left.substr(start, comma - start));
      start = comma == std::string::npos ? left.size() : comma + 1;
    }
    return out;
  }
  auto mine = parse_binlog_state(server);
  auto theirs = parse_binlog_state(primary);
  if (!mine || !theirs) return std::nullopt;
  for (const auto& [key, seq] : *mine) {
    auto it = theirs->find(key);
    if (it == theirs->end() || it->second < seq) {
      out.push_back(std::to_string(key.first) + '-' + std::to_string(key.second) + '-' + std::to_string(seq));
    }
  }
  return out;
}

std::optional<std::size_t> legitimate_primary(std::span<const WritableServer> writable) {
  if (writable.size() == 1) return 0;
  std::optional<std::size_t> best;
  bool tie = false;
  for (std::size_t i = 0; i < writable.size(); ++i) {
    if (!best || writable[i].followers > writable[*best].followers) {
      best = i;
      tie = false;
    } else if (writable[i].followers == writable[*best].followers) {
      tie = true;
    }
  }
  if (tie || (best && writable[*best].followers == 0)) return std::nullopt;
  return best;
}

FencingDecision decide_fencing(const FencingFacts& f) {
  FencingDecision d;
  if (!f.reachable) return d;
  d.make_read_only = f.writable;
  if (f.replicates_from_primary) return d;
  auto errant = errant_transactions(f.binlog_state, f.primary_binlog_state);
  if (!errant) {
    d.next = FenceNext::kKeepOut;
    d.errant = {"?"};
  } else if (errant->empty()) {
    d.next = FenceNext::kRejoin;
  } else {
    d.next = FenceNext::kKeepOut;
    d.errant = std::move(*errant);
  }
  return d;
}

}  // namespace mysqlproxy::proxy
