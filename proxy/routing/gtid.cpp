#include "proxy/routing/gtid.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace mysqlproxy::proxy {
namespace {

// MySQL's transaction numbers are positive and signed 64-bit.
constexpr std::uint64_t kMaxTransactionNumber = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kMaxTagLength = 32;

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

// ASCII only: a locale must not change what a GTID is.
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// 8-4-4-4-12 hex digits.
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_here ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]{0,31}
bool is_tag(std::string_view s) {
  if (s.empty() || s.size() > kMaxTagLength || !(is_letter(s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_letter(c) || is_digit(c) || c == '_'; });
}

// "n" or "lo-hi", 1 <= lo <= hi <= 2^63-1.
bool parse_interval(std::string_view s, std::pair<std::uint64_t, std::uint64_t>& out) {
  const auto bounds = split(s, '-');
  if (bounds.size() > 2 || !to_number(bounds[0], out.first)) return false;
  out.second = out.first;
  if (bounds.size() == 2 && !to_number(bounds[1], out.second)) return false;
  return out.first >= 1 && out.first <= out.second && out.second <= kMaxTransactionNumber;
}

}  // namespace

bool GtidPosition::before(const UuidSet& set, const SetKey& key) noexcept {
  return SetKey{set.uuid, set.tag} < key;
}

void GtidPosition::normalize(std::vector<Interval>& intervals) {
  std::sort(intervals.begin(), intervals.end());
  std::vector<Interval> merged;
  merged.reserve(intervals.size());
  for (const auto& iv : intervals) {
    // Numbers stay under 2^63, so + 1 cannot wrap.
    if (!merged.empty() && iv.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, iv.second);
    } else {
      merged.push_back(iv);
    }
  }
  intervals = std::move(merged);
}

GtidPosition::UuidSet& GtidPosition::set_for(std::string_view uuid, std::string_view tag) {
  const auto it = std::lower_bound(sets_.begin(), sets_.end(), SetKey{uuid, tag}, before);
  if (it != sets_.end() && it->uuid == uuid && it->tag == tag) return *it;
  return *sets_.insert(it, UuidSet{std::string(uuid), std::string(tag), {}});
}

std::optional<GtidPosition> GtidPosition::parse(std::string_view text) {
  GtidPosition pos;
  text = trim(text);
  if (text.empty()) return pos;
  for (std::string_view item : split(text, ',')) {
    item = trim(item);
    if (item.empty()) return std::nullopt;
    if (item.find(':') != std::string_view::npos) {  // MySQL uuid[:tag]:interval[:interval...][:tag:interval...]
      const auto parts = split(item, ':');
      const std::string_view uuid_text = trim(parts[0]);
      if (!is_uuid(uuid_text)) return std::nullopt;
      const std::string uuid = lower(uuid_text);
      std::string tag;
      bool tag_has_interval = false;
      for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string_view part = trim(parts[i]);
        if (!part.empty() && is_digit(part[0])) {
          Interval iv;
          if (!parse_interval(part, iv)) return std::nullopt;
          pos.set_for(uuid, tag).intervals.push_back(iv);
          tag_has_interval = true;
        } else if (is_tag(part) && (i == 1 || tag_has_interval)) {
          tag = lower(part);
          tag_has_interval = false;
        } else {
          return std::nullopt;  // neither, or a tag with no interval of its own
        }
      }
      if (!tag_has_interval) return std::nullopt;
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
  for (auto& set : pos.sets_) normalize(set.intervals);
  return pos;
}

bool GtidPosition::includes(const GtidPosition& write) const noexcept {
  for (const auto& w : write.domains_) {
    auto it = std::find_if(domains_.begin(), domains_.end(), [&](const Domain& d) { return d.domain == w.domain; });
    if (it == domains_.end() || it->seq < w.seq) return false;
  }
  for (const auto& w : write.sets_) {
    const auto it = std::lower_bound(sets_.begin(), sets_.end(), SetKey{w.uuid, w.tag}, before);
    if (it == sets_.end() || it->uuid != w.uuid || it->tag != w.tag) return false;
    for (const auto& need : w.intervals) {
      // The last interval starting at or before the needed one must reach its end.
      auto have = std::upper_bound(it->intervals.begin(), it->intervals.end(), need.first,
                                   [](std::uint64_t n, const Interval& iv) { return n < iv.first; });
      if (have == it->intervals.begin() || std::prev(have)->second < need.second) return false;
    }
  }
  return true;
}

GtidPosition GtidPosition::minus(const GtidPosition& other) const {
  GtidPosition out;
  for (const auto& d : domains_) {
    auto it = std::find_if(other.domains_.begin(), other.domains_.end(),
                           [&](const Domain& o) { return o.domain == d.domain; });
    if (it == other.domains_.end() || it->seq < d.seq) out.domains_.push_back(d);
  }
  for (const auto& mine : sets_) {
    const auto it = std::lower_bound(other.sets_.begin(), other.sets_.end(), SetKey{mine.uuid, mine.tag}, before);
    const bool shared = it != other.sets_.end() && it->uuid == mine.uuid && it->tag == mine.tag;
    static const std::vector<Interval> kNone;
    const std::vector<Interval>& cuts = shared ? it->intervals : kNone;
    std::vector<Interval> left;
    for (Interval iv : mine.intervals) {
      // Both lists are sorted and disjoint: cut each of ours by the other's intervals in turn.
      for (const Interval& cut : cuts) {
        if (cut.second < iv.first || cut.first > iv.second) continue;
        if (cut.first > iv.first) left.emplace_back(iv.first, cut.first - 1);
        if (cut.second >= iv.second) {
          iv.first = 1;
          iv.second = 0;  // used up
          break;
        }
        iv.first = cut.second + 1;
      }
      if (iv.first <= iv.second) left.push_back(iv);
    }
    if (!left.empty()) out.sets_.push_back(UuidSet{mine.uuid, mine.tag, std::move(left)});
  }
  return out;
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
    UuidSet& mine = set_for(o.uuid, o.tag);
    mine.intervals.insert(mine.intervals.end(), o.intervals.begin(), o.intervals.end());
    normalize(mine.intervals);
  }
}

std::string GtidPosition::to_string() const {
  std::string out;
  for (const auto& d : domains_) {
    if (!out.empty()) out += ',';
    out += std::to_string(d.domain) + '-' + std::to_string(d.server) + '-' + std::to_string(d.seq);
  }
  for (std::size_t i = 0; i < sets_.size(); ++i) {
    const UuidSet& s = sets_[i];
    if (i == 0 || sets_[i - 1].uuid != s.uuid) {
      if (!out.empty()) out += ',';
      out += s.uuid;
    }
    if (!s.tag.empty()) out += ':' + s.tag;
    for (const auto& [lo, hi] : s.intervals) {
      out += ':' + std::to_string(lo);
      if (hi != lo) out += '-' + std::to_string(hi);
    }
  }
  return out;
}

}  // namespace mysqlproxy::proxy
