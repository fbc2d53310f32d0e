#!/usr/bin/python3
"""Captures a server's raw answer to one command, as a .hex fixture for tests/protocol/testdata.

usage: capture-answer.py --port P [--user root] [--password ''] [--db test] [--deprecate-eof]
                         [--setup SQL]... (--query SQL | --prepare-execute SQL [--cursor]) > out.hex

A minimal client of its own (mysql_native_password, no TLS): it logs in with the capabilities a
fixture needs, runs the --setup statements, then sends the command and prints every byte the
server sent back until it falls silent, 16 to a line, under a comment naming the command. It
knows nothing of answer shapes on purpose: the capture is the reference the tracker is tested
against, so it must not depend on the tracker.
"""
import argparse
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mysql_wire import frame, native_password, parse_greeting, read_packet  # noqa: E402

CLIENT_LONG_PASSWORD = 1
CLIENT_FOUND_ROWS = 2
CLIENT_LONG_FLAG = 4
CLIENT_CONNECT_WITH_DB = 8
CLIENT_PROTOCOL_41 = 0x200
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_STATEMENTS = 0x10000
CLIENT_MULTI_RESULTS = 0x20000
CLIENT_PS_MULTI_RESULTS = 0x40000
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_SESSION_TRACK = 0x800000
CLIENT_DEPRECATE_EOF = 0x1000000


def read_until_silent(sock, quiet=0.5):
    sock.settimeout(quiet)
    out = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        out += chunk
    sock.settimeout(None)
    return out


def login(args):
    sock = socket.create_connection(("127.0.0.1", args.port))
    _, _, salt = parse_greeting(read_packet(sock))
    caps = (CLIENT_LONG_PASSWORD | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB |
            CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION |
            CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS | CLIENT_PS_MULTI_RESULTS |
            CLIENT_PLUGIN_AUTH | CLIENT_SESSION_TRACK)
    if args.deprecate_eof:
        caps |= CLIENT_DEPRECATE_EOF
    auth = native_password(args.password, salt)
    body = struct.pack("<IIB", caps, 1 << 24, 8) + b"\0" * 23
    body += args.user.encode() + b"\0" + bytes([len(auth)]) + auth
    body += args.db.encode() + b"\0" + b"mysql_native_password\0"
    sock.sendall(frame(body, 1))
    reply = read_packet(sock)
    if reply[:1] != b"\0":
        sys.exit("capture-answer: login failed: %r" % reply)
    return sock


def command(sock, payload):
    sock.sendall(frame(payload, 0))
    return read_until_silent(sock)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="root")
    ap.add_argument("--password", default="")
    ap.add_argument("--db", default="test")
    ap.add_argument("--deprecate-eof", action="store_true")
    ap.add_argument("--setup", action="append", default=[])
    ap.add_argument("--query")
    ap.add_argument("--prepare-execute")
    ap.add_argument("--cursor", action="store_true", help="COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY")
    ap.add_argument("--null-params", type=int, default=0, help="bind this many NULL parameters")
    ap.add_argument("--comment", default="")
    args = ap.parse_args()
    sock = login(args)
    for sql in args.setup:
        answer = command(sock, b"\x03" + sql.encode())
        if answer[4:5] == b"\xff":
            sys.exit("capture-answer: setup failed: %s: %r" % (sql, answer[4:]))
    if args.query is not None:
        what = "COM_QUERY " + args.query
        answer = command(sock, b"\x03" + args.query.encode())
    else:
        prep = command(sock, b"\x16" + args.prepare_execute.encode())
        if prep[4:5] != b"\0":
            sys.exit("capture-answer: prepare failed: %r" % prep)
        stmt_id = struct.unpack("<I", prep[5:9])[0]
        flags = 1 if args.cursor else 0
        what = "COM_STMT_EXECUTE%s of %s" % (" (cursor)" if args.cursor else "", args.prepare_execute)
        body = b"\x17" + struct.pack("<IBI", stmt_id, flags, 1)
        if args.null_params:
            n = args.null_params
            body += bytes([0xff] * ((n + 7) // 8)) + b"\x01" + b"\x06\x00" * n
        answer = command(sock, body)
    time.sleep(0)
    print("// Captured from MariaDB (%s) with scripts/capture-answer.py." % ("DEPRECATE_EOF" if args.deprecate_eof else "no DEPRECATE_EOF"))
    print("// " + what.replace("\n", "\n// "))
    for line in args.setup:
        print("// setup: " + line.replace("\n", "\n//   "))
    if args.comment:
        print("// " + args.comment)
    for i in range(0, len(answer), 16):
        print(" ".join("%02x" % b for b in answer[i:i + 16]))


if __name__ == "__main__":
    main()
