"""What the demo apps' tests (and the browser test) need to know about the stack they test:
the primary's connection and server_id, asked of the primary directly so a test can tell which
server answered a request."""

import os


def primary_connection():
    """A pymysql connection to CLUSTER_PRIMARY_HOST:CLUSTER_PRIMARY_PORT, or None when unset."""
    port = os.environ.get("CLUSTER_PRIMARY_PORT")
    if not port:
        return None
    import pymysql  # only needed here: the apps' images don't ship it for tests
    return pymysql.connect(host=os.environ.get("CLUSTER_PRIMARY_HOST", "127.0.0.1"), port=int(port),
                           user=os.environ.get("MYSQL_USER", "app"),
                           password=os.environ.get("MYSQL_PASSWORD", "app-pass"),
                           database=os.environ.get("MYSQL_DATABASE", "demo"),
                           connect_timeout=5, autocommit=True)


def primary_server_id():
    """PRIMARY_SERVER_ID, or the primary's @@server_id asked directly."""
    if os.environ.get("PRIMARY_SERVER_ID"):
        return int(os.environ["PRIMARY_SERVER_ID"])
    conn = primary_connection()
    if conn is None:
        raise RuntimeError("set PRIMARY_SERVER_ID or CLUSTER_PRIMARY_PORT to tell the primary")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT @@server_id")
            return cur.fetchone()[0]
    finally:
        conn.close()
