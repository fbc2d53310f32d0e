// Fuzz target: the authentication packets a backend sends during login (AuthSwitchRequest,
// AuthMoreData) and what the proxy computes from them: scrambles from an arbitrary nonce, the
// password checks a client's response goes through, and RSA encryption with whatever the server
// sent as its public key.
//
// Input: [selector][payload...]. The payload is decoded both as an AuthSwitchRequest and as an
// AuthMoreData; selector bit 0 also hands AuthMoreData's body to rsa_encrypt_password() as a PEM
// key (slow: OpenSSL parses it), as the proxy does in caching_sha2_password's full
// authentication.
// Invariants: both packets re-encode to the same bytes; scramble_of() is plugin_data without at
// most one trailing NUL; scrambles have their fixed sizes for any nonce; a response made with the
// right password verifies, the payload itself (as a response) verifies only if it is that
// response; RSA output, when there is one, has room for the password and OAEP's padding.
#include <algorithm>

#include "protocol/auth.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;
using mysqlproxy::fuzz::same_bytes;

namespace {

constexpr std::string_view kPassword = "fuzz-password";

void scrambles(std::span<const std::uint8_t> nonce, std::span<const std::uint8_t> response) {
  const Bytes native = scramble_native_password(kPassword, nonce);
  FUZZ_CHECK(native.size() == 20);
  const Bytes sha2 = scramble_caching_sha2(kPassword, nonce);
  FUZZ_CHECK(sha2.size() == 32);
  FUZZ_CHECK(scramble_native_password("", nonce).empty());

  const Sha1Digest stage2 = native_password_stage2(kPassword);
  FUZZ_CHECK(verify_native_password(native, nonce, stage2));
  auto stage1 = recover_native_stage1(native, nonce, stage2);
  FUZZ_CHECK(stage1.has_value());
  FUZZ_CHECK(same_bytes(scramble_native_from_stage1(*stage1, nonce), native));
  FUZZ_CHECK(verify_caching_sha2_fast(sha2, nonce, caching_sha2_stage2(kPassword)));

  // An arbitrary response: accepted only if it is the right one.
  const bool ok = verify_native_password(response, nonce, stage2);
  FUZZ_CHECK(ok == same_bytes(response, native));
  FUZZ_CHECK(verify_native_password(response, nonce, std::nullopt) == response.empty());
  const bool ok_sha2 = verify_caching_sha2_fast(response, nonce, caching_sha2_stage2(kPassword));
  FUZZ_CHECK(ok_sha2 == same_bytes(response, sha2));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t selector = in.u8();
  const auto payload = in.rest();

  if (auto sw = decode_auth_switch_request(payload)) {
    Bytes out;
    encode_auth_switch_request(*sw, out);
    FUZZ_CHECK(same_bytes(out, payload));
    const auto scramble = scramble_of(*sw);
    const auto data_bytes = bytes_of(sw->plugin_data);
    FUZZ_CHECK(scramble.data() == data_bytes.data());
    FUZZ_CHECK(scramble.size() == data_bytes.size() ||
               (scramble.size() + 1 == data_bytes.size() && data_bytes.back() == 0));
    scrambles(scramble, payload);
  }

  if (auto more = decode_auth_more_data(payload)) {
    Bytes out;
    encode_auth_more_data(*more, out);
    FUZZ_CHECK(same_bytes(out, payload));
    if (selector & 1) {
      const auto nonce = payload.first(std::min<std::size_t>(payload.size(), 20));
      auto encrypted = rsa_encrypt_password(kPassword, nonce, more->data);
      // OAEP needs 42 bytes beside the password and its NUL; the output is as long as the key.
      if (encrypted) FUZZ_CHECK(encrypted->size() >= kPassword.size() + 1 + 42);
    }
  }

  // The payload as a nonce and as a client's response to it.
  if (selector & 2) scrambles(payload, payload);
  return 0;
}
