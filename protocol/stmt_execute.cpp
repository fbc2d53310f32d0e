#include "protocol/stmt_execute.hpp"

#include "protocol/command.hpp"

namespace mysqlproxy::protocol {

Result<ExecuteLayout> parse_execute_layout(std::span<const std::uint8_t> payload, std::uint16_t num_params) {
  constexpr std::size_t kHeader = 10;  // command, id, flags, iteration count
  if (payload.size() < kHeader) return ProtocolErrc::kTruncated;
  ExecuteLayout layout;
  layout.flags = payload[5];
  if (num_params == 0) return layout;
  const std::size_t flag_at = kHeader + (num_params + 7u) / 8u;
  if (payload.size() <= flag_at) return ProtocolErrc::kTruncated;
  layout.bound_flag_offset = flag_at;
  layout.params_bound = payload[flag_at] == 1;
  if (layout.params_bound) {
    const std::size_t types_size = 2u * num_params;
    if (payload.size() < flag_at + 1 + types_size) return ProtocolErrc::kTruncated;
    layout.types = payload.subspan(flag_at + 1, types_size);
  }
  return layout;
}

std::vector<std::uint8_t> rewrite_execute(std::span<const std::uint8_t> payload, const ExecuteLayout& layout,
                                          std::uint32_t id, std::span<const std::uint8_t> types) {
  std::vector<std::uint8_t> out;
  const bool inject = layout.bound_flag_offset != 0 && !layout.params_bound && !types.empty();
  out.reserve(payload.size() + (inject ? types.size() : 0));
  if (!inject) {
    out.assign(payload.begin(), payload.end());
  } else {
    const auto flag = payload.begin() + static_cast<std::ptrdiff_t>(layout.bound_flag_offset);
    out.assign(payload.begin(), flag);
    out.push_back(1);
    out.insert(out.end(), types.begin(), types.end());
    out.insert(out.end(), flag + 1, payload.end());
  }
  rewrite_statement_id(out, id);
  return out;
}

}  // namespace mysqlproxy::protocol
