#include "protocol/ok_err.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/hex.hpp"
#include "tests/support/packets.hpp"

namespace mysqlproxy::protocol {

// Readable failure output (found by ADL, so outside the anonymous namespace; defined only here).
void PrintTo(const OkPacket& v, std::ostream* os) {
  *os << "OK{header=" << int{v.header} << " affected=" << v.affected_rows << " id=" << v.last_insert_id
      << " status=" << v.status << " warnings=" << v.warnings << " info=[" << test::to_hex(v.info) << "] state=["
      << test::to_hex(v.session_state_changes) << "]}";
}
void PrintTo(const ErrPacket& v, std::ostream* os) {
  *os << "ERR{" << v.code << " '" << v.sql_state << "' '" << v.message << "'}";
}

namespace {

using test::hex;
using test::split_frames;
using test::testdata_hex;
using test::to_hex;
using namespace std::string_view_literals;

// What our capture client negotiated with mariadbd (see testdata/*.hex).
constexpr Capabilities kCaptureCaps{kClientProtocol41 | kClientTransactions | kClientSecureConnection |
                                    kClientPluginAuth | kClientSessionTrack};
constexpr Capabilities kCaptureCapsDeprecateEof = kCaptureCaps.with(kClientDeprecateEof);
constexpr Capabilities kPlain41{kClientProtocol41 | kClientTransactions};

std::vector<std::uint8_t> captured(const char* file, std::size_t index = 0) {
  return split_frames(testdata_hex(file)).at(index);
}

// ---------------------------------------------------------------- OK

struct OkRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  Capabilities caps;
  OkPacket expected;
  std::size_t min_size;       // shorter prefixes are kTruncated
  bool rejects_extra_bytes;   // false where a trailing byte is (part of) the info string
};

class Ok : public ::testing::TestWithParam<OkRow> {};

TEST_P(Ok, Decodes) {
  auto v = decode_ok(GetParam().bytes, GetParam().caps);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
}

TEST_P(Ok, EncodesToTheSameBytes) {
  std::vector<std::uint8_t> out;
  encode_ok(GetParam().expected, GetParam().caps, out);
  EXPECT_EQ(to_hex(out), to_hex(GetParam().bytes));
}

TEST_P(Ok, PrefixesAreTruncated) {
  const auto& bytes = GetParam().bytes;
  for (std::size_t n = 0; n < GetParam().min_size; ++n) {
    auto v = decode_ok(std::span(bytes.data(), n), GetParam().caps);
    ASSERT_FALSE(v) << "prefix " << n;
    EXPECT_EQ(v.error(), ProtocolErrc::kTruncated) << "prefix " << n;
  }
}

// A trailing 0x00 is kExtraBytes after the last field, or else becomes (part of) the info string.
TEST_P(Ok, TrailingByte) {
  auto bytes = GetParam().bytes;
  bytes.push_back(0x00);
  auto v = decode_ok(bytes, GetParam().caps);
  if (GetParam().rejects_extra_bytes) {
    EXPECT_EQ(v.error(), ProtocolErrc::kExtraBytes);
  } else {
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(v->affected_rows, GetParam().expected.affected_rows);
  }
}

OkPacket ok(std::uint64_t affected, std::uint64_t id, std::uint16_t status, std::uint16_t warnings,
            std::string_view info = {}, std::string_view state = {}, std::uint8_t header = 0x00) {
  return OkPacket{header, affected, id, status, warnings, info, state};
}

constexpr std::string_view kGtidAutocommitState =
    "\x00\x0e\x0a" "autocommit" "\x02" "ON"
    "\x00\x10\x09" "last_gtid" "\x05" "0-1-8"
    "\x02\x01" "1"
    "\x05\x09\x08" "________"sv;

INSTANTIATE_TEST_SUITE_P(
    Rows, Ok,
    ::testing::Values(
        OkRow{"login_ok_captured", captured("login_ok.hex"), kCaptureCaps, ok(0, 0, kServerStatusAutocommit, 0), 7, false},
        OkRow{"last_gtid_and_autocommit_captured", captured("ok_last_gtid_autocommit.hex"), kCaptureCaps,
              ok(0, 0, kServerStatusAutocommit | kServerSessionStateChanged, 0, "", kGtidAutocommitState), 57, true},
        OkRow{"autocommit_off_captured", captured("ok_autocommit_off.hex"), kCaptureCaps,
              ok(0, 0, kServerSessionStateChanged, 0, "",
                 "\x00\x0f\x0a" "autocommit" "\x03" "OFF" "\x02\x01" "1"sv),
              29, true},
        OkRow{"insert_in_transaction_captured", captured("ok_insert_in_trx.hex"), kCaptureCaps,
              ok(1, 2, kServerStatusInTrans | kServerSessionStateChanged, 0, "", "\x05\x09\x08" "I___W___"), 20, true},
        OkRow{"use_schema_captured", captured("ok_use_schema.hex"), kCaptureCaps,
              ok(0, 0, kServerStatusAutocommit | kServerSessionStateChanged, 0, "",
                 "\x01\x06\x05" "capdb" "\x02\x01" "1"),
              20, true},
        OkRow{"resultset_end_deprecate_eof_captured", captured("resultset_text_deprecate_eof.hex", 5),
              kCaptureCapsDeprecateEof, ok(0, 0, 0x0022, 0, {}, {}, 0xfe), 7, false},
        OkRow{"info_without_session_track", hex(R"(
                  00 01 00 02 00 00 00
                  52 6f 77 73 20 6d 61 74 63 68 65 64 3a 20 31)"),  // "Rows matched: 1"
              kPlain41, ok(1, 0, kServerStatusAutocommit, 0, "Rows matched: 1"), 7, false},
        OkRow{"info_with_session_track", hex("00 01 00 02 00 01 00  05 68 65 6c 6c 6f"),
              kPlain41.with(kClientSessionTrack), ok(1, 0, kServerStatusAutocommit, 1, "hello"), 7, true},
        OkRow{"large_lenenc_counts", hex("00 fc e8 03 fd 40 42 0f 03 00 02 00"), kPlain41,
              ok(1000, 1000000, kServerStatusInTrans | kServerStatusAutocommit, 2), 12, false},
        OkRow{"transactions_without_protocol41", hex("00 00 00 02 00"), Capabilities{kClientTransactions},
              ok(0, 0, kServerStatusAutocommit, 0), 5, false},
        OkRow{"pre41", hex("00 03 00"), Capabilities{}, ok(3, 0, 0, 0), 3, false}),
    [](const auto& info) { return info.param.name; });

TEST(Ok, WrongHeaderIsUnexpected) {
  EXPECT_EQ(decode_ok(hex("ff 15 04"), kCaptureCaps).error(), ProtocolErrc::kUnexpectedPacket);
  EXPECT_EQ(decode_ok(hex("01 00 00"), kCaptureCaps).error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(Ok, StateChangedFlagWithoutTheStateIsTruncated) {
  EXPECT_EQ(decode_ok(hex("00 00 00 00 40 00 00"), kCaptureCaps).error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_ok(hex("00 00 00 00 40 00 00 00"), kCaptureCaps).error(), ProtocolErrc::kTruncated);
}

TEST(Ok, ChangeUserOkCarriesTheSchema) {
  const auto payload = captured("change_user_ok.hex");
  auto v = decode_ok(payload, kCaptureCaps);
  ASSERT_TRUE(v);
  auto changes = decode_session_state_changes(v->session_state_changes);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].type, kSessionTrackSchema);
  EXPECT_EQ(decode_session_track_schema((*changes)[0].data).value(), "capdb");
}

// ---------------------------------------------------------------- session state

TEST(SessionState, LastGtidAndAutocommitFromMariaDb) {
  // SET autocommit=1 after an INSERT in an implicit transaction: it commits (new last_gtid) and
  // flips autocommit, with session_track_system_variables='autocommit,last_gtid'.
  const auto payload = captured("ok_last_gtid_autocommit.hex");
  auto okp = decode_ok(payload, kCaptureCaps);
  ASSERT_TRUE(okp);
  auto changes = decode_session_state_changes(okp->session_state_changes);
  ASSERT_TRUE(changes) << changes.error().message();
  ASSERT_EQ(changes->size(), 4u);

  EXPECT_EQ((*changes)[0].type, kSessionTrackSystemVariables);
  EXPECT_EQ(decode_session_track_system_variable((*changes)[0].data).value(),
            (SystemVariableChange{"autocommit", "ON"}));
  EXPECT_EQ((*changes)[1].type, kSessionTrackSystemVariables);
  EXPECT_EQ(decode_session_track_system_variable((*changes)[1].data).value(),
            (SystemVariableChange{"last_gtid", "0-1-8"}));
  EXPECT_EQ((*changes)[2].type, kSessionTrackStateChange);
  EXPECT_TRUE(decode_session_track_state_change((*changes)[2].data).value());
  EXPECT_EQ((*changes)[3].type, kSessionTrackTransactionState);
  EXPECT_EQ(decode_session_track_transaction_state((*changes)[3].data).value(), "________");

  std::vector<std::uint8_t> out;
  encode_session_state_changes(*changes, out);
  EXPECT_EQ(to_hex(out), to_hex(okp->session_state_changes));
}

TEST(SessionState, TrackingSetupAndTransactionState) {
  const auto payload = captured("ok_set_tracking.hex");
  auto okp = decode_ok(payload, kCaptureCaps);
  ASSERT_TRUE(okp);
  auto changes = decode_session_state_changes(okp->session_state_changes);
  ASSERT_TRUE(changes);
  EXPECT_EQ(*changes, (std::vector<SessionStateChange>{{kSessionTrackStateChange, "1"},
                                                        {kSessionTrackTransactionState, "\x08________"}}));
  const auto in_trx_payload = captured("ok_insert_in_trx.hex");
  auto in_trx = decode_ok(in_trx_payload, kCaptureCaps);
  ASSERT_TRUE(in_trx);
  auto trx = decode_session_state_changes(in_trx->session_state_changes);
  ASSERT_TRUE(trx);
  ASSERT_EQ(trx->size(), 1u);
  EXPECT_EQ(decode_session_track_transaction_state((*trx)[0].data).value(), "I___W___");
}

TEST(SessionState, MysqlGtidsAndCharacteristics) {
  const std::string gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5";
  std::string state = mysqlproxy::test::own_gtid_session_state(gtid);
  state += "\x04\x1b\x1aSET TRANSACTION READ ONLY;";
  auto changes = decode_session_state_changes(state);
  ASSERT_TRUE(changes) << changes.error().message();
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].type, kSessionTrackGtids);
  EXPECT_EQ(decode_session_track_gtids((*changes)[0].data).value(), (GtidsChange{0, gtid}));
  EXPECT_EQ((*changes)[1].type, kSessionTrackTransactionCharacteristics);
  EXPECT_EQ(decode_session_track_transaction_state((*changes)[1].data).value(), "SET TRANSACTION READ ONLY;");
}

TEST(SessionState, Errors) {
  EXPECT_EQ(decode_session_state_changes("\x00\x05\x01" "a"sv).error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_session_state_changes("\x00"sv).error(), ProtocolErrc::kTruncated);
  EXPECT_TRUE(decode_session_state_changes("").value().empty());
  EXPECT_EQ(decode_session_track_system_variable("\x01" "a").error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_session_track_system_variable("\x01" "a\x01" "bc").error(), ProtocolErrc::kExtraBytes);
  EXPECT_EQ(decode_session_track_schema("\x03" "ab").error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_session_track_schema("\x01" "ab").error(), ProtocolErrc::kExtraBytes);
  EXPECT_EQ(decode_session_track_gtids("\x00"sv).error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_session_track_state_change("").error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(decode_session_track_state_change("11").error(), ProtocolErrc::kExtraBytes);
  EXPECT_EQ(decode_session_track_state_change("x").error(), ProtocolErrc::kMalformed);
  EXPECT_FALSE(decode_session_track_state_change("0").value());
}

// ---------------------------------------------------------------- ERR

struct ErrRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  Capabilities caps;
  ErrPacket expected;
};

class Err : public ::testing::TestWithParam<ErrRow> {};

TEST_P(Err, Decodes) {
  auto v = decode_err(GetParam().bytes, GetParam().caps);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
}

TEST_P(Err, EncodesToTheSameBytes) {
  std::vector<std::uint8_t> out;
  encode_err(GetParam().expected, GetParam().caps, out);
  EXPECT_EQ(to_hex(out), to_hex(GetParam().bytes));
}

// The header and code are required; so is a whole SQL state once its '#' is there.
TEST_P(Err, PrefixesAreTruncated) {
  const auto& bytes = GetParam().bytes;
  const std::size_t state_end = GetParam().expected.sql_state.empty() ? 3 : 9;
  for (std::size_t n = 0; n < state_end; ++n) {
    if (n == 3) continue;  // header + code alone is a valid (state-less) ERR
    auto v = decode_err(std::span(bytes.data(), n), GetParam().caps);
    ASSERT_FALSE(v) << "prefix " << n;
    EXPECT_EQ(v.error(), ProtocolErrc::kTruncated) << "prefix " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Err,
    ::testing::Values(
        ErrRow{"access_denied_captured", captured("err_access_denied.hex"), kCaptureCaps,
               ErrPacket{1045, "28000", "Access denied for user 'cap'@'localhost' (using password: YES)"}},
        ErrRow{"no_such_table_captured", captured("err_no_table.hex"), kCaptureCaps,
               ErrPacket{1146, "42S02", "Table 'capdb.nosuchtable' doesn't exist"}},
        ErrRow{"before_handshake_without_state", hex("ff 10 04 54 6f 6f 20 6d 61 6e 79 20 63 6f 6e 6e 65 63 74 69 6f 6e 73"),
               kCaptureCaps, ErrPacket{1040, "", "Too many connections"}},
        ErrRow{"pre41", hex("ff 15 04 23 41 63 63 65 73 73"), Capabilities{}, ErrPacket{1045, "", "#Access"}},
        ErrRow{"empty_message", hex("ff 28 04 23 48 59 30 30 30"), kPlain41, ErrPacket{1064, "HY000", ""}}),
    [](const auto& info) { return info.param.name; });

TEST(Err, WrongHeaderIsUnexpected) {
  EXPECT_EQ(decode_err(hex("00 00 00 02 00 00 00"), kCaptureCaps).error(), ProtocolErrc::kUnexpectedPacket);
}

TEST(Err, MakeErrPayload) {
  EXPECT_EQ(to_hex(make_err_payload(1045, "28000", "Access denied")),
            to_hex(hex("ff 15 04 23 32 38 30 30 30 41 63 63 65 73 73 20 64 65 6e 69 65 64")));
  EXPECT_EQ(to_hex(make_err_payload(1105, "", "x")), to_hex(hex("ff 51 04 23 48 59 30 30 30 78")));
  const auto payload = make_err_payload(2013, "HY000", "Lost connection");
  auto v = decode_err(payload, kCaptureCaps);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (ErrPacket{2013, "HY000", "Lost connection"}));
}

// ---------------------------------------------------------------- EOF

struct EofRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  Capabilities caps;
  EofPacket expected;
};

class Eof : public ::testing::TestWithParam<EofRow> {};

TEST_P(Eof, DecodesEncodesAndChecksLength) {
  const auto& bytes = GetParam().bytes;
  auto v = decode_eof(bytes, GetParam().caps);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
  std::vector<std::uint8_t> out;
  encode_eof(GetParam().expected, GetParam().caps, out);
  EXPECT_EQ(to_hex(out), to_hex(bytes));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(decode_eof(std::span(bytes.data(), n), GetParam().caps).error(), ProtocolErrc::kTruncated) << n;
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(decode_eof(longer, GetParam().caps).error(), ProtocolErrc::kExtraBytes);
  EXPECT_TRUE(is_eof_packet(bytes, bytes.size(), GetParam().caps));
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Eof,
    ::testing::Values(EofRow{"after_columns_captured", captured("resultset_text.hex", 5), kCaptureCaps,
                             EofPacket{0, 0x0022}},
                      EofRow{"with_warnings", hex("fe 02 00 0a 00"), kPlain41,
                             EofPacket{2, kServerStatusAutocommit | kServerMoreResultsExists}},
                      EofRow{"pre41", hex("fe"), Capabilities{}, EofPacket{}}),
    [](const auto& info) { return info.param.name; });

TEST(Eof, WrongHeaderIsUnexpected) {
  EXPECT_EQ(decode_eof(hex("00 00 00 02 00"), kPlain41).error(), ProtocolErrc::kUnexpectedPacket);
}

struct IsEofRow {
  std::string name;
  std::vector<std::uint8_t> head;
  std::size_t size;
  Capabilities caps;
  bool expected;
};

class IsEof : public ::testing::TestWithParam<IsEofRow> {};

TEST_P(IsEof, Classifies) {
  EXPECT_EQ(is_eof_packet(GetParam().head, GetParam().size, GetParam().caps), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, IsEof,
    ::testing::Values(
        IsEofRow{"eof41", hex("fe 00 00 02 00"), 5, kPlain41, true},
        IsEofRow{"eof_8_bytes", hex("fe 00 00 02 00 00 00 00"), 8, kPlain41, true},
        // A text row whose first value has an 8-byte length: at least 9 bytes.
        IsEofRow{"row_9_bytes", hex("fe 00 00 00 00 00 00 00 00"), 9, kPlain41, false},
        IsEofRow{"row_streamed", hex("fe 00 00 00 01"), 0x1000009, kPlain41, false},
        IsEofRow{"ok_terminator", hex("fe 00 00 22 00 00 00"), 7, kPlain41.with(kClientDeprecateEof), true},
        IsEofRow{"ok_terminator_with_long_info", hex("fe 00 00 02 00 00 00"), 0xfffffe,
                 kPlain41.with(kClientDeprecateEof), true},
        IsEofRow{"row_of_a_full_frame", hex("fe 00 00 00 01"), 0xffffff, kPlain41.with(kClientDeprecateEof), false},
        IsEofRow{"ok_header", hex("00 00 00 02 00"), 5, kPlain41, false},
        IsEofRow{"err_header", hex("ff 15 04"), 3, kPlain41, false},
        IsEofRow{"empty", {}, 0, kPlain41, false}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace mysqlproxy::protocol
