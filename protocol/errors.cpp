#include "protocol/errors.hpp"

namespace mysqlproxy::protocol {
namespace {

class ProtocolCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mysql-protocol"; }
  std::string message(int ev) const override {
    switch (static_cast<ProtocolErrc>(ev)) {
      case ProtocolErrc::kTruncated: return "packet truncated";
      case ProtocolErrc::kExtraBytes: return "unexpected bytes after the end of a packet";
      case ProtocolErrc::kBadSequence: return "packet out of sequence";
      case ProtocolErrc::kPacketTooLarge: return "packet larger than the allowed maximum";
      case ProtocolErrc::kUnexpectedPacket: return "unexpected packet";
      case ProtocolErrc::kUnsupported: return "unsupported protocol feature";
      case ProtocolErrc::kMalformed: return "malformed packet";
    }
    return "unknown protocol error";
  }
};

}  // namespace

const boost::system::error_category& protocol_category() noexcept {
  static const ProtocolCategory category;
  return category;
}

}  // namespace mysqlproxy::protocol
