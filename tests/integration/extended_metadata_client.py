#!/usr/bin/python3
"""A raw client for extended_metadata_test.sh: logs in with the capabilities of the mariadb CLI,
either asking for MARIADB_CLIENT_EXTENDED_METADATA (CLIENT_MYSQL clear, extended caps 0x08) or as a
MySQL client (CLIENT_MYSQL set, no extended caps), runs one query and prints what the greeting
offered and how each column definition reads:

  greeting client_mysql=0 extended=0x8
  column j type= format=json        (extended)
  column j plain                    (plain: the fixed-length fields follow org_name)
  column j MALFORMED                (neither)

  extended_metadata_client.py PORT extended|plain "SELECT ..."
"""
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lib"))
from mysql_wire import frame, lenenc_str, native_password, parse_greeting, read_packet  # noqa: E402

# The mariadb 10.11 CLI's capabilities (tests/protocol/testdata/handshake_response_mariadb_client.hex)
# without CONNECT_WITH_DB.
CLI_CAPS = 0x00bfa284
EXTENDED_METADATA = 1 << 3
COLLATION = 33  # the CLI's utf8mb3_general_ci


def describe_column(col, extended):
    p = 0
    fields = []
    for _ in range(6):  # catalog, schema, table, org_table, name, org_name
        s, p = lenenc_str(col, p)
        fields.append(s)
    name = fields[4].decode()
    if not extended:
        return f"column {name} plain" if col[p] == 0x0c and len(col) - p == 13 else f"column {name} MALFORMED"
    block, p = lenenc_str(col, p)
    if col[p] != 0x0c or len(col) - p != 13:
        return f"column {name} MALFORMED"
    entries, q = {}, 0
    while q < len(block):
        kind = block[q]
        value, q = lenenc_str(block, q + 1)
        entries[kind] = value.decode()
    return f"column {name} type={entries.get(0, '')} format={entries.get(1, '')}"


def main():
    port, mode, query = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    extended = mode == "extended"
    sock = socket.create_connection(("127.0.0.1", port))
    caps, server_extended, scramble = parse_greeting(read_packet(sock))
    print(f"greeting client_mysql={caps & 1} extended={server_extended:#x}")

    client_caps = CLI_CAPS if extended else CLI_CAPS | 1
    auth = native_password("app-pass", scramble)
    response = (client_caps.to_bytes(4, "little") + (1 << 24).to_bytes(4, "little") + bytes([COLLATION])
                + bytes(19) + (EXTENDED_METADATA if extended else 0).to_bytes(4, "little") + b"app\0"
                + bytes([len(auth)]) + auth + b"mysql_native_password\0" + b"\0")
    sock.sendall(frame(response, 1))
    ok = read_packet(sock)
    if ok[0] != 0:
        raise SystemExit(f"login failed: {ok!r}")
    sock.sendall(frame(b"\x03" + query.encode(), 0))
    count = read_packet(sock)
    if count[0] == 0xff:
        raise SystemExit(f"query failed: {count!r}")
    for _ in range(count[0]):
        print(describe_column(read_packet(sock), extended))
    read_packet(sock)  # the EOF after the column definitions (no DEPRECATE_EOF)
    while True:  # rows, then the final EOF
        packet = read_packet(sock)
        if packet[0] == 0xfe and len(packet) < 9:
            break
    sock.sendall(frame(b"\x01", 0))  # COM_QUIT
    sock.close()


if __name__ == "__main__":
    main()
