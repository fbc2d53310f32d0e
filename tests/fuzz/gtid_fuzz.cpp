// Fuzz target: GTID positions (proxy/routing/gtid), parsed from what backends report:
// @@gtid_current_pos / @@gtid_executed, MariaDB's last_gtid and MySQL's session-tracked GTIDs,
// tagged ones included.
//
// Input: [cut][text...]. The text is parsed whole, and cut at byte (cut % (size + 1)) into two
// texts that are parsed and merged.
// Invariants: parse() is deterministic; what parses prints in a canonical form that parses back
// to itself and to an equal position (each includes the other); a position includes itself and
// the empty one; a merge includes both parts, and merging either part again changes nothing.
#include <string>

#include "proxy/routing/gtid.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using mysqlproxy::proxy::GtidPosition;

namespace {

void check_one(const GtidPosition& p) {
  const std::string text = p.to_string();
  const auto again = GtidPosition::parse(text);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->to_string() == text);
  FUZZ_CHECK(again->includes(p) && p.includes(*again));
  FUZZ_CHECK(p.includes(p));
  FUZZ_CHECK(p.includes(GtidPosition{}));
  FUZZ_CHECK(p.empty() == text.empty());
  if (!p.empty()) FUZZ_CHECK(!GtidPosition{}.includes(p));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t cut_byte = in.u8();
  const std::string_view text = mysqlproxy::fuzz::view_of(in.rest());

  const auto whole = GtidPosition::parse(text);
  const auto twice = GtidPosition::parse(text);
  FUZZ_CHECK(whole.has_value() == twice.has_value());
  if (whole) {
    FUZZ_CHECK(whole->to_string() == twice->to_string());
    check_one(*whole);
  }

  const std::size_t cut = cut_byte % (text.size() + 1);
  const auto a = GtidPosition::parse(text.substr(0, cut));
  const auto b = GtidPosition::parse(text.substr(cut));
  if (!a || !b) return 0;
  GtidPosition merged = *a;
  merged.merge(*b);
  FUZZ_CHECK(merged.includes(*a));
  FUZZ_CHECK(merged.includes(*b));
  check_one(merged);
  const std::string merged_text = merged.to_string();
  GtidPosition again = merged;
  again.merge(*a);
  again.merge(*b);
  again.merge(merged);
  FUZZ_CHECK(again.to_string() == merged_text);
  return 0;
}
