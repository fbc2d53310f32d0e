#include "proxy/routing/gtid.hpp"

#include <algorithm>
#include <charconv>

namespace mysqlproxy::proxy {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <class T>
bool to_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

}  // namespace

void GtidPosition::add_interval(UuidSet& set, std::uint64_t lo, std::uint64_t hi) {
  set.intervals.emplace_back(lo, hi);
  std::sort(set.intervals.begin(), set.intervals.end());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
  for (const auto& iv : set.intervals) {
    if (!merged.empty() && iv.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, iv.second);
    } else {
      merged.push_back(iv);
    }
  }
  set.intervals = std::move(merged);
}

std::optional<GtidPosition> GtidPosition::parse(std::string_view text) {
  GtidPosition pos;
  text = trim(text);
  if (text.empty()) return pos;
  for (std::string_view item : split(text, ',')) {
    item = trim(item);
    if (item.empty()) return std::nullopt;
    if (item.find(':') != std::string_view::npos) {  // MySQL uuid:interval[:interval...]
      auto parts = split(item, ':');
      UuidSet set{std::string(trim(parts[0])), {}};
      if (set.uuid.size() != 36 || parts.size() < 2) return std::nullopt;
      for (std::size_t i = 1; i < parts.size(); ++i) {
        auto bounds = split(parts[i], '-');
        std::uint64_t lo = 0, hi = 0;
        if (bounds.size() == 1 && to_number(bounds[0], lo)) {
          hi = lo;
        } else if (bounds.size() != 2 || !to_number(bounds[0], lo) || !to_number(bounds[1], hi) || hi < lo) {
          return std::nullopt;
        }
        add_interval(set, lo, hi);
      }
      GtidPosition one;
      one.sets_.push_back(std::move(set));
      pos.merge(one);
    } else {  // MariaDB domain-server-seq
      auto parts = split(item, '-');
      Domain d{};
      if (parts.size() != 3 || !to_number(parts[0], d.domain) || !to_number(parts[1], d.server) ||
          !to_number(parts[2], d.seq)) {
        return std::nullopt;
      }
      GtidPosition one;
      one.domains_.push_back(d);
      pos.merge(one);
    }
  }
  return pos;
}

bool GtidPosition::includes(const GtidPosition& write) const noexcept {
  for (const auto& w : write.domains_) {
    auto it = std::find_if(domains_.begin(), domains_.end(), [&](const Domain& d) { return d.domain == w.domain; });
    if (it == domains_.end() || it->seq < w.seq) return false;
  }
  for (const auto& w : write.sets_) {
    auto it = std::find_if(sets_.begin(), sets_.end(), [&](const UuidSet& s) { return s.uuid == w.uuid; });
    if (it == sets_.end()) return false;
    for (const auto& need : w.intervals) {
      const bool covered = std::any_of(it->intervals.begin(), it->intervals.end(), [&](const auto& have) {
        return have.first <= need.first && need.second <= have.second;
      });
      if (!covered) return false;
    }
  }
  return true;
}

void GtidPosition::merge(const GtidPosition& other) {
  for (const auto& o : other.domains_) {
    auto it = std::find_if(domains_.begin(), domains_.end(), [&](const Domain& d) { return d.domain == o.domain; });
    if (it == domains_.end()) {
      domains_.push_back(o);
    } else if (o.seq > it->seq) {
      *it = o;
    }
  }
  for (const auto& o : other.sets_) {
    auto it = std::find_if(sets_.begin(), sets_.end(), [&](const UuidSet& s) { return s.uuid == o.uuid; });
    if (it == sets_.end()) {
      sets_.push_back(o);
      continue;
    }
    for (const auto& iv : o.intervals) add_interval(*it, iv.first, iv.second);
  }
}

std::string GtidPosition::to_string() const {
  std::string out;
  for (const auto& d : domains_) {
    if (!out.empty()) out += ',';
    out += std::to_string(d.domain) + '-' + std::to_string(d.server) + '-' + std::to_string(d.seq);
  }
  for (const auto& s : sets_) {
    if (!out.empty()) out += ',';
    out += s.uuid;
    for (const auto& [lo, hi] : s.intervals) {
      out += ':' + std::to_string(lo);
      if (hi != lo) out += '-' + std::to_string(hi);
    }
  }
  return out;
}

}  // namespace mysqlproxy::proxy
