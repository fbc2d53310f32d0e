#!/usr/bin/python3
"""Python drivers (PyMySQL, MySQLdb/mysqlclient) through the proxy.

usage: /usr/bin/python3 tests/integration/pymysql_test.py <path to mysql-proxy>

Run it with the system Python (/usr/bin/python3), which has python3-pymysql
and python3-mysqldb. Needs the cluster env (eval "$(scripts/cluster.sh env)").
Starts its own proxy on a free port and stops it at exit. With
MYSQLPROXY_TEST_DIRECT=1 it talks to the primary directly instead.
Prints "N passed, N failed" and exits non-zero on any failure.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import zlib

import ssl

import MySQLdb
import pymysql

HOST = "127.0.0.1"
PORT = None  # set in main()
DIRECT = False  # set in main()
# Accounts made for the caching_sha2_password tests (the proxy checks the plugin; the servers keep
# their native passwords). One per case, because the proxy's fast-auth cache remembers a user once
# it has proved its password in full.
SHA2_USERS = ["py_sha2_tls", "py_sha2_rsa", "node_sha2_tls", "node_sha2_rsa"]
SHA2_PASSWORD = "sha2-pass"
CLUSTER_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "cluster.sh")
NODE_TEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node", "mysql2_test.mjs")
TABLE = "it_py_%d" % os.getpid()
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def expect_eq(actual, expected, what=""):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def connect_pymysql(**kw):
    args = dict(host=HOST, port=PORT, user="app", password="app-pass", database="proxytest",
                charset="utf8mb4", connect_timeout=10, read_timeout=30)
    args.update(kw)
    return pymysql.connect(**args)


def connect_mysqldb(**kw):
    args = dict(host=HOST, port=PORT, user="app", password="app-pass", database="proxytest",
                charset="utf8mb4", connect_timeout=10)
    args.update(kw)
    return MySQLdb.connect(**args)


# ------------------------------------------------------------------ PyMySQL

@test
def pymysql_query():
    with connect_pymysql() as conn, conn.cursor() as cur:
        cur.execute("SELECT CURRENT_USER(), DATABASE(), 6 * 7")
        expect_eq(cur.fetchall(), (("app@%", "proxytest", 42),), "row")
        cur.execute("SELECT seq FROM seq_1_to_1000")
        rows = cur.fetchall()
        expect_eq(len(rows), 1000, "row count")
        expect_eq(sum(r[0] for r in rows), 500500, "sum")


@test
def pymysql_transaction():
    with connect_pymysql(autocommit=False) as conn, connect_pymysql(autocommit=True) as other:
        with conn.cursor() as cur, other.cursor() as ocur:
            cur.execute("CREATE TABLE %s (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB" % TABLE)
            try:
                cur.execute("INSERT INTO %s VALUES (1, 'rolled back')" % TABLE)
                conn.rollback()
                cur.execute("INSERT INTO %s VALUES (2, 'committed')" % TABLE)
                ocur.execute("SELECT COUNT(*) FROM %s" % TABLE)
                expect_eq(ocur.fetchone(), (0,), "uncommitted row visible to another session")
                conn.commit()
                ocur.execute("SELECT id, v FROM %s ORDER BY id" % TABLE)
                expect_eq(ocur.fetchall(), ((2, "committed"),), "after commit")
            finally:
                ocur.execute("DROP TABLE IF EXISTS %s" % TABLE)


@test
def pymysql_error_then_query():
    with connect_pymysql() as conn, conn.cursor() as cur:
        try:
            cur.execute("SELECT * FROM no_such_table_xyz_py")
            raise AssertionError("query on a missing table succeeded")
        except pymysql.err.ProgrammingError as e:
            expect_eq(e.args[0], 1146, "error code")
        try:
            cur.execute("SELEC 1")
            raise AssertionError("bad SQL succeeded")
        except pymysql.err.ProgrammingError as e:
            expect_eq(e.args[0], 1064, "error code")
        cur.execute("SELECT 'still alive'")
        expect_eq(cur.fetchone(), ("still alive",), "query after errors")
        conn.ping(reconnect=False)


@test
def pymysql_parametrised_unicode():
    texts = ["héllo wörld", "😀 emoji", "日本語テキスト", "quote ' and backslash \\", ""]
    with connect_pymysql() as conn, conn.cursor() as cur:
        for t in texts:
            # Client-side interpolation (no server-side prepare) with escaping.
            cur.execute("SELECT %s, CHAR_LENGTH(%s), HEX(%s)", (t, t, t))
            value, length, hexed = cur.fetchone()
            expect_eq(value, t, "round trip")
            expect_eq(length, len(t), "CHAR_LENGTH of %r" % t)
            expect_eq(hexed, t.encode("utf-8").hex().upper(), "bytes of %r" % t)
        cur.execute("SELECT %(a)s + %(b)s, %(n)s IS NULL", {"a": 40, "b": 2, "n": None})
        expect_eq(cur.fetchone(), (42, 1), "named parameters")


@test
def pymysql_wrong_password():
    try:
        connect_pymysql(password="wrong-pass")
        raise AssertionError("login with a wrong password succeeded")
    except pymysql.err.OperationalError as e:
        expect_eq(e.args[0], 1045, "error code")


@test
def pymysql_multi_statement_and_many_rows():
    from pymysql.constants import CLIENT
    with connect_pymysql(client_flag=CLIENT.MULTI_STATEMENTS) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1; SELECT 2, 3")
        expect_eq(cur.fetchall(), ((1,),), "first result")
        expect_eq(cur.nextset(), True, "second result exists")
        expect_eq(cur.fetchall(), ((2, 3),), "second result")
        expect_eq(cur.nextset(), None, "no third result")
    with connect_pymysql(cursorclass=pymysql.cursors.SSCursor) as conn, conn.cursor() as cur:
        cur.execute("SELECT seq, REPEAT('x', seq % 100) FROM seq_1_to_50000")
        n = total = 0
        for seq, text in cur:
            n += 1
            total += seq
            if len(text) != seq % 100:
                raise AssertionError("row %d: wrong text length %d" % (seq, len(text)))
        expect_eq((n, total), (50000, 50000 * 50001 // 2), "streamed rows")


# ------------------------------------------------------------------ MySQLdb

@test
def mysqldb_query():
    conn = connect_mysqldb()
    try:
        cur = conn.cursor()
        cur.execute("SELECT CURRENT_USER(), %s, CHAR_LENGTH(%s)", ("ünïcødé 😀", "ünïcødé 😀"))
        expect_eq(cur.fetchone(), ("app@%", "ünïcødé 😀", 9), "row")
        try:
            cur.execute("SELEC 1")
            raise AssertionError("bad SQL succeeded")
        except MySQLdb.ProgrammingError as e:
            expect_eq(e.args[0], 1064, "error code")
        cur.execute("SELECT 1 + 1")
        expect_eq(cur.fetchone(), (2,), "query after error")
    finally:
        conn.close()


@test
def mysqldb_compressed_protocol():
    # compress=True: MYSQL_OPT_COMPRESS in the C library underneath. (PyMySQL has no compressed
    # protocol at all: it refuses compress=True.)
    conn = connect_mysqldb(compress=True)
    try:
        cur = conn.cursor()
        cur.execute("SELECT REPEAT('compressible ', 100000), %s", ("ünïcødé 😀",))
        expect_eq(cur.fetchone(), ("compressible " * 100000, "ünïcødé 😀"), "row")
        try:
            cur.execute("SELEC 1")
            raise AssertionError("bad SQL succeeded")
        except MySQLdb.ProgrammingError as e:
            expect_eq(e.args[0], 1064, "error code")
        cur.execute("CREATE TEMPORARY TABLE py_compressed (id INT PRIMARY KEY, b LONGBLOB)")
        blob = os.urandom(3 << 20)
        cur.execute("INSERT INTO py_compressed VALUES (1, %s)", (blob,))
        cur.execute("SELECT b, LENGTH(b) FROM py_compressed WHERE id = 1")
        got, length = cur.fetchone()
        expect_eq(length, len(blob), "stored length")
        expect_eq(got == blob, True, "3 MiB of random bytes back unchanged")
    finally:
        conn.close()


@test
def mysqldb_wrong_password():
    try:
        connect_mysqldb(password="wrong-pass")
        raise AssertionError("login with a wrong password succeeded")
    except MySQLdb.OperationalError as e:
        expect_eq(e.args[0], 1045, "error code")


# ------------------------------------------------------------------ proxy process

# ------------------------------------------------------------------ TLS and caching_sha2_password

def tls_dir():
    return os.path.join(os.environ.get("CLUSTER_DIR", ""), "tls")


def tls_args():
    return dict(ssl_ca=os.path.join(tls_dir(), "ca.pem"), ssl_verify_cert=True, ssl_verify_identity=True)


def proxy_only():
    """The proxy's own features: nothing to check against a bare MariaDB server."""
    return DIRECT


@test
def pymysql_tls_with_verified_certificate():
    if proxy_only():
        return
    with connect_pymysql(**tls_args()) as conn, conn.cursor() as cur:
        expect_eq(isinstance(conn._sock, ssl.SSLSocket), True, "socket is TLS")
        expect_eq(conn._sock.version() in ("TLSv1.2", "TLSv1.3"), True, "TLS version " + conn._sock.version())
        cur.execute("SELECT 6 * 7")
        expect_eq(cur.fetchone(), (42,), "row")


@test
def pymysql_caching_sha2_over_tls_full_then_fast():
    if proxy_only():
        return
    for attempt in ("full", "fast"):
        with connect_pymysql(user="py_sha2_tls", password=SHA2_PASSWORD, **tls_args()) as conn, conn.cursor() as cur:
            cur.execute("SELECT CURRENT_USER()")
            expect_eq(cur.fetchone(), ("py_sha2_tls@%",), "user after %s authentication" % attempt)
    try:
        connect_pymysql(user="py_sha2_tls", password="wrong", **tls_args()).close()
        raise AssertionError("a wrong password logged in")
    except pymysql.err.OperationalError as e:
        expect_eq(e.args[0], 1045, "error code")


@test
def pymysql_caching_sha2_with_rsa_exchange():
    if proxy_only():
        return
    for attempt in ("full (RSA)", "fast"):
        with connect_pymysql(user="py_sha2_rsa", password=SHA2_PASSWORD) as conn, conn.cursor() as cur:
            expect_eq(isinstance(conn._sock, ssl.SSLSocket), False, "socket is plain TCP")
            cur.execute("SELECT CURRENT_USER()")
            expect_eq(cur.fetchone(), ("py_sha2_rsa@%",), "user after %s authentication" % attempt)


# ------------------------------------------------------------------ zstd (raw protocol)

def _recv_exact(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise AssertionError("connection closed after %d of %d bytes" % (len(out), n))
        out += chunk
    return out


def _frame(seq, payload):
    return len(payload).to_bytes(3, "little") + bytes([seq]) + payload


def _zstd(data, decompress=False):
    # The zstd command line makes one frame per call, as the protocol wants one per packet.
    args = ["zstd", "-q", "-c"] + (["-d"] if decompress else ["-3"])
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


def _raw_login(extra_caps, zstd_level=None):
    """Logs in as app with a hand-made HandshakeResponse41 (mysql_native_password); returns the
    socket, the login's OK read. Checks that the greeting offers both compression flags."""
    import hashlib
    sock = socket.create_connection((HOST, PORT), timeout=10)
    header = _recv_exact(sock, 4)
    greeting = _recv_exact(sock, int.from_bytes(header[:3], "little"))
    pos = greeting.index(b"\0", 1) + 1 + 4
    scramble = greeting[pos:pos + 8]
    pos += 8 + 1
    caps = int.from_bytes(greeting[pos:pos + 2], "little")
    caps |= int.from_bytes(greeting[pos + 5:pos + 7], "little") << 16
    expect_eq(bool(caps & (1 << 26)), True, "the greeting offers zstd")
    expect_eq(bool(caps & (1 << 5)), True, "the greeting offers zlib")
    scramble += greeting[pos + 7 + 1 + 10:pos + 7 + 1 + 10 + 12]
    stage1 = hashlib.sha1(b"app-pass").digest()
    token = bytes(a ^ b for a, b in zip(stage1, hashlib.sha1(scramble + hashlib.sha1(stage1).digest()).digest()))
    # PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH | LONG_PASSWORD | TRANSACTIONS
    client_caps = (1 << 9) | (1 << 15) | (1 << 19) | 1 | (1 << 13) | extra_caps
    response = (client_caps.to_bytes(4, "little") + (1 << 24).to_bytes(4, "little") + bytes([45]) +
                bytes(23) + b"app\0" + bytes([len(token)]) + token + b"mysql_native_password\0")
    if zstd_level is not None:
        response += bytes([zstd_level])
    sock.sendall(_frame(1, response))
    header = _recv_exact(sock, 4)
    ok = _recv_exact(sock, int.from_bytes(header[:3], "little"))
    expect_eq(ok[0], 0, "login OK (got %r)" % ok[:60])
    return sock


@test
def raw_client_sending_bad_compressed_packets_is_closed():
    # A zlib client whose compressed packets don't decompress to what they announce (here a
    # "bomb" header: 16 MiB announced for a few bytes of garbage) is dropped; others go on.
    if proxy_only():
        return
    for payload in (b"\x78\x9c garbage", zlib.compress(b"short")):
        with _raw_login(1 << 5) as sock:
            sock.sendall(len(payload).to_bytes(3, "little") + b"\0" + (0xffffff).to_bytes(3, "little") + payload)
            sock.settimeout(5)
            rest = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                rest += chunk
            expect_eq(len(rest) < 200, True, "at most an ERR before the close (got %d bytes)" % len(rest))
    with connect_pymysql() as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
        expect_eq(cur.fetchone(), (1,), "the proxy still serves")


@test
def raw_client_with_zstd_compression():
    # No client library here speaks zstd (MariaDB's don't): a minimal MySQL 8-style client logs
    # in asking for CLIENT_ZSTD_COMPRESSION_ALGORITHM at level 3 and runs one query.
    if proxy_only():
        return
    with _raw_login((1 << 26), zstd_level=3) as sock:
        sql = b"SELECT REPEAT('zstd compressed ', 2000) AS r"
        inner = _frame(0, b"\x03" + sql)
        packed = _zstd(inner)
        sock.sendall(len(packed).to_bytes(3, "little") + b"\0" + len(inner).to_bytes(3, "little") + packed)

        # The answer: compressed packets numbered from 1; the result set inside.
        inner, seqs, zstd_frames = b"", [], 0
        while True:
            h = _recv_exact(sock, 7)
            length, seq, plain = int.from_bytes(h[:3], "little"), h[3], int.from_bytes(h[4:], "little")
            payload = _recv_exact(sock, length)
            seqs.append(seq)
            if plain:
                expect_eq(payload[:4], b"\x28\xb5\x2f\xfd", "zstd frame magic")
                zstd_frames += 1
                payload = _zstd(payload, decompress=True)
                expect_eq(len(payload), plain, "announced length")
            inner += payload
            frames, p = [], 0
            while len(inner) - p >= 4 and len(inner) - p - 4 >= int.from_bytes(inner[p:p + 3], "little"):
                n = int.from_bytes(inner[p:p + 3], "little")
                frames.append(inner[p + 4:p + 4 + n])
                p += 4 + n
            # column count, column definition, EOF, row, EOF
            if len(frames) >= 5 and frames[-1][:1] == b"\xfe" and len(frames[-1]) < 9:
                break
        expect_eq(seqs[0], 1, "the answer continues the command's compressed sequence id")
        expect_eq(zstd_frames >= 1, True, "some of the answer travelled as zstd")
        expect_eq(frames[3], bytes([0xfc]) + (32000).to_bytes(2, "little") + b"zstd compressed " * 2000, "row")


@test
def node_mysql2_clients():
    if proxy_only():
        return
    node_dir = os.environ.get("MYSQL2_NODE_DIR", "")
    if not node_dir:
        raise AssertionError("MYSQL2_NODE_DIR is not set (the folder holding node_modules/mysql2)")
    env = dict(os.environ, PROXY_HOST=HOST, PROXY_PORT=str(PORT), TLS_CA=os.path.join(tls_dir(), "ca.pem"),
               SHA2_PASSWORD=SHA2_PASSWORD)
    run = subprocess.run(["node", NODE_TEST], env=env, capture_output=True, text=True, timeout=120)
    sys.stdout.write("".join("  node | " + l + "\n" for l in run.stdout.splitlines()))
    if run.returncode != 0:
        raise AssertionError("mysql2 checks failed (exit %d):\n%s" % (run.returncode, run.stderr[-3000:]))


def create_sha2_users(env):
    """The accounts exist on the servers (replicated) before the proxy logs in as them."""
    sql = "".join("CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s'; GRANT SELECT ON proxytest.* TO '%s'@'%%';"
                  % (user, SHA2_PASSWORD, user) for user in SHA2_USERS)
    subprocess.run([CLUSTER_SH, "sql", "primary", sql], check=True, env=env)  # as the servers' admin
    deadline = time.monotonic() + 30
    for port_var in ("CLUSTER_REPLICA1_PORT", "CLUSTER_REPLICA2_PORT"):
        while True:
            try:
                pymysql.connect(host=HOST, port=int(env[port_var]), user=SHA2_USERS[-1],
                                password=SHA2_PASSWORD).close()
                break
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_proxy(binary, workdir, env):
    port = free_port()
    config = os.path.join(workdir, "proxy.yaml")
    lines = [
        "listen: { address: 127.0.0.1, port: %d }" % port,
        "workers: 2",
        "backends:",
        "  - { name: primary, host: 127.0.0.1, port: %s, role: primary }" % env["CLUSTER_PRIMARY_PORT"],
        "  - { name: replica1, host: 127.0.0.1, port: %s, role: replica }" % env["CLUSTER_REPLICA1_PORT"],
        "  - { name: replica2, host: 127.0.0.1, port: %s, role: replica }" % env["CLUSTER_REPLICA2_PORT"],
        "users:",
        "  - { name: app, password: app-pass }",
        "  - { name: app2, password: app2-pass }",
    ]
    # The *_tls users may only log in over TLS, so a login proves it was TLS.
    lines += ["  - { name: %s, password: %s, auth_plugin: caching_sha2_password, require_tls: %s }"
              % (u, SHA2_PASSWORD, "true" if u.endswith("_tls") else "false") for u in SHA2_USERS]
    lines += [
        "tls: { cert_file: %s/server.pem, key_file: %s/server-key.pem }" % (tls_dir(), tls_dir()),
        "timeouts: { connect: 2s, handshake: 10s, idle: 0, query: 0 }",
        "logging: { level: debug, format: text }",
        "routing: { consistency: global, consistency_timeout: 5s }",
        "health: { user: monitor, password: monitor-pass }",
        "admin: { enabled: false }",
    ]
    with open(config, "w") as f:
        f.write("\n".join(lines) + "\n")
    log = open(os.path.join(workdir, "proxy.log"), "wb")
    proc = subprocess.Popen([binary, "--config", config], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("proxy exited with %s before accepting connections" % proc.returncode)
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    stop_proxy(proc)
    raise RuntimeError("proxy did not accept connections on port %d within 10 s" % port)


def stop_proxy(proc):
    if proc.poll() is not None:
        return "exited with %s" % proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
        return "stopped with %s" % proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "did not stop within 5 s of SIGTERM; killed"


def print_log_tail(workdir):
    path = os.path.join(workdir, "proxy.log")
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            lines = f.readlines()[-60:]
        sys.stderr.write("---- last lines of the proxy log (%s):\n" % path)
        sys.stderr.write("".join("  | " + l for l in lines))
        sys.stderr.write("----\n")


def main():
    global PORT
    missing = [v for v in ("CLUSTER_PRIMARY_PORT", "CLUSTER_REPLICA1_PORT", "CLUSTER_REPLICA2_PORT")
               if not os.environ.get(v)]
    if missing:
        print("FAIL: %s not set: run scripts/cluster.sh start and eval $(scripts/cluster.sh env)"
              % ", ".join(missing), file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    global DIRECT
    direct = DIRECT = os.environ.get("MYSQLPROXY_TEST_DIRECT") == "1"
    workdir = tempfile.mkdtemp(prefix="mysqlproxy-py-")
    proc = None
    passed = failed = 0
    try:
        if direct:
            PORT = int(os.environ["CLUSTER_PRIMARY_PORT"])
            print("direct mode: talking to the primary on port %d" % PORT)
        else:
            binary = sys.argv[1] if len(sys.argv) > 1 else ""
            if not binary or not os.access(binary, os.X_OK):
                print("FAIL: proxy binary %r missing or not executable" % binary, file=sys.stderr)
                print("0 passed, 1 failed")
                return 1
            create_sha2_users(os.environ)
            proc, PORT = start_proxy(binary, workdir, os.environ)
            print("proxy pid %d on port %d" % (proc.pid, PORT))

        for fn in TESTS:
            t0 = time.monotonic()
            try:
                fn()
                passed += 1
                print("PASS: %s (%.2f s)" % (fn.__name__, time.monotonic() - t0))
            except Exception:  # noqa: BLE001 - report every failure and go on
                failed += 1
                print("FAIL: %s" % fn.__name__)
                traceback.print_exc(file=sys.stdout)
            if proc is not None and proc.poll() is not None:
                failed += 1
                print("FAIL: proxy process exited with %s during %s" % (proc.returncode, fn.__name__))
                break
    except Exception:  # noqa: BLE001
        failed += 1
        traceback.print_exc()
    finally:
        if proc is not None:
            how = stop_proxy(proc)
            if failed:
                print("proxy %s" % how)
        if failed and not direct:
            print_log_tail(workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
