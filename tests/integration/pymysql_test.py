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

import MySQLdb
import pymysql

HOST = "127.0.0.1"
PORT = None  # set in main()
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
def mysqldb_wrong_password():
    try:
        connect_mysqldb(password="wrong-pass")
        raise AssertionError("login with a wrong password succeeded")
    except MySQLdb.OperationalError as e:
        expect_eq(e.args[0], 1045, "error code")


# ------------------------------------------------------------------ proxy process

def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_proxy(binary, workdir, env):
    port = free_port()
    config = os.path.join(workdir, "proxy.yaml")
    with open(config, "w") as f:
        f.write(
            "listen: { address: 127.0.0.1, port: %d }\n"
            "workers: 2\n"
            "backends:\n"
            "  - { name: primary, host: 127.0.0.1, port: %s, role: primary }\n"
            "  - { name: replica1, host: 127.0.0.1, port: %s, role: replica }\n"
            "  - { name: replica2, host: 127.0.0.1, port: %s, role: replica }\n"
            "users:\n"
            "  - { name: app, password: app-pass }\n"
            "  - { name: app2, password: app2-pass }\n"
            "timeouts: { connect: 2s, handshake: 10s, idle: 0, query: 0 }\n"
            "logging: { level: debug, format: text }\n"
            "routing: { consistency: global, consistency_timeout: 5s }\n"
            "health: { user: monitor, password: monitor-pass }\n"
            "admin: { enabled: false }\n"
            % (port, env["CLUSTER_PRIMARY_PORT"], env["CLUSTER_REPLICA1_PORT"], env["CLUSTER_REPLICA2_PORT"]))
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

    direct = os.environ.get("MYSQLPROXY_TEST_DIRECT") == "1"
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
