#!/usr/bin/python3
"""The client side of the container checks, run inside the tester container on the stack's
network: it reaches everything by Service name, as an app in the cluster does. Each command
prints one JSON object; run_checks.py judges it.

Credentials come from the environment (APP_PASSWORD, ROOT_PASSWORD, ADMIN_READ_TOKEN, ...),
given to the tester from the rendered Secret."""

import json
import os
import sys
import threading
import time
import urllib.request

import pymysql

PROXY = os.environ.get("PROXY_SERVICE", "mysql-proxy")


def connect(host=PROXY, user="app", password=None, database="demo", **kw):
    if password is None:
        password = os.environ["APP_PASSWORD"] if user == "app" else os.environ["ROOT_PASSWORD"]
    return pymysql.connect(host=host, port=3306, user=user, password=password, database=database,
                           connect_timeout=5, read_timeout=30, write_timeout=30, autocommit=True, **kw)


def scalar(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        row = cur.fetchone()
        return None if row is None else row[0]


def routing(reads=60):
    """server_id of plain reads (each on a new connection and on one kept), of reads in a
    transaction, and of the server a write lands on."""
    out = {"fresh_reads": [], "kept_reads": [], "tx_reads": []}
    for _ in range(reads // 2):
        c = connect()
        out["fresh_reads"].append(scalar(c, "SELECT @@server_id"))
        c.close()
    c = connect()
    for _ in range(reads // 2):
        out["kept_reads"].append(scalar(c, "SELECT @@server_id"))
    with c.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS container_checks (id INT AUTO_INCREMENT PRIMARY KEY, "
                    "what VARCHAR(64), server_id INT, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")
        cur.execute("BEGIN")
        cur.execute("SELECT @@server_id")
        out["tx_reads"].append(cur.fetchone()[0])
        cur.execute("INSERT INTO container_checks (what, server_id) VALUES ('routing', @@server_id)")
        out["write_id"] = cur.lastrowid
        cur.execute("COMMIT")
        cur.execute("SELECT server_id FROM container_checks WHERE id = %s FOR UPDATE", (out["write_id"],))
    out["write_server_id"] = scalar(c, "SELECT server_id FROM container_checks WHERE id = %s", (out["write_id"],))
    return out


def reads(n):
    """server_id of n plain reads, each on a new connection."""
    ids = []
    for _ in range(n):
        c = connect()
        ids.append(scalar(c, "SELECT @@server_id"))
        c.close()
    return {"server_ids": ids}


def server(host):
    """A MariaDB pod by its own DNS name, as root: its server_id, read_only and replication."""
    c = connect(host=host, user="root", database=None)
    with c.cursor(pymysql.cursors.DictCursor) as cur:
        cur.execute("SELECT @@server_id AS server_id, @@read_only AS read_only, @@gtid_current_pos AS gtid")
        out = cur.fetchone()
        cur.execute("SHOW SLAVE STATUS")
        s = cur.fetchone()
        out["replication"] = None if s is None else {
            "io": s["Slave_IO_Running"], "sql": s["Slave_SQL_Running"], "master": s["Master_Host"],
            "lag": s["Seconds_Behind_Master"], "error": s["Last_Error"] or s["Last_IO_Error"]}
        for var in ("rpl_semi_sync_master_enabled", "rpl_semi_sync_slave_enabled"):
            cur.execute("SHOW GLOBAL VARIABLES LIKE %s", (var,))
            row = cur.fetchone()
            out[var] = row["Value"] if row else None
    return out


def write_marker(marker):
    """A row written through the proxy; its id."""
    c = connect()
    with c.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS container_checks (id INT AUTO_INCREMENT PRIMARY KEY, "
                    "what VARCHAR(64), server_id INT, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")
        cur.execute("INSERT INTO container_checks (what, server_id) VALUES (%s, @@server_id)", (marker,))
        return {"id": cur.lastrowid}


def find_marker(marker, host=None):
    """How many rows carry the marker: through the proxy, or on one server as root."""
    c = connect() if host is None else connect(host=host, user="root", database="demo")
    return {"count": scalar(c, "SELECT COUNT(*) FROM container_checks WHERE what = %s", (marker,))}


def delete_marker(marker):
    """Deletes the marker's rows through the proxy: the loss a restore undoes."""
    c = connect()
    with c.cursor() as cur:
        return {"deleted": cur.execute("DELETE FROM container_checks WHERE what = %s", (marker,))}


def checksums(host):
    """CHECKSUM TABLE of every table in the databases a backup holds (all but the system
    schemas and the proxy's own), on one server as root: {schema.table: checksum}."""
    c = connect(host=host, user="root", database=None)
    with c.cursor() as cur:
        cur.execute("SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables "
                    "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN "
                    "('mysql', 'information_schema', 'performance_schema', 'sys', 'mysql_proxy') ORDER BY 1")
        tables = [r[0] for r in cur.fetchall()]
        out = {}
        for t in tables:
            schema, name = t.split(".", 1)
            cur.execute(f"CHECKSUM TABLE `{schema}`.`{name}`")
            out[t] = cur.fetchone()[1]
        return out


def http(url, token=None):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return {"status": r.status, "body": r.read().decode(errors="replace")}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "body": e.read().decode(errors="replace")}
    except OSError as e:
        return {"status": 0, "body": str(e)}


def load(seconds, threads=4):
    """Clients doing reads and acknowledged writes through the proxy for `seconds`, as an app
    with a connection pool does: a connection found closed while idle (a proxy draining) is
    replaced before use, and a connect refused is tried again. Any statement that fails counts
    as an error; every acknowledged write must be found afterwards."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    result = {"reads": 0, "writes": 0, "errors": [], "reconnects": 0, "acked": []}

    def worker(n):
        conn = None
        while time.monotonic() < stop:
            try:
                if conn is None or not alive(conn):
                    if conn is not None:
                        with lock:
                            result["reconnects"] += 1
                    conn = connect_retrying()
                with conn.cursor() as cur:
                    cur.execute("SELECT COUNT(*) FROM container_checks")
                    cur.fetchone()
                    cur.execute("INSERT INTO container_checks (what, server_id) VALUES (%s, @@server_id)",
                                (f"load-{n}",))
                    with lock:
                        result["reads"] += 1
                        result["writes"] += 1
                        result["acked"].append(cur.lastrowid)
            except pymysql.MySQLError as e:
                with lock:
                    result["errors"].append(f"{time.strftime('%T')} worker {n}: {e}")
                conn = None
            time.sleep(0.01)

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    c = connect()
    acked = result.pop("acked")
    found = set()
    with c.cursor() as cur:
        for i in range(0, len(acked), 500):
            chunk = acked[i:i + 500]
            cur.execute(f"SELECT id FROM container_checks WHERE id IN ({','.join(['%s'] * len(chunk))})", chunk)
            found |= {r[0] for r in cur.fetchall()}
    result["acked"] = len(acked)
    result["lost"] = sorted(set(acked) - found)[:20]
    return result


def alive(conn):
    """A pooled connection checked before use: False when the server side has closed it."""
    try:
        conn.ping(reconnect=False)
        return True
    except pymysql.MySQLError:
        return False


def connect_retrying(attempts=50):
    for i in range(attempts):
        try:
            return connect()
        except pymysql.err.OperationalError:
            if i == attempts - 1:
                raise
            time.sleep(0.1)


def main(argv):
    cmd, args = argv[0], argv[1:]
    funcs = {"routing": lambda: routing(), "server": lambda: server(args[0]),
             "reads": lambda: reads(int(args[0])),
             "write-marker": lambda: write_marker(args[0]),
             "find-marker": lambda: find_marker(args[0], args[1] if len(args) > 1 else None),
             "delete-marker": lambda: delete_marker(args[0]),
             "checksums": lambda: checksums(args[0]),
             "http": lambda: http(args[0], args[1] if len(args) > 1 else None),
             "load": lambda: load(float(args[0]))}
    try:
        out = funcs[cmd]()
    except pymysql.MySQLError as e:
        out = {"error": str(e)}
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
