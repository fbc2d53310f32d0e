"""The few pieces of the MySQL wire protocol the raw test clients share: framing, reading whole
packets, the greeting's scramble and the mysql_native_password answer to it, length-encoded values.
Kept apart from the proxy's own codec on purpose: these clients are the reference it is tested by."""
import hashlib
import struct


def frame(payload, seq):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise EOFError("server closed the connection")
        out += chunk
    return out


def read_packet(sock):
    head = recv_exact(sock, 4)
    return recv_exact(sock, head[0] | head[1] << 8 | head[2] << 16)


def parse_greeting(greeting):
    """(server capabilities, MariaDB extended capabilities, 20-byte scramble) of a v10 greeting."""
    p = greeting.index(b"\0", 1) + 1 + 4
    salt = greeting[p:p + 8]
    p += 8 + 1
    caps = int.from_bytes(greeting[p:p + 2], "little")
    p += 2 + 1 + 2  # the low capabilities, the collation, the status
    caps |= int.from_bytes(greeting[p:p + 2], "little") << 16
    p += 2 + 1 + 6
    extended = int.from_bytes(greeting[p:p + 4], "little")
    p += 4
    return caps, extended, salt + greeting[p:p + 12]


def native_password(password, salt):
    if not password:
        return b""
    p1 = hashlib.sha1(password.encode()).digest()
    p3 = hashlib.sha1(salt + hashlib.sha1(p1).digest()).digest()
    return bytes(a ^ b for a, b in zip(p1, p3))


def lenenc(data, p):
    first = data[p]
    if first < 0xfb:
        return first, p + 1
    width = {0xfc: 2, 0xfd: 3, 0xfe: 8}[first]
    return int.from_bytes(data[p + 1:p + 1 + width], "little"), p + 1 + width


def lenenc_str(data, p):
    n, p = lenenc(data, p)
    return data[p:p + n], p + n
