#include "proxy/session/client_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <random>

#include "protocol/constants.hpp"

namespace mysqlproxy::proxy {
namespace {

// What a missing user is checked against, so the work done is the same.
const config::UserConfig& nobody() {
  static const config::UserConfig user{"", "\x01unknown"};
  return user;
}

std::optional<protocol::Sha1Digest> native_stage2_of(const config::UserConfig& user) {
  if (user.password.empty()) return std::nullopt;
  if (user.password_is_hash) return protocol::parse_native_password_hash(user.password);
  return protocol::native_password_stage2(user.password);
}

}  // namespace

std::string make_scramble() {
  std::uint8_t raw[protocol::kScrambleSize];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    std::random_device rd;
    for (auto& b : raw) b = static_cast<std::uint8_t>(rd());
  }
  std::string out(protocol::kScrambleSize, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(0x21 + raw[i] % 94);  // '!'..'~'
  return out;
}

std::string_view plugin_name(config::AuthPlugin plugin) noexcept {
  return plugin == config::AuthPlugin::kCachingSha2Password ? protocol::kCachingSha2Password
                                                            : protocol::kMysqlNativePassword;
}

NativeVerdict verify_native(const config::UserConfig* user, std::span<const std::uint8_t> response,
                            std::span<const std::uint8_t> scramble) {
  const config::UserConfig& who = user ? *user : nobody();
  const auto stage2 = native_stage2_of(who);
  NativeVerdict verdict;
  if (!stage2) {
    verdict.ok = user != nullptr && response.empty();
    return verdict;
  }
  verdict.ok = protocol::verify_native_password(response, scramble, stage2) && user != nullptr;
  if (verdict.ok && who.password_is_hash) verdict.stage1 = protocol::recover_native_stage1(response, scramble, *stage2);
  return verdict;
}

std::optional<protocol::Sha256Digest> sha2_stage2_of(const config::UserConfig& user) {
  if (user.password.empty()) return std::nullopt;
  return protocol::caching_sha2_stage2(user.password);
}

bool verify_sha2_scramble(const config::UserConfig* user, std::span<const std::uint8_t> response,
                          std::span<const std::uint8_t> scramble) {
  const config::UserConfig& who = user ? *user : nobody();
  return protocol::verify_caching_sha2_fast(response, scramble, sha2_stage2_of(who)) && user != nullptr;
}

bool verify_clear_password(const config::UserConfig* user, std::string_view candidate) {
  const config::UserConfig& who = user ? *user : nobody();
  // Compare digests, not the strings: equal length, constant time, whatever was sent.
  const auto want = protocol::caching_sha2_stage2(who.password);
  const auto got = protocol::caching_sha2_stage2(candidate);
  const bool same = CRYPTO_memcmp(want.data(), got.data(), want.size()) == 0;
  return same && user != nullptr && !who.password_is_hash;
}

std::optional<std::string> insecure_transport_refusal(const config::Config& cfg, const config::UserConfig& user,
                                                      bool on_tls) {
  if (on_tls || !(cfg.tls.require || user.require_tls)) return std::nullopt;
  return std::string(kErrSecureTransportRequired.message);
}

}  // namespace mysqlproxy::proxy
