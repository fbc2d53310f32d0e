#include "proxy/session/client_auth.hpp"

#include <openssl/rand.h>

#include <random>

#include "protocol/auth.hpp"
#include "protocol/constants.hpp"

namespace mysqlproxy::proxy {

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

bool verify_client_password(const config::UserConfig* user, std::span<const std::uint8_t> response,
                            std::span<const std::uint8_t> scramble) {
  const std::string_view password = user ? std::string_view(user->password) : std::string_view("\x01unknown");
  if (password.empty()) return user != nullptr && response.empty();
  const auto stage2 = protocol::native_password_stage2(password);
  const bool ok = protocol::verify_native_password(response, scramble, stage2);
  return ok && user != nullptr;
}

std::string access_denied_message(std::string_view user, std::string_view host, bool used_password) {
  std::string msg = "Access denied for user '";
  msg.append(user).append("'@'").append(host).append("' (using password: ");
  msg.append(used_password ? "YES)" : "NO)");
  return msg;
}

}  // namespace mysqlproxy::proxy
