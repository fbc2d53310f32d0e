// escape_log_text: what a client chose cannot forge a log line or break a JSON one.
#include "proxy/logging.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/json.hpp>

namespace mysqlproxy::proxy {
namespace {

using config::LogFormat;

TEST(LogEscaping, TextEscapesControlCharactersAndBackslashes) {
  EXPECT_EQ(escape_log_text("user 'app' logged in", LogFormat::kText), "user 'app' logged in");
  EXPECT_EQ(escape_log_text("a\nb\rc\td", LogFormat::kText), "a\\x0ab\\x0dc\\x09d");
  EXPECT_EQ(escape_log_text(std::string("nul\0esc\x1b[31mdel\x7f", 16), LogFormat::kText),
            "nul\\x00esc\\x1b[31mdel\\x7f");
  // Without escaping the backslash, a name spelled "x\x0ay" would read like an escaped newline.
  EXPECT_EQ(escape_log_text("x\\x0ay", LogFormat::kText), "x\\\\x0ay");
  EXPECT_EQ(escape_log_text("caf\xc3\xa9 \"q\"", LogFormat::kText), "caf\xc3\xa9 \"q\"") << "UTF-8 and quotes stay";
}

TEST(LogEscaping, JsonEscapesQuotesBackslashesAndControlCharacters) {
  const std::string name = "evil\"}\n{\"level\":\"critical\x7f\\";
  const std::string escaped = escape_log_text(name, LogFormat::kJson);
  EXPECT_EQ(escaped, "evil\\\"}\\u000a{\\\"level\\\":\\\"critical\\u007f\\\\");
  // And it parses back to the name.
  const auto parsed = boost::json::parse("{\"msg\":\"" + escaped + "\"}");
  EXPECT_EQ(parsed.at("msg").as_string(), name);
}

}  // namespace
}  // namespace mysqlproxy::proxy
