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
import hashlib
import socket
import struct
import sys
import time

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


def packet(payload, seq):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def read_packet(sock):
    head = recv_exact(sock, 4)
    size = head[0] | head[1] << 8 | head[2] << 16
    return recv_exact(sock, size)


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise EOFError("server closed the connection")
        out += chunk
    return out


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


def scramble(password, salt):
    if not password:
        return b""
    p1 = hashlib.sha1(password.encode()).digest()
    p2 = hashlib.sha1(p1).digest()
    p3 = hashlib.sha1(salt + p2).digest()
    return bytes(a ^ b for a, b in zip(p1, p3))


def login(args):
    sock = socket.create_connection(("127.0.0.1", args.port))
    greeting = read_packet(sock)
    pos = greeting.index(b"\0", 1) + 1 + 4
    salt = greeting[pos:pos + 8]
    pos += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10
    salt += greeting[pos:pos + 12]
    caps = (CLIENT_LONG_PASSWORD | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB |
            CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION |
            CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS | CLIENT_PS_MULTI_RESULTS |
            CLIENT_PLUGIN_AUTH | CLIENT_SESSION_TRACK)
    if args.deprecate_eof:
        caps |= CLIENT_DEPRECATE_EOF
    auth = scramble(args.password, salt)
    body = struct.pack("<IIB", caps, 1 << 24, 8) + b"\0" * 23
    body += args.user.encode() + b"\0" + bytes([len(auth)]) + auth
    body += args.db.encode() + b"\0" + b"mysql_native_password\0"
    sock.sendall(packet(body, 1))
    reply = read_packet(sock)
    if reply[:1] != b"\0":
        sys.exit("capture-answer: login failed: %r" % reply)
    return sock


def command(sock, payload):
    sock.sendall(packet(payload, 0))
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
