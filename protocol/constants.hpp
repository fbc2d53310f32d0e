#pragma once
// Numbers of the MySQL client/server protocol: command bytes, capability and status bits,
// packet markers. Names follow the MySQL source (CLIENT_*, SERVER_*, COM_*).
#include <cstddef>
#include <cstdint>

namespace mysqlproxy::protocol {

// ---- command bytes (first payload byte of a client command) ----
enum class Command : std::uint8_t {
  kSleep = 0x00, kQuit = 0x01, kInitDb = 0x02, kQuery = 0x03, kFieldList = 0x04,
  kCreateDb = 0x05, kDropDb = 0x06, kRefresh = 0x07, kShutdown = 0x08, kStatistics = 0x09,
  kProcessInfo = 0x0a, kConnect = 0x0b, kProcessKill = 0x0c, kDebug = 0x0d, kPing = 0x0e,
  kTime = 0x0f, kDelayedInsert = 0x10, kChangeUser = 0x11, kBinlogDump = 0x12,
  kTableDump = 0x13, kConnectOut = 0x14, kRegisterSlave = 0x15, kStmtPrepare = 0x16,
  kStmtExecute = 0x17, kStmtSendLongData = 0x18, kStmtClose = 0x19, kStmtReset = 0x1a,
  kSetOption = 0x1b, kStmtFetch = 0x1c, kDaemon = 0x1d, kBinlogDumpGtid = 0x1e,
  kResetConnection = 0x1f,
};

// ---- capability flags ----
inline constexpr std::uint32_t kClientLongPassword = 1u << 0;  // also CLIENT_MYSQL for MariaDB
inline constexpr std::uint32_t kClientFoundRows = 1u << 1;
inline constexpr std::uint32_t kClientLongFlag = 1u << 2;
inline constexpr std::uint32_t kClientConnectWithDb = 1u << 3;
inline constexpr std::uint32_t kClientNoSchema = 1u << 4;
inline constexpr std::uint32_t kClientCompress = 1u << 5;
inline constexpr std::uint32_t kClientOdbc = 1u << 6;
inline constexpr std::uint32_t kClientLocalFiles = 1u << 7;
inline constexpr std::uint32_t kClientIgnoreSpace = 1u << 8;
inline constexpr std::uint32_t kClientProtocol41 = 1u << 9;
inline constexpr std::uint32_t kClientInteractive = 1u << 10;
inline constexpr std::uint32_t kClientSsl = 1u << 11;
inline constexpr std::uint32_t kClientIgnoreSigpipe = 1u << 12;
inline constexpr std::uint32_t kClientTransactions = 1u << 13;
inline constexpr std::uint32_t kClientReserved = 1u << 14;
inline constexpr std::uint32_t kClientSecureConnection = 1u << 15;
inline constexpr std::uint32_t kClientMultiStatements = 1u << 16;
inline constexpr std::uint32_t kClientMultiResults = 1u << 17;
inline constexpr std::uint32_t kClientPsMultiResults = 1u << 18;
inline constexpr std::uint32_t kClientPluginAuth = 1u << 19;
inline constexpr std::uint32_t kClientConnectAttrs = 1u << 20;
inline constexpr std::uint32_t kClientPluginAuthLenencClientData = 1u << 21;
inline constexpr std::uint32_t kClientCanHandleExpiredPasswords = 1u << 22;
inline constexpr std::uint32_t kClientSessionTrack = 1u << 23;
inline constexpr std::uint32_t kClientDeprecateEof = 1u << 24;
inline constexpr std::uint32_t kClientOptionalResultsetMetadata = 1u << 25;
// MySQL 8.0.18+: zstd for the compressed protocol; the handshake response then ends with a level byte.
inline constexpr std::uint32_t kClientZstdCompressionAlgorithm = 1u << 26;
inline constexpr std::uint32_t kClientQueryAttributes = 1u << 27;

// ---- server status flags (OK / EOF packets) ----
inline constexpr std::uint16_t kServerStatusInTrans = 0x0001;
inline constexpr std::uint16_t kServerStatusAutocommit = 0x0002;
inline constexpr std::uint16_t kServerMoreResultsExists = 0x0008;
inline constexpr std::uint16_t kServerQueryNoGoodIndexUsed = 0x0010;
inline constexpr std::uint16_t kServerQueryNoIndexUsed = 0x0020;
inline constexpr std::uint16_t kServerStatusCursorExists = 0x0040;
inline constexpr std::uint16_t kServerStatusLastRowSent = 0x0080;
inline constexpr std::uint16_t kServerStatusDbDropped = 0x0100;
inline constexpr std::uint16_t kServerStatusNoBackslashEscapes = 0x0200;
inline constexpr std::uint16_t kServerStatusMetadataChanged = 0x0400;
inline constexpr std::uint16_t kServerQueryWasSlow = 0x0800;
inline constexpr std::uint16_t kServerPsOutParams = 0x1000;
inline constexpr std::uint16_t kServerStatusInTransReadonly = 0x2000;
inline constexpr std::uint16_t kServerSessionStateChanged = 0x4000;

// ---- first-byte markers of server packets ----
inline constexpr std::uint8_t kOkHeader = 0x00;
inline constexpr std::uint8_t kLocalInfileHeader = 0xfb;
inline constexpr std::uint8_t kEofHeader = 0xfe;
inline constexpr std::uint8_t kErrHeader = 0xff;
inline constexpr std::uint8_t kAuthMoreDataHeader = 0x01;
inline constexpr std::uint8_t kAuthSwitchHeader = 0xfe;

// ---- session state tracking types (OK packet, CLIENT_SESSION_TRACK) ----
inline constexpr std::uint8_t kSessionTrackSystemVariables = 0x00;
inline constexpr std::uint8_t kSessionTrackSchema = 0x01;
inline constexpr std::uint8_t kSessionTrackStateChange = 0x02;
inline constexpr std::uint8_t kSessionTrackGtids = 0x03;
inline constexpr std::uint8_t kSessionTrackTransactionCharacteristics = 0x04;
inline constexpr std::uint8_t kSessionTrackTransactionState = 0x05;

// ---- COM_STMT_EXECUTE flags ----
inline constexpr std::uint8_t kCursorTypeNoCursor = 0x00;
inline constexpr std::uint8_t kCursorTypeReadOnly = 0x01;
inline constexpr std::uint8_t kCursorTypeForUpdate = 0x02;
inline constexpr std::uint8_t kCursorTypeScrollable = 0x04;

// ---- COM_SET_OPTION values ----
inline constexpr std::uint16_t kMysqlOptionMultiStatementsOn = 0;
inline constexpr std::uint16_t kMysqlOptionMultiStatementsOff = 1;

// ---- sizes ----
inline constexpr std::size_t kFrameHeaderSize = 4;
inline constexpr std::uint32_t kMaxFramePayload = 0xff'ffff;
inline constexpr std::size_t kScrambleSize = 20;

}  // namespace mysqlproxy::protocol
