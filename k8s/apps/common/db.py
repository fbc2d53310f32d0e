"""MySQL connections through mysql-proxy: settings from the environment and a small pool.

The same file is in k8s/apps/vew and k8s/apps/bucket (keep them identical) so that each app
folder is a self-contained image build context.

Connections are reused (LIFO, up to `size` idle ones): the proxy takes turns over the replicas
within each client session, so a reused session spreads its reads, while a new session per
request would start at the same replica every time.
"""

import contextlib
import os
import sys
import threading

import pymysql


def settings_from_env(app):
    password = os.environ.get("MYSQL_PASSWORD")
    if password is None:
        sys.exit("%s: MYSQL_PASSWORD is not set" % app)
    return dict(host=os.environ.get("MYSQL_HOST", "mysql-proxy"),
                port=int(os.environ.get("MYSQL_PORT", "3306")),
                user=os.environ.get("MYSQL_USER", "app"),
                password=password,
                database=os.environ.get("MYSQL_DATABASE", "demo"))


def _discard(conn):
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - already closed by a failed read or ping
        pass


class Pool:
    def __init__(self, settings, size=4):
        self.settings = settings
        self._size = size
        self._idle = []
        self._lock = threading.Lock()

    def _connect(self):
        return pymysql.connect(**self.settings, charset="utf8mb4", autocommit=True,
                               connect_timeout=5, read_timeout=10, write_timeout=10,
                               cursorclass=pymysql.cursors.DictCursor)

    def _checkout(self):
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._connect()
            try:
                conn.ping(reconnect=False)  # the proxy may have closed an idle session
                return conn
            except pymysql.MySQLError:
                _discard(conn)

    @contextlib.contextmanager
    def connection(self):
        """An autocommit connection; back to the pool only if the block ended normally."""
        conn = self._checkout()
        try:
            yield conn
        except BaseException:
            # End a transaction the block left open before closing: mysql-proxy keeps the
            # backend connection of a client that vanished mid-transaction, locks and all,
            # until it leases it again, so a bare close would block the next writer.
            try:
                conn.rollback()
            except Exception:  # noqa: BLE001 - the connection is gone, and so is the transaction
                pass
            _discard(conn)  # unknown state (unread result, session variables): never reuse
            raise
        with self._lock:
            if len(self._idle) < self._size:
                self._idle.append(conn)
                return
        _discard(conn)
