// Fuzz target: the connection-phase decoders. The server greeting (InitialHandshakeV10) comes from
// a backend; the client's first packet (SSLRequest or HandshakeResponse41) from anyone who
// connects.
//
// Input: [selector][payload...]; an even selector decodes a greeting, an odd one a client's first
// packet (told apart with is_ssl_request() as the proxy does, and given to both decoders).
// Invariants: a decoded value, encoded again, decodes to the same value, and encoding that value
// gives the same bytes again (decode . encode . decode = decode; for a greeting, when its scramble
// has a size the encoder can carry); an SSLRequest encodes to 32
// bytes that is_ssl_request() recognizes; is_ssl_request() is true only for 32 bytes.
#include "protocol/handshake.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;

namespace {

// Whether the greeting's scramble has a form the encoder can write: without CLIENT_PLUGIN_AUTH
// the wire has no length for it and part 2 is always 12 bytes (+ NUL); with it, the length byte
// (scramble + NUL) must fit in a byte.
bool scramble_encodable(const InitialHandshakeV10& v) {
  if (!v.capabilities.has(kClientSecureConnection)) return true;
  if (!v.capabilities.has(kClientPluginAuth)) return v.auth_plugin_data.size() == kScrambleSize;
  return v.auth_plugin_data.size() + 1 <= 0xff;
}

void greeting(std::span<const std::uint8_t> payload) {
  auto v = decode_initial_handshake(payload);
  if (!v) return;
  FUZZ_CHECK(v->protocol_version == 10);
  Bytes once;
  encode_initial_handshake(*v, once);
  if (!scramble_encodable(*v)) return;
  auto again = decode_initial_handshake(once);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *v);
  Bytes twice;
  encode_initial_handshake(*again, twice);
  FUZZ_CHECK(twice == once);
}

void client_first_packet(std::span<const std::uint8_t> payload) {
  const bool ssl = is_ssl_request(payload);
  FUZZ_CHECK(!ssl || payload.size() == kSslRequestSize);

  if (auto req = decode_ssl_request(payload)) {
    FUZZ_CHECK(payload.size() == kSslRequestSize);
    FUZZ_CHECK(ssl);  // it decoded, so CLIENT_SSL is set
    Bytes once;
    encode_ssl_request(*req, once);
    FUZZ_CHECK(once.size() == kSslRequestSize);
    FUZZ_CHECK(is_ssl_request(once));
    auto again = decode_ssl_request(once);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *req);
  }

  if (auto v = decode_handshake_response(payload)) {
    FUZZ_CHECK(v->capabilities.has(kClientProtocol41));
    Bytes once;
    encode_handshake_response(*v, once);
    FUZZ_CHECK(!is_ssl_request(once));
    auto again = decode_handshake_response(once);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *v);
    Bytes twice;
    encode_handshake_response(*again, twice);
    FUZZ_CHECK(twice == once);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t selector = in.u8();
  const auto payload = in.rest();
  if (selector % 2 == 0) {
    greeting(payload);
  } else {
    client_first_packet(payload);
  }
  return 0;
}
