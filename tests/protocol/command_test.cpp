#include "protocol/command.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::split_frames;
using test::testdata_hex;
using test::to_hex;

// ---------------------------------------------------------------- command_of

struct CommandOfRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  Command expected;
};

class CommandOf : public ::testing::TestWithParam<CommandOfRow> {};

TEST_P(CommandOf, ReadsTheFirstByte) { EXPECT_EQ(command_of(GetParam().bytes), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(Rows, CommandOf,
                         ::testing::Values(CommandOfRow{"empty_is_sleep", {}, Command::kSleep},
                                           CommandOfRow{"sleep", hex("00"), Command::kSleep},
                                           CommandOfRow{"query", hex("03 53 45 4c"), Command::kQuery},
                                           CommandOfRow{"ping", hex("0e"), Command::kPing},
                                           CommandOfRow{"change_user", hex("11 61 00"), Command::kChangeUser},
                                           CommandOfRow{"stmt_execute", hex("17 01 00 00 00"), Command::kStmtExecute},
                                           CommandOfRow{"reset_connection", hex("1f"), Command::kResetConnection}),
                         [](const auto& info) { return info.param.name; });

// ---------------------------------------------------------------- text commands

TEST(ComQuery, RoundTrip) {
  const auto bytes = hex("03 53 45 4c 45 43 54 20 31");
  EXPECT_EQ(decode_com_query(bytes).value(), "SELECT 1");
  std::vector<std::uint8_t> out;
  encode_com_query("SELECT 1", out);
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(decode_com_query(hex("03")).value(), "");
  EXPECT_EQ(decode_com_query({}).error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_com_query(hex("16 53")).error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(ComQuery, BinarySafe) {
  const std::string sql("SELECT '\0\xff'", 12);
  std::vector<std::uint8_t> out;
  encode_com_query(sql, out);
  EXPECT_EQ(decode_com_query(out).value(), sql);
}

TEST(ComInitDb, RoundTrip) {
  const auto bytes = hex("02 63 61 70 64 62");
  EXPECT_EQ(decode_com_init_db(bytes).value(), "capdb");
  std::vector<std::uint8_t> out;
  encode_com_init_db("capdb", out);
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(decode_com_init_db({}).error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_com_init_db(hex("03 61")).error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(ComStmtPrepare, RoundTrip) {
  const auto bytes = hex("16 53 45 4c 45 43 54 20 3f");
  std::vector<std::uint8_t> out;
  encode_com_stmt_prepare("SELECT ?", out);
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(decode_com_stmt_prepare(bytes).value(), "SELECT ?");
  EXPECT_EQ(decode_com_stmt_prepare(hex("03 61")).error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(SimpleCommand, OneByte) {
  for (Command c : {Command::kPing, Command::kQuit, Command::kStatistics, Command::kResetConnection, Command::kDebug}) {
    std::vector<std::uint8_t> out;
    encode_simple_command(c, out);
    EXPECT_EQ(out, std::vector<std::uint8_t>{static_cast<std::uint8_t>(c)});
    EXPECT_EQ(command_of(out), c);
  }
}

// ---------------------------------------------------------------- COM_CHANGE_USER

struct ChangeUserRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  Capabilities caps;
  ComChangeUser expected;
};

constexpr Capabilities kModernCaps{kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                                   kClientConnectAttrs | kClientPluginAuthLenencClientData};

// Command byte, username, auth response: the fields every COM_CHANGE_USER has.
std::size_t min_change_user_size(const ComChangeUser& v) {
  return 1 + v.username.size() + 1 + v.auth_response.size() + 1;  // + length byte or NUL
}

class ChangeUser : public ::testing::TestWithParam<ChangeUserRow> {};

TEST_P(ChangeUser, Decodes) {
  auto v = decode_com_change_user(GetParam().bytes, GetParam().caps);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
}

TEST_P(ChangeUser, EncodesToTheSameBytes) {
  std::vector<std::uint8_t> out;
  encode_com_change_user(GetParam().expected, GetParam().caps, out);
  EXPECT_EQ(to_hex(out), to_hex(GetParam().bytes));
}

TEST_P(ChangeUser, PrefixesShorterThanTheRequiredFieldsAreTruncated) {
  const auto& bytes = GetParam().bytes;
  for (std::size_t n = 0; n < min_change_user_size(GetParam().expected); ++n) {
    auto v = decode_com_change_user(std::span(bytes.data(), n), GetParam().caps);
    ASSERT_FALSE(v) << "prefix " << n;
    EXPECT_EQ(v.error(), ProtocolErrc::kTruncated) << "prefix " << n;
  }
}

ComChangeUser captured_change_user() {
  ComChangeUser v;
  v.username = "cap";
  v.database = "capdb";
  v.character_set = 45;
  v.auth_plugin_name = "mysql_native_password";
  return v;
}

ComChangeUser modern_change_user() {
  ComChangeUser v;
  v.username = "app";
  v.auth_response = "0123456789abcdefghij";
  v.database = "shop";
  v.character_set = 255;
  v.auth_plugin_name = "mysql_native_password";
  v.attributes = {{"_os", "Linux"}};
  return v;
}

ComChangeUser no_plugin_change_user() {
  ComChangeUser v;
  v.username = "bob";
  v.database = "db";
  v.character_set = 33;
  return v;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ChangeUser,
    ::testing::Values(
        // Sent by the capture script; mariadbd answered with an AuthSwitchRequest (change_user_reply.hex).
        ChangeUserRow{"captured", split_frames(testdata_hex("change_user_request.hex")).at(0),
                      Capabilities{kClientProtocol41 | kClientSecureConnection | kClientPluginAuth},
                      captured_change_user()},
        ChangeUserRow{"with_attributes", hex(R"(
            11 61 70 70 00                                     // "app"
            14 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 67 68 69 6a
            73 68 6f 70 00  ff 00                              // "shop", utf8mb4
            6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
            0a 03 5f 6f 73 05 4c 69 6e 75 78)"),
                      kModernCaps, modern_change_user()},
        ChangeUserRow{"no_plugin_auth", hex("11 62 6f 62 00 00 64 62 00 21 00"),
                      Capabilities{kClientProtocol41 | kClientSecureConnection}, no_plugin_change_user()}),
    [](const auto& info) { return info.param.name; });

TEST(ChangeUser, OldClientStopsAfterTheDatabase) {
  // No SECURE_CONNECTION: NUL-terminated auth response; nothing after the database.
  const auto bytes = hex("11 75 00 70 77 00 64 62 00");
  auto v = decode_com_change_user(bytes, Capabilities{kClientProtocol41});
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->username, "u");
  EXPECT_EQ(v->auth_response, "pw");
  EXPECT_EQ(v->database, "db");
  EXPECT_EQ(v->character_set, 0);
}

TEST(ChangeUser, PluginAnnouncedButAbsent) {
  const auto bytes = hex("11 62 6f 62 00 00 64 62 00 21 00");
  auto v = decode_com_change_user(bytes, kModernCaps);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, no_plugin_change_user());
}

TEST(ChangeUser, Errors) {
  EXPECT_EQ(decode_com_change_user(hex("03 61 00"), kModernCaps).error(), ProtocolErrc::kUnexpectedPacket);
  // One stray byte where the 2-byte character set should be.
  EXPECT_EQ(decode_com_change_user(hex("11 62 00 00 64 00 21"), kModernCaps).error(), ProtocolErrc::kTruncated);
  std::vector<std::uint8_t> bytes;
  encode_com_change_user(modern_change_user(), kModernCaps, bytes);
  bytes.push_back(0);
  EXPECT_EQ(decode_com_change_user(bytes, kModernCaps).error(), ProtocolErrc::kExtraBytes);
}

// ---------------------------------------------------------------- statement ids

TEST(StatementId, DecodesForEveryStatementCommand) {
  for (std::uint8_t c : {0x17, 0x18, 0x19, 0x1a, 0x1c}) {
    std::vector<std::uint8_t> bytes{c, 0x78, 0x56, 0x34, 0x12, 0x00, 0x01};
    auto id = decode_statement_id(bytes);
    ASSERT_TRUE(id) << int{c};
    EXPECT_EQ(*id, 0x12345678u);
    for (std::size_t n = 0; n < 5; ++n) {
      EXPECT_EQ(decode_statement_id(std::span(bytes.data(), n)).error(), ProtocolErrc::kTruncated) << n;
    }
  }
  EXPECT_EQ(decode_statement_id(hex("16 01 00 00 00")).error(), ProtocolErrc::kUnexpectedPacket);
  EXPECT_EQ(decode_statement_id(hex("03 01 00 00 00")).error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(StatementId, RewriteInPlace) {
  auto bytes = hex("17 01 00 00 00 00 01 00 00 00");
  rewrite_statement_id(bytes, 0xa1b2c3d4);
  EXPECT_EQ(to_hex(bytes), "17 d4 c3 b2 a1 00 01 00 00 00");
  EXPECT_EQ(decode_statement_id(bytes).value(), 0xa1b2c3d4u);
  auto short_bytes = hex("19 01 00");
  rewrite_statement_id(short_bytes, 7);  // too short: left alone
  EXPECT_EQ(to_hex(short_bytes), "19 01 00");
}

TEST(StatementCommands, Encode) {
  std::vector<std::uint8_t> out;
  encode_com_stmt_close(0x01020304, out);
  EXPECT_EQ(to_hex(out), "19 04 03 02 01");
  out.clear();
  encode_com_stmt_reset(1, out);
  EXPECT_EQ(to_hex(out), "1a 01 00 00 00");
}

struct ExecuteRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  ComStmtExecuteHeader expected;
};

class StmtExecute : public ::testing::TestWithParam<ExecuteRow> {};

TEST_P(StmtExecute, DecodesTheHeadAndLeavesTheParameters) {
  const auto& bytes = GetParam().bytes;
  auto v = decode_com_stmt_execute_header(bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
  for (std::size_t n = 0; n < 10; ++n) {
    EXPECT_EQ(decode_com_stmt_execute_header(std::span(bytes.data(), n)).error(), ProtocolErrc::kTruncated) << n;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, StmtExecute,
    ::testing::Values(ExecuteRow{"no_params", hex("17 01 00 00 00 00 01 00 00 00"), {1, kCursorTypeNoCursor, 1}},
                      // One LONG parameter = 3: null bitmap, new-params-bound, type, value.
                      ExecuteRow{"one_param", hex("17 02 00 00 00 00 01 00 00 00  00 01 03 00 03 00 00 00"),
                                 {2, kCursorTypeNoCursor, 1}},
                      ExecuteRow{"read_only_cursor", hex("17 05 00 00 00 01 01 00 00 00"),
                                 {5, kCursorTypeReadOnly, 1}}),
    [](const auto& info) { return info.param.name; });

TEST(StmtExecute, WrongCommand) {
  EXPECT_EQ(decode_com_stmt_execute_header(hex("1c 01 00 00 00 00 01 00 00 00")).error(),
            ProtocolErrc::kUnexpectedPacket);
}

TEST(StmtFetch, RoundTripPrefixesAndExtraBytes) {
  const auto bytes = hex("1c 07 00 00 00 0a 00 00 00");
  const ComStmtFetch expected{7, 10};
  EXPECT_EQ(decode_com_stmt_fetch(bytes).value(), expected);
  std::vector<std::uint8_t> out;
  encode_com_stmt_fetch(expected, out);
  EXPECT_EQ(out, bytes);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(decode_com_stmt_fetch(std::span(bytes.data(), n)).error(), ProtocolErrc::kTruncated) << n;
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(decode_com_stmt_fetch(longer).error(), ProtocolErrc::kExtraBytes);
  EXPECT_EQ(decode_com_stmt_fetch(hex("17 07 00 00 00 0a 00 00 00")).error(), ProtocolErrc::kUnexpectedPacket);
}

// ---------------------------------------------------------------- COM_SET_OPTION, COM_FIELD_LIST

TEST(SetOption, RoundTripPrefixesAndExtraBytes) {
  for (std::uint16_t option : {kMysqlOptionMultiStatementsOn, kMysqlOptionMultiStatementsOff}) {
    std::vector<std::uint8_t> bytes;
    encode_com_set_option(option, bytes);
    EXPECT_EQ(to_hex(bytes), option == 0 ? "1b 00 00" : "1b 01 00");
    EXPECT_EQ(decode_com_set_option(bytes).value(), option);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_EQ(decode_com_set_option(std::span(bytes.data(), n)).error(), ProtocolErrc::kTruncated) << n;
    }
    bytes.push_back(0);
    EXPECT_EQ(decode_com_set_option(bytes).error(), ProtocolErrc::kExtraBytes);
  }
  EXPECT_EQ(decode_com_set_option(hex("1a 00 00")).error(), ProtocolErrc::kUnexpectedPacket);
}

struct FieldListRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  ComFieldList expected;
};

class FieldList : public ::testing::TestWithParam<FieldListRow> {};

TEST_P(FieldList, RoundTripAndPrefixes) {
  const auto& bytes = GetParam().bytes;
  auto v = decode_com_field_list(bytes);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
  std::vector<std::uint8_t> out;
  encode_com_field_list(GetParam().expected, out);
  EXPECT_EQ(to_hex(out), to_hex(bytes));
  const std::size_t min_size = 1 + GetParam().expected.table.size() + 1;
  for (std::size_t n = 0; n < min_size; ++n) {
    EXPECT_EQ(decode_com_field_list(std::span(bytes.data(), n)).error(), ProtocolErrc::kTruncated) << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, FieldList,
                         ::testing::Values(
                             // The request whose reply is testdata/field_list_reply.hex.
                             FieldListRow{"table_only", hex("04 74 00"), {"t", ""}},
                             FieldListRow{"with_wildcard", hex("04 75 73 65 72 73 00 69 25"), {"users", "i%"}}),
                         [](const auto& info) { return info.param.name; });

TEST(FieldList, WrongCommand) {
  EXPECT_EQ(decode_com_field_list(hex("03 74 00")).error(), ProtocolErrc::kUnexpectedPacket);
}

}  // namespace
}  // namespace mysqlproxy::protocol
