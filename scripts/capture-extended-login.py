#!/usr/bin/python3
"""Logs in to a MariaDB server asking for MARIADB_CLIENT_EXTENDED_METADATA, as the proxy does for a
client that negotiated it, runs one query and prints every packet of the exchange as wire frames
in the tests/protocol/testdata/*.hex format.

  scripts/capture-extended-login.py PORT USER PASSWORD "SELECT ..."
"""
import hashlib
import socket
import sys

# The capabilities the proxy sends for a mariadb CLI client: CLIENT_MYSQL (bit 0) clear, so the
# extended capabilities in bytes 28..31 count.
CAPS = (0x4 | 0x200 | 0x2000 | 0x8000 | 1 << 16 | 1 << 17 | 1 << 18 | 1 << 19 | 1 << 20 | 1 << 21
        | 1 << 23 | 1 << 24)
EXT_CAPS = 1 << 3  # MARIADB_CLIENT_EXTENDED_METADATA
COLLATION = 45


def read_packet(sock):
    header = b""
    while len(header) < 4:
        header += sock.recv(4 - len(header))
    size = int.from_bytes(header[:3], "little")
    body = b""
    while len(body) < size:
        body += sock.recv(size - len(body))
    return header + body


def frame(payload, seq):
    return len(payload).to_bytes(3, "little") + bytes([seq]) + payload


def native(password, scramble):
    stage1 = hashlib.sha1(password.encode()).digest()
    stage2 = hashlib.sha1(stage1).digest()
    mix = hashlib.sha1(scramble + stage2).digest()
    return bytes(a ^ b for a, b in zip(stage1, mix))


def dump(label, wire):
    print("// " + label)
    for i in range(0, len(wire), 16):
        print(" ".join(f"{b:02x}" for b in wire[i:i + 16]))


def main():
    port, user, password, query = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    sock = socket.create_connection(("127.0.0.1", port))
    greeting = read_packet(sock)
    dump("server greeting, seq 0", greeting)
    body = greeting[4:]
    version_end = body.index(b"\0", 1)
    p = version_end + 1 + 4
    scramble = body[p:p + 8]
    p += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10
    scramble += body[p:p + 12]
    response = (CAPS.to_bytes(4, "little") + (1 << 30).to_bytes(4, "little") + bytes([COLLATION])
                + bytes(19) + EXT_CAPS.to_bytes(4, "little") + user.encode() + b"\0")
    auth = native(password, scramble)
    response += bytes([len(auth)]) + auth + b"mysql_native_password\0" + b"\0"  # no attributes
    sock.sendall(frame(response, 1))
    dump("HandshakeResponse41, seq 1", frame(response, 1))
    dump("OK, seq 2", read_packet(sock))
    sock.sendall(frame(b"\x03" + query.encode(), 0))
    dump("COM_QUERY " + query + ", seq 0", frame(b"\x03" + query.encode(), 0))
    while True:
        packet = read_packet(sock)
        dump(f"answer, seq {packet[3]}", packet)
        if packet[4] == 0xFF or (packet[4] == 0xFE and len(packet) < 4 + 0xFFFFFF and packet[3] > 1):
            break
    sock.close()


if __name__ == "__main__":
    main()
