#pragma once
// COM_STMT_EXECUTE layout: where the "new params bound" flag and the parameter types sit, so a
// proxy can send an execute to a backend under another statement id, and add the types a
// backend statement has not seen yet (clients send them only on the first execute).
//   0x17, statement_id(4), flags(1), iteration_count(4),
//   [num_params > 0: null_bitmap((n+7)/8), new_params_bound_flag(1), [flag: types(2n)], values]
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/errors.hpp"

namespace mysqlproxy::protocol {

struct ExecuteLayout {
  std::uint8_t flags = 0;               // cursor type
  std::size_t bound_flag_offset = 0;    // 0 when the statement has no parameters
  bool params_bound = false;            // the packet carries parameter types
  std::span<const std::uint8_t> types;  // 2 bytes per parameter, when bound
};

[[nodiscard]] Result<ExecuteLayout> parse_execute_layout(std::span<const std::uint8_t> payload, std::uint16_t num_params);

// The same execute for backend statement `id`; with `types` (2 per parameter) inserted when the
// client's packet has none.
[[nodiscard]] std::vector<std::uint8_t> rewrite_execute(std::span<const std::uint8_t> payload, const ExecuteLayout& layout,
                                                        std::uint32_t id, std::span<const std::uint8_t> types);

}  // namespace mysqlproxy::protocol
