#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) from the byte vectors
of the unit tests: the MariaDB captures in tests/protocol/testdata/*.hex, hex literals of
tests/protocol/*_test.cpp, and statements of tests/proxy/classifier_corpus.tsv. Each seed starts
with the parameter bytes its target reads first (see the comment at the top of <target>_fuzz.cpp).

    tests/fuzz/make_corpus.py        # rewrites every corpus folder
    tests/fuzz/make_corpus.py login_conversation   # only the folders named

Inputs found by fuzzing that are worth keeping (a fixed bug's reproducer) go into the corpus
folders by hand, named regression-<what>; this script replaces every other file.
"""
import pathlib
import re
import struct
import sys
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "tests/protocol/testdata"
CORPUS = ROOT / "tests/fuzz/corpus"

# Capability bits (protocol/constants.hpp).
LONG_PASSWORD, CONNECT_WITH_DB, LOCAL_FILES = 1 << 0, 1 << 3, 1 << 7
PROTOCOL_41, TRANSACTIONS, SECURE_CONNECTION = 1 << 9, 1 << 13, 1 << 15
MULTI_STATEMENTS, MULTI_RESULTS, PS_MULTI_RESULTS = 1 << 16, 1 << 17, 1 << 18
PLUGIN_AUTH, CONNECT_ATTRS, LENENC_CLIENT_DATA = 1 << 19, 1 << 20, 1 << 21
SESSION_TRACK, DEPRECATE_EOF, OPTIONAL_METADATA = 1 << 23, 1 << 24, 1 << 25

CAPS41 = PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION | MULTI_RESULTS | PS_MULTI_RESULTS
CAPTURE = PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION | PLUGIN_AUTH | SESSION_TRACK | MULTI_RESULTS
MODERN = PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH | CONNECT_ATTRS | LENENC_CLIENT_DATA

# Command bytes.
QUERY, FIELD_LIST, STATISTICS, PING = 0x03, 0x04, 0x09, 0x0E
STMT_PREPARE, STMT_EXECUTE, STMT_FETCH = 0x16, 0x17, 0x1C


def hex_bytes(text):
    """Same rules as tests/support/hex.hpp: whitespace ignored, // comments to the end of a line."""
    text = re.sub(r"//[^\n]*", "", text)
    return bytes.fromhex("".join(text.split()))


def capture(name):
    return hex_bytes((TESTDATA / name).read_text())


def frames(wire):
    """Payloads of the (single-frame) packets in a capture."""
    out, pos = [], 0
    while pos < len(wire):
        n = wire[pos] | wire[pos + 1] << 8 | wire[pos + 2] << 16
        out.append(wire[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out


def frame(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def literal(test_file, marker):
    """The hex(...) argument that follows `marker` in tests/protocol/<test_file>: one or more
    adjacent string literals, plain or raw."""
    text = (ROOT / "tests/protocol" / test_file).read_text()
    at = text.index(marker)
    at = text.index("hex(", at) + 4
    parts = []
    while True:
        rest = text[at:].lstrip()
        at = len(text) - len(rest)
        if rest.startswith('R"('):
            end = text.index(')"', at)
            parts.append(text[at + 3:end])
            at = end + 2
        elif rest.startswith('"'):
            end = text.index('"', at + 1)
            parts.append(text[at + 1:end])
            at = end + 1
        else:
            break
    return hex_bytes("".join(parts))


def u32(v):
    return struct.pack("<I", v)


def classifier_statements():
    """(name, sql) for a spread of classifier_corpus.tsv: the first rows of each section."""
    out, section, taken = [], "start", 0
    for line in (ROOT / "tests/proxy/classifier_corpus.tsv").read_text().splitlines():
        if line.startswith("// ----"):
            section, taken = "_".join(re.findall(r"[a-z0-9]+", line[7:].lower())[:3]), 0
            continue
        if not line or line.startswith("//") or taken >= 2:
            continue
        sql = line.split("\t")[0]
        sql = re.sub(r"\\([tnr0\\])", lambda m: {"t": "\t", "n": "\n", "r": "\r", "0": "\0", "\\": "\\"}[m.group(1)], sql)
        out.append((f"{section}_{taken}", sql.encode()))
        taken += 1
    return out


def seeds():
    s = {t: [] for t in ("decompressor", "packet_decoder", "handshake", "command", "ok_err_eof", "resultset", "prepared", "auth",
                         "response_scanner", "sql_classifier")}

    # packet_decoder: [chunk seed][options][stream]; option 3 = 64 KiB limit, 4 = resync on each
    # packet, 8 = feed(). Whole captures, in one piece, byte by byte and in mixed chunks.
    streams = ["server_greeting.hex", "handshake_response_python.hex", "login_ok.hex", "resultset_text.hex",
               "resultset_text_deprecate_eof.hex", "stmt_prepare_reply.hex", "field_list_reply.hex",
               "ok_set_tracking.hex", "change_user_request.hex", "statistics_reply.hex"]
    for i, name in enumerate(streams):
        seq0 = capture(name)[3] == 0
        options = 3 | (0 if seq0 else 4) | (8 if i % 3 == 2 else 0)
        s["packet_decoder"].append((name[:-4], bytes([(0, 1, 7, 42)[i % 4], options]) + capture(name)))
    s["packet_decoder"].append(("too_large", bytes([0, 1]) + frame(0, b"x" * 200)))
    s["packet_decoder"].append(("bad_sequence", bytes([0, 3]) + frame(0, b"\x0e") + frame(5, b"\x0e")))
    s["packet_decoder"].append(("empty_packets", bytes([1, 3]) + frame(0, b"") + frame(1, b"") + frame(2, b"\x01")))

    # handshake: [selector][payload]; even = server greeting, odd = client's first packet.
    for name in ["server_greeting.hex", "server_greeting_2.hex", "server_greeting_mariadb_client.hex",
                 "server_greeting_ssl.hex"]:
        s["handshake"].append((name[:-4], b"\x00" + frames(capture(name))[0]))
    for marker in ['"mysql8_caching_sha2"', '"no_plugin_auth"']:
        s["handshake"].append(("greeting_" + marker.strip('"'), b"\x00" + literal("handshake_test.cpp", marker)))
    # A pre-4.1 greeting that ends after the lower capability bits (handshake_test.cpp).
    s["handshake"].append(("greeting_pre41", b"\x00" + bytes.fromhex("0a342e3100070000006162636465666768002ca2")))
    for name in ["handshake_response_mariadb_client.hex", "handshake_response_python.hex",
                 "ssl_request_mariadb_client.hex"]:
        s["handshake"].append((name[:-4], b"\x01" + frames(capture(name))[0]))
    for marker in ['"mysql8_lenenc_auth_and_attributes"', '"secure_connection_one_byte_length"',
                   '"nul_terminated_auth"', 'SslRow{"mysql_client"']:
        name = "client_" + marker.split('"')[1]
        s["handshake"].append((name, b"\x01" + literal("handshake_test.cpp", marker)))

    # command: [client caps][param count][payload]
    cmd = lambda caps, params, payload: u32(caps) + bytes([params]) + payload
    s["command"] += [
        ("change_user_captured", cmd(PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH, 0,
                                     frames(capture("change_user_request.hex"))[0])),
        ("change_user_attributes", cmd(MODERN, 0, literal("command_test.cpp", '"with_attributes"'))),
        ("change_user_no_plugin", cmd(PROTOCOL_41 | SECURE_CONNECTION, 0, bytes.fromhex("11626f620000646200 2100"))),
        ("query", cmd(MODERN, 0, bytes.fromhex("03") + b"SELECT 1")),
        ("init_db", cmd(MODERN, 0, bytes.fromhex("02") + b"capdb")),
        ("stmt_prepare", cmd(MODERN, 0, bytes.fromhex("16") + b"SELECT ?")),
        ("field_list", cmd(MODERN, 0, bytes.fromhex("04 7573657273 00 6925"))),
        ("stmt_fetch", cmd(MODERN, 0, bytes.fromhex("1c 07000000 0a000000"))),
        ("set_option", cmd(MODERN, 0, bytes.fromhex("1b 0100"))),
        ("stmt_close", cmd(MODERN, 0, bytes.fromhex("19 04030201"))),
        ("stmt_reset", cmd(MODERN, 0, bytes.fromhex("1a 01000000"))),
        ("send_long_data", cmd(MODERN, 2, bytes.fromhex("18 05000000 0100") + b"abc")),
        ("ping", cmd(MODERN, 0, bytes.fromhex("0e"))),
        ("execute_no_params", cmd(MODERN, 0, bytes.fromhex("17 01000000 00 01000000"))),
        ("execute_one_param", cmd(MODERN, 1, bytes.fromhex("17 02000000 00 01000000 00 01 0300 03000000"))),
        ("execute_read_only_cursor", cmd(MODERN, 0, bytes.fromhex("17 05000000 01 01000000"))),
        ("execute_bound", cmd(MODERN, 2, literal("stmt_execute_test.cpp", "const auto kBound"))),
        ("execute_unbound", cmd(MODERN, 2, literal("stmt_execute_test.cpp", "const auto kUnbound"))),
    ]

    # ok_err_eof: [caps][payload]
    for name, caps in [("login_ok.hex", CAPTURE), ("auth_switch_ok.hex", CAPTURE), ("change_user_ok.hex", CAPTURE),
                       ("ok_autocommit_off.hex", CAPTURE), ("ok_insert_in_trx.hex", CAPTURE),
                       ("ok_last_gtid_autocommit.hex", CAPTURE), ("ok_set_tracking.hex", CAPTURE),
                       ("ok_use_schema.hex", CAPTURE), ("err_access_denied.hex", CAPTURE),
                       ("err_no_table.hex", CAPTURE)]:
        s["ok_err_eof"].append((name[:-4], u32(caps) + frames(capture(name))[-1]))
    s["ok_err_eof"] += [
        ("eof_captured", u32(CAPTURE) + frames(capture("resultset_text.hex"))[-1]),
        ("ok_deprecate_eof_captured", u32(CAPTURE | DEPRECATE_EOF) + frames(capture("resultset_text_deprecate_eof.hex"))[-1]),
        ("ok_info_without_session_track", u32(PROTOCOL_41 | TRANSACTIONS) + literal("ok_err_test.cpp", '"info_without_session_track"')),
        ("ok_info_with_session_track", u32(PROTOCOL_41 | TRANSACTIONS | SESSION_TRACK) + literal("ok_err_test.cpp", '"info_with_session_track"')),
        ("ok_large_lenenc_counts", u32(PROTOCOL_41 | TRANSACTIONS) + literal("ok_err_test.cpp", '"large_lenenc_counts"')),
        ("ok_transactions_only", u32(TRANSACTIONS) + bytes.fromhex("0000000200")),
        ("ok_pre41", u32(0) + bytes.fromhex("000300")),
        ("err_without_state", u32(CAPTURE) + literal("ok_err_test.cpp", '"before_handshake_without_state"')),
        ("err_pre41", u32(0) + literal("ok_err_test.cpp", 'ErrRow{"pre41"')),
        ("eof_with_warnings", u32(PROTOCOL_41) + bytes.fromhex("fe 0200 0a00")),
        ("eof_pre41", u32(0) + bytes.fromhex("fe")),
    ]

    # resultset: [flags (1 = extended metadata)][columns in a row][payload]
    text = frames(capture("resultset_text.hex"))
    s["resultset"].append(("column_count", bytes([0, 0]) + text[0]))
    s["resultset"] += [(f"column_{i}", bytes([0, 0]) + text[i]) for i in range(1, 5)]
    s["resultset"] += [(f"row_{i}", bytes([0, 4]) + text[i]) for i in (6, 7)]
    ext = frames(capture("resultset_extended_metadata.hex"))
    s["resultset"] += [(f"extended_column_{i}", bytes([1, 0]) + ext[i]) for i in range(1, 4)]
    s["resultset"].append(("extended_row", bytes([1, 3]) + ext[4]))
    field_list = frames(capture("field_list_reply.hex"))
    s["resultset"] += [(f"field_list_column_{i}", bytes([0, 0]) + field_list[i]) for i in range(0, 3)]
    s["resultset"].append(("column_count_4096", bytes([0, 0]) + bytes.fromhex("fc0010")))

    # prepared: [caps][the answer's frames]
    s["prepared"] += [
        ("reply", u32(CAPS41) + capture("stmt_prepare_reply.hex")),
        ("reply_deprecate_eof", u32(CAPS41 | DEPRECATE_EOF) + capture("stmt_prepare_reply_deprecate_eof.hex")),
        ("with_warnings", u32(CAPS41) + frame(1, literal("prepared_test.cpp", '"with_warnings"'))),
        ("metadata_follows", u32(CAPS41 | OPTIONAL_METADATA) + frame(1, literal("prepared_test.cpp", '"metadata_follows"'))),
        ("error", u32(CAPS41) + frame(1, frames(capture("err_no_table.hex"))[0])),
    ]

    # auth: [selector (1 = RSA with AuthMoreData's body, 2 = payload as nonce and response)][payload]
    public_key = re.search(r'kPublicKey = R"\((.*?)\)"', (ROOT / "tests/protocol/auth_test.cpp").read_text(), re.S).group(1)
    s["auth"] += [
        ("switch_request_captured", b"\x02" + frames(capture("auth_switch_request.hex"))[0]),
        ("switch_request_change_user", b"\x00" + frames(capture("change_user_reply.hex"))[0]),
        ("switch_request_short", b"\x00" + bytes.fromhex("fe 6162 00 0102")),
        ("more_data_fast_auth", b"\x00" + bytes.fromhex("0103")),
        ("more_data_full_auth", b"\x00" + bytes.fromhex("0104")),
        ("more_data_public_key", b"\x01" + b"\x01" + public_key.encode()),
        ("native_nonce", b"\x02" + bytes(range(1, 21))),
    ]

    # response_scanner: [command][caps][chunk seed][LOCAL INFILE packets - 1][answer]
    scan = lambda command, caps, chunk, answer, infile=0: bytes([command]) + u32(caps) + bytes([chunk, infile]) + answer
    s["response_scanner"] += [
        ("query_resultset", scan(QUERY, CAPS41, 0, capture("resultset_text.hex"))),
        ("query_resultset_bytes", scan(QUERY, CAPS41, 1, capture("resultset_text.hex"))),
        ("query_deprecate_eof", scan(QUERY, CAPS41 | DEPRECATE_EOF, 9, capture("resultset_text_deprecate_eof.hex"))),
        ("query_extended_metadata", scan(QUERY, CAPS41 | DEPRECATE_EOF, 0, capture("resultset_extended_metadata.hex"))),
        ("execute_resultset", scan(STMT_EXECUTE, CAPS41, 5, capture("resultset_text.hex"))),
        ("prepare", scan(STMT_PREPARE, CAPS41, 3, capture("stmt_prepare_reply.hex"))),
        ("prepare_deprecate_eof", scan(STMT_PREPARE, CAPS41 | DEPRECATE_EOF, 0, capture("stmt_prepare_reply_deprecate_eof.hex"))),
        ("field_list", scan(FIELD_LIST, CAPS41, 2, capture("field_list_reply.hex"))),
        ("statistics", scan(STATISTICS, CAPS41, 0, capture("statistics_reply.hex"))),
        ("query_ok_session_track", scan(QUERY, CAPTURE, 0, capture("ok_last_gtid_autocommit.hex"))),
        ("query_error", scan(QUERY, CAPTURE, 0, capture("err_no_table.hex"))),
        ("ping_ok", scan(PING, CAPS41, 0, frame(1, bytes.fromhex("00 00 00 0200 0000")))),
        # LOCAL INFILE: request, the client sends data and an empty packet (seq 2, 3), then OK at 4.
        ("local_infile", scan(QUERY, CAPS41 | LOCAL_FILES, 0, frame(1, b"\xfb/tmp/f") +
                              frame(4, bytes.fromhex("00 01 00 0200 0000")), 1)),
        # Two results (CALL): an OK with MORE_RESULTS_EXISTS, then the final OK.
        ("multi_result", scan(QUERY, CAPS41, 0, frame(1, bytes.fromhex("00 00 00 0a00 0000")) +
                              frame(2, bytes.fromhex("00 01 00 0200 0000")))),
        # A cursor: metadata, EOF with CURSOR_EXISTS, no rows; then COM_STMT_FETCH's rows.
        ("execute_cursor", scan(STMT_EXECUTE, CAPS41, 0, frame(1, b"\x01") + frame(2, frames(capture("resultset_text.hex"))[1]) +
                                frame(3, bytes.fromhex("fe 0000 4200")))),
        ("fetch_rows", scan(STMT_FETCH, CAPS41, 0, frame(1, frames(capture("resultset_text.hex"))[6]) +
                            frame(2, bytes.fromhex("fe 0000 8200")))),
    ]

    # decompressor: [feed seed][read seed][options]; option bit 0 = zstd, bits 1-2 = per-packet limit.
    zlib64 = zlib.compress(b"\x05\x00\x00\x01" + b"x" * 60)
    s["decompressor"] += [
        ("captured_client", bytes([0, 0, 0]) + capture("compressed_session_client.hex")),
        ("captured_client_chunked", bytes([7, 1, 0]) + capture("compressed_session_client.hex")),
        ("captured_server", bytes([1, 42, 0]) + capture("compressed_session_server.hex")),
        ("captured_server_limit_100", bytes([3, 5, 2]) + capture("compressed_session_server.hex")),
        ("zlib_announced_short", bytes([0, 0, 0]) + compressed(0, 63, zlib64)),
        ("zlib_announced_long", bytes([1, 1, 0]) + compressed(0, 65, zlib64)),
        ("zlib_trailing_byte", bytes([0, 3, 0]) + compressed(0, 64, zlib64 + b"\x00")),
        ("zlib_cut_short", bytes([0, 0, 0]) + compressed(0, 64, zlib64[:-3])),
        ("zstd_tool_frame", bytes([2, 9, 1]) + compressed(0, 220, ZSTD_FRAME)),
        ("zstd_over_limit", bytes([0, 0, 5]) + compressed(0, 220, ZSTD_FRAME)),
        ("stored_and_empty", bytes([1, 1, 0]) + compressed(0, 0, b"") + compressed(1, 0, b"\x01\x00\x00\x00\x0e")),
    ]

    # sql_classifier: [sql_mode (1 = ANSI_QUOTES, 2 = NO_BACKSLASH_ESCAPES)][text]
    for name, sql in classifier_statements():
        s["sql_classifier"].append((name, b"\x00" + sql))
    s["sql_classifier"] += [
        ("ansi_quotes", b"\x01" + b'SELECT "a" FROM "t" WHERE x = \'it\'\'s\''),
        ("no_backslash_escapes", b"\x02" + b"SELECT 'a\\' FROM t; UPDATE t SET x = 1"),
    ]
    s["login_conversation"] = login_conversation_seeds()
    return s


def login_conversation_seeds():
    """Whole logins in the input language of login_conversation_fuzz.cpp: [options][options 2] then
    client turns. Answers that prove a password are computed by the harness from the greeting it
    receives, so these seeds log in (or fail) the way their names say."""
    sha2, tls, tls_require, cache, cache_stale, blocked, compression, mariadb = 1, 2, 4, 8, 16, 32, 64, 128
    resolver = 1
    users = ["alice", "bob", "carol", "dave", "erin", "frank", "ghost", "anon", "nobody", ""]
    passwords = ["alice-pw", "bob-pw", "carol-pw", "dave-pw", "ghost-pw", "wrong", "", "own"]
    plugins = ["native", "sha2", "sha256", "clear", "none"]
    answers = ["empty", "native", "sha2", "clear", "rsa", "key_request", "raw", "sha256_key_request"]
    login_caps = LONG_PASSWORD | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION | MULTI_RESULTS | MODERN
    compress, zstd = 1 << 5, 1 << 26

    def op(kind, seq=None, flags=0):
        return bytes([kind | flags | (8 if seq is not None else 0)]) + (bytes([seq]) if seq is not None else b"")

    def user(name):
        return bytes([users.index(name)]) if name in users else bytes([10, len(name)]) + name.encode()

    def answer(kind, password=None):
        out = bytes([answers.index(kind)])
        if kind == "raw":
            return out + bytes([len(password)]) + password
        if password is None:
            return out
        if password in passwords:
            return out + bytes([passwords.index(password)])
        return out + bytes([8, len(password)]) + password.encode()

    def response(name, auth, plugin="native", caps=login_caps, db=b"", attributes=1, extended=0, seq=None):
        return (op(2, seq) + u32(caps) + bytes([45]) + u32(extended) + user(name) + auth + bytes([plugins.index(plugin)]) +
                bytes([len(db)]) + db + bytes([attributes, 3]))

    def auth(a, seq=None):
        return op(4, seq) + a

    def ssl(hello_behind=False):
        return op(3, flags=0x10 if hello_behind else 0) + u32(login_caps | (1 << 11))

    def packet(payload, seq=None):
        return op(1, seq) + struct.pack("<H", len(payload)) + payload

    def raw(data):
        return op(0) + struct.pack("<H", len(data)) + data

    close = op(5)
    native_own = answer("native", "own")
    sha2_own = answer("sha2", "own")
    seeds = [
        # mysql_native_password proposed
        ("native_alice", 0, 0, response("alice", native_own)),
        ("native_alice_wrong_password", 0, 0, response("alice", answer("native", "wrong"))),
        ("native_alice_database", 0, 0, response("alice", native_own, caps=login_caps | CONNECT_WITH_DB, db=b"appdb")),
        ("native_carol_hash_only", 0, 0, response("carol", native_own, attributes=2)),
        ("native_erin_no_password", 0, 0, response("erin", answer("empty"))),
        ("native_no_plugin_auth", 0, 0, response("alice", native_own, caps=PROTOCOL_41 | SECURE_CONNECTION, attributes=0)),
        ("native_sha256_plugin_switched", 0, 0, response("alice", native_own, plugin="sha256") + auth(native_own)),
        ("native_bob_switched_to_sha2", 0, 0, response("bob", native_own) + auth(sha2_own) +
         auth(answer("key_request")) + auth(answer("rsa", "own"))),
        ("native_unknown_user", 0, 0, response("zed", answer("native", "zed-pw"))),
        ("native_compression_mariadb", compression | mariadb, 0,
         response("alice", native_own, caps=(login_caps | compress | zstd) & ~LONG_PASSWORD, extended=1 << 3)),
        # caching_sha2_password proposed
        ("sha2_alice_switched_to_native", sha2, 0, response("alice", sha2_own, plugin="sha2") + auth(native_own)),
        ("sha2_bob_rsa_key_request", sha2, 0, response("bob", sha2_own, plugin="sha2") + auth(answer("key_request")) +
         auth(answer("rsa", "own"))),
        ("sha2_bob_rsa_known_key", sha2, 0, response("bob", sha2_own, plugin="sha2") + auth(answer("rsa", "own"))),
        ("sha2_bob_rsa_wrong_password", sha2, 0, response("bob", sha2_own, plugin="sha2") + auth(answer("rsa", "wrong"))),
        ("sha2_bob_fast_auth", sha2 | cache, 0, response("bob", sha2_own, plugin="sha2")),
        ("sha2_bob_cached_wrong_answer", sha2 | cache, 0, response("bob", answer("sha2", "wrong"), plugin="sha2") +
         auth(answer("rsa", "wrong"))),
        ("sha2_bob_stale_cache", sha2 | cache_stale, 0, response("bob", sha2_own, plugin="sha2") +
         auth(answer("rsa", "own"))),
        ("sha2_bob_clear_without_tls", sha2, 0, response("bob", sha2_own, plugin="sha2") + auth(answer("clear", "own"))),
        ("sha2_bob_sha256_key_request", sha2, 0, response("bob", sha2_own, plugin="sha2") +
         auth(answer("sha256_key_request"))),
        ("sha2_frank_no_password", sha2, 0, response("frank", answer("empty"), plugin="sha2")),
        ("sha2_dave_needs_tls", sha2, 0, response("dave", sha2_own, plugin="sha2") + auth(answer("rsa", "own"))),
        ("sha2_dave_wrong_password", sha2, 0, response("dave", sha2_own, plugin="sha2") + auth(answer("rsa", "wrong"))),
        ("sha2_close_after_switch", sha2, 0, response("alice", sha2_own, plugin="sha2") + close),
        # TLS
        ("tls_bob_clear_password", sha2 | tls, 0, ssl() + response("bob", sha2_own, plugin="sha2") +
         auth(answer("clear", "own"))),
        ("tls_alice_hello_behind_request", tls, 0, ssl(hello_behind=True) + response("alice", native_own)),
        ("tls_dave_required", sha2 | tls, 0, ssl() + response("dave", sha2_own, plugin="sha2") +
         auth(answer("clear", "own"))),
        ("tls_required_alice_plain", tls | tls_require, 0, response("alice", native_own)),
        ("tls_not_offered", 0, 0, ssl()),
        # backend users, throttle, framing
        ("resolver_ghost", 0, resolver, response("ghost", native_own)),
        ("resolver_anon_no_password", 0, resolver, response("anon", answer("empty"))),
        ("resolver_nobody", 0, resolver, response("nobody", answer("native", "wrong"))),
        ("resolver_unknown_ghost", 0, 0, response("ghost", native_own)),
        ("blocked_source", blocked, 0, response("alice", native_own)),
        ("packet_cap_40", 0, 4 << 1, response("alice", native_own)),
        ("bad_response_packet", 0, 0, packet(bytes(10))),
        ("wrong_sequence_id", 0, 0, response("alice", native_own, seq=5)),
        ("partial_frame_then_close", 0, 0, raw(bytes.fromhex("2000")) + close),
        ("raw_ping_frame", 0, 0, raw(frame(1, b"\x0e"))),
    ]
    return [(name, bytes([options, options2]) + turns) for name, options, options2, turns in seeds]


# "hello zstd " x 20 as the zstd 1.5.4 command line compresses it (-3 --no-check, from a pipe).
ZSTD_FRAME = bytes.fromhex("28b52ffd005895000058 68656c6c6f207a73746420 01004e53c50b".replace(" ", ""))


def compressed(seq, uncompressed_length, payload):
    """One compressed packet: 3-byte payload length, sequence id, 3-byte uncompressed length."""
    return (struct.pack("<I", len(payload))[:3] + bytes([seq]) + struct.pack("<I", uncompressed_length)[:3] +
            payload)


def main():
    wanted = set(sys.argv[1:])
    for target, items in seeds().items():
        if wanted and target not in wanted:
            continue
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if not old.name.startswith("regression-"):
                old.unlink()
        for name, data in items:
            (folder / name).write_bytes(data)
        print(f"{target}: {len(items)} seeds, {sum(len(d) for _, d in items)} bytes")


if __name__ == "__main__":
    sys.exit(main())
