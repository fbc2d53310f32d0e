#include "proxy/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace mysqlproxy::proxy {
namespace {

template <class Out>
void append_escaped(std::string_view text, config::LogFormat format, Out& dest) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool json = format == config::LogFormat::kJson;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\' || (json && c == '"')) {
      dest.push_back('\\');
      dest.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      const char json_escape[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
      const char text_escape[] = {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
      if (json) {
        dest.append(json_escape, json_escape + sizeof json_escape);
      } else {
        dest.append(text_escape, text_escape + sizeof text_escape);
      }
    } else {
      dest.push_back(c);
    }
  }
}

// %* in a pattern: the message escaped as escape_log_text() does.
template <config::LogFormat kFormat>
class EscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    append_escaped(std::string_view(msg.payload.data(), msg.payload.size()), kFormat, dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

}  // namespace

std::string escape_log_text(std::string_view text, config::LogFormat format) {
  std::string out;
  out.reserve(text.size());
  append_escaped(text, format, out);
  return out;
}

void setup_logging(const config::LoggingConfig& cfg) {
  auto logger = spdlog::get("mysql-proxy");
  if (!logger) logger = spdlog::stderr_logger_mt("mysql-proxy");
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (cfg.format == config::LogFormat::kJson) {
    formatter->add_flag<EscapedMessage<config::LogFormat::kJson>>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","thread":%t,"msg":"%*"})");
  } else {
    formatter->add_flag<EscapedMessage<config::LogFormat::kText>>('*').set_pattern(
        "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [t%t] %*");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(cfg.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace mysqlproxy::proxy
