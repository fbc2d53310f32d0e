#include "proxy/backend/backend_auth.hpp"

#include "protocol/auth.hpp"
#include "protocol/constants.hpp"

namespace mysqlproxy::proxy {

std::span<const std::uint8_t> trim_scramble(std::span<const std::uint8_t> data) noexcept {
  if (!data.empty() && data.back() == 0) data = data.first(data.size() - 1);
  return data.size() > protocol::kScrambleSize ? data.first(protocol::kScrambleSize) : data;
}

protocol::Result<std::vector<std::uint8_t>> initial_auth_response(std::string_view plugin, std::string_view password,
                                                                  std::span<const std::uint8_t> scramble,
                                                                  const std::optional<protocol::Sha1Digest>& native_stage1) {
  scramble = trim_scramble(scramble);
  if (native_stage1) {
    if (plugin == kNativePassword || plugin.empty()) return protocol::scramble_native_from_stage1(*native_stage1, scramble);
    return protocol::ProtocolErrc::kUnsupported;
  }
  if (plugin == kNativePassword || plugin.empty()) return protocol::scramble_native_password(password, scramble);
  if (plugin == kCachingSha2Password) return protocol::scramble_caching_sha2(password, scramble);
  return protocol::ProtocolErrc::kUnsupported;
}

}  // namespace mysqlproxy::proxy
