#pragma once
// Protocol-layer errors are values: a ProtocolErrc wrapped in an error_code, carried in Result<T>.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace mysqlproxy::protocol {

enum class ProtocolErrc {
  kTruncated = 1,      // a complete payload ended before a field it must contain
  kExtraBytes,         // bytes left over after the last field of a fixed-shape message
  kBadSequence,        // a frame's sequence id is not the one expected
  kPacketTooLarge,     // a packet exceeds the configured maximum
  kUnexpectedPacket,   // a packet that the current protocol state does not allow
  kUnsupported,        // a valid but unsupported feature (plugin, command, capability)
  kMalformed,          // a field holds a value the format forbids
};

const boost::system::error_category& protocol_category() noexcept;

inline boost::system::error_code make_error_code(ProtocolErrc e) noexcept {
  return {static_cast<int>(e), protocol_category()};
}

template <class T>
using Result = boost::system::result<T>;

}  // namespace mysqlproxy::protocol

template <>
struct boost::system::is_error_code_enum<mysqlproxy::protocol::ProtocolErrc> : std::true_type {};
