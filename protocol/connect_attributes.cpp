#include "protocol/connect_attributes.hpp"

namespace mysqlproxy::protocol {
namespace {

std::span<const std::uint8_t> as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Calls f(key, value) for each pair of a block; false if a pair overruns it.
template <class F>
bool walk_pairs(std::string_view block, F&& f) {
  WireReader a(as_bytes(block));
  while (!a.empty()) {
    const std::string_view key = a.lenenc_str();
    const std::string_view value = a.lenenc_str();
    if (!a.ok()) return false;
    f(key, value);
  }
  return true;
}

}  // namespace

ConnectAttributes::ConnectAttributes(std::initializer_list<Pair> pairs) {
  std::vector<std::uint8_t> bytes;
  WireWriter w(bytes);
  for (const auto& [key, value] : pairs) {
    w.lenenc_str(key);
    w.lenenc_str(value);
  }
  block_.assign(bytes.begin(), bytes.end());
}

std::vector<ConnectAttributes::Pair> ConnectAttributes::pairs() const {
  std::vector<Pair> out;
  walk_pairs(block_, [&](std::string_view key, std::string_view value) { out.emplace_back(key, value); });
  return out;
}

void read_connect_attributes(WireReader& r, ConnectAttributes& out) {
  const std::uint64_t total = r.lenenc_int();
  if (total > ConnectAttributes::kMaxBlockSize) {
    r.fail(ProtocolErrc::kPacketTooLarge);
    return;
  }
  if (total > r.remaining()) r.fail(ProtocolErrc::kTruncated);
  const std::string_view block = r.bytes(static_cast<std::size_t>(total));
  if (!r.ok()) return;
  if (!walk_pairs(block, [](std::string_view, std::string_view) {})) {
    r.fail(ProtocolErrc::kMalformed);
    return;
  }
  out.block_.assign(block);
}

void write_connect_attributes(const ConnectAttributes& attributes, WireWriter& w) {
  w.lenenc_int(attributes.block().size());
  w.bytes(attributes.block());
}

}  // namespace mysqlproxy::protocol
