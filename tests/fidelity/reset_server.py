#!/usr/bin/python3
"""Puts a fidelity server back in the state a MariaDB regression test expects before it starts.

usage: reset_server.py baseline PORT FILE   record the server's global variables and accounts
       reset_server.py reset PORT FILE      drop what earlier tests left, restore what they changed

mysql-test-run.pl checks this itself only for servers it starts; against --extern a failed test
leaves its tables, users and SET GLOBALs behind and fails the tests after it. Objects are dropped
(every database but the system ones, then `test` again, the users, roles and servers made since
the baseline) and changed global variables set back. Talks to the server directly as root.
"""
import sys

import pymysql

# `mtr` holds mysql-test-run.pl's own procedures (include/mtr_warnings.sql), loaded once by run.sh.
SYSTEM_SCHEMAS = {"mysql", "information_schema", "performance_schema", "sys", "mtr"}
# Globals that move by themselves: never restored.
VOLATILE = {"gtid_binlog_pos", "gtid_binlog_state", "gtid_current_pos", "gtid_slave_pos",
            "timestamp", "last_insert_id", "insert_id", "rand_seed1", "rand_seed2",
            "last_gtid", "pseudo_thread_id", "warning_count", "error_count", "identity",
            "in_transaction", "debug_sync", "gtid_seq_no", "system_time_zone",
            "innodb_buffer_pool_size", "log_error", "general_log_file", "slow_query_log_file",
            "pid_file", "innodb_disallow_writes", "thread_pool_size"}


def connect(port):
    return pymysql.connect(host="127.0.0.1", port=int(port), user="root", password="",
                           autocommit=True, connect_timeout=10, read_timeout=60)


def snapshot(cur):
    cur.execute("SHOW GLOBAL VARIABLES")
    variables = {name.lower(): value for name, value in cur.fetchall()}
    cur.execute("SELECT user, host FROM mysql.user")
    users = {(u, h) for u, h in cur.fetchall()}
    return variables, users


def write_baseline(port, path):
    with connect(port) as conn, conn.cursor() as cur:
        variables, users = snapshot(cur)
    with open(path, "w") as f:
        for name, value in sorted(variables.items()):
            f.write("V\t%s\t%s\n" % (name, value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")))
        for user, host in sorted(users):
            f.write("U\t%s\t%s\n" % (user, host))


def read_baseline(path):
    variables, users = {}, set()
    with open(path) as f:
        for line in f:
            kind, a, b = line.rstrip("\n").split("\t", 2)
            if kind == "V":
                variables[a] = b.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\")
            else:
                users.add((a, b))
    return variables, users


def literal(conn, value):
    if value.lstrip("-").isdigit() or value in ("ON", "OFF"):
        return value
    return conn.escape(value)


def reset(port, path):
    base_vars, base_users = read_baseline(path)
    with connect(port) as conn, conn.cursor() as cur:
        cur.execute("SET SESSION sql_mode='', foreign_key_checks=0, sql_log_bin=0")
        # Connections a test left behind (a hung or killed mysqltest) would hold locks.
        cur.execute("SELECT id FROM information_schema.processlist WHERE id <> CONNECTION_ID() "
                    "AND user NOT IN ('system user', 'event_scheduler', 'root')")
        for (pid,) in cur.fetchall():
            try:
                cur.execute("KILL %d" % pid)
            except pymysql.MySQLError:
                pass
        cur.execute("SELECT schema_name FROM information_schema.schemata")
        for (schema,) in cur.fetchall():
            if schema.lower() not in SYSTEM_SCHEMAS:
                cur.execute("DROP DATABASE `%s`" % schema.replace("`", "``"))
        cur.execute("CREATE DATABASE test")
        cur.execute("DELETE FROM mtr.test_suppressions")
        variables, users = snapshot(cur)
        for user, host in sorted(users - base_users):
            try:
                cur.execute("DROP USER %s@%s" % (conn.escape(user), conn.escape(host)))
            except pymysql.MySQLError:
                cur.execute("DROP ROLE IF EXISTS %s" % conn.escape(user))
        cur.execute("DELETE FROM mysql.servers")
        for name, value in sorted(variables.items()):
            want = base_vars.get(name)
            if want is None or want == value or name in VOLATILE:
                continue
            try:
                cur.execute("SET GLOBAL `%s` = %s" % (name, literal(conn, want)))
            except pymysql.MySQLError as e:
                print("reset_server: cannot restore %s (%s -> %s): %s" % (name, value, want, e),
                      file=sys.stderr)
        cur.execute("FLUSH PRIVILEGES")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("baseline", "reset"):
        sys.exit(__doc__)
    (write_baseline if sys.argv[1] == "baseline" else reset)(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
