#!/usr/bin/python3
"""vew: a read-only Flask page listing the demo departments, read through mysql-proxy.

Served under the path prefix /vew both standalone and behind nginx (which passes the path
unchanged), so the same links work in both places. Shows which backend answered the read, as the
server reports it (@@server_id, @@port, @@hostname).

Env: MYSQL_HOST (mysql-proxy), MYSQL_PORT (3306), MYSQL_USER (app), MYSQL_PASSWORD (required),
MYSQL_DATABASE (demo), PORT (8081, for `python3 app.py`; gunicorn is given --bind).
Production: gunicorn --bind 0.0.0.0:$PORT app:app (see Dockerfile).
"""

import os

import pymysql
from flask import Blueprint, Flask, jsonify, redirect, render_template

import db

PREFIX = "/vew"

# Departments with their head count and, in the same statement, who answered: the proxy routes
# each autocommit statement on its own, so a separate "SELECT @@server_id" could hit another
# replica than the one that produced the rows.
DEPARTMENTS_SQL = """
SELECT d.dept_no, d.dept_name, COUNT(e.emp_no) AS employees,
       @@server_id AS server_id, @@port AS port, @@hostname AS hostname
FROM departments d LEFT JOIN employees e ON e.dept_no = d.dept_no
GROUP BY d.dept_no, d.dept_name
ORDER BY d.dept_no
"""
SERVER_SQL = "SELECT @@server_id AS server_id, @@port AS port, @@hostname AS hostname"


POOL = db.Pool(db.settings_from_env("vew"))


def read_departments():
    """Returns (departments, served_by)."""
    with POOL.connection() as conn, conn.cursor() as cur:
        cur.execute(DEPARTMENTS_SQL)
        rows = cur.fetchall()
        if rows:
            served = {k: rows[0][k] for k in ("server_id", "port", "hostname")}
        else:
            cur.execute(SERVER_SQL)
            served = cur.fetchone()
    departments = [{k: r[k] for k in ("dept_no", "dept_name", "employees")} for r in rows]
    return departments, served


bp = Blueprint("vew", __name__, url_prefix=PREFIX)


@bp.route("")
@bp.route("/")
def index():
    try:
        departments, served = read_departments()
    except pymysql.MySQLError as e:
        return render_template("departments.html", error=str(e), db=POOL.settings), 503
    return render_template("departments.html", departments=departments, served=served, db=POOL.settings,
                           total=sum(d["employees"] for d in departments))


@bp.route("/healthz")
def healthz():
    return jsonify(status="ok", app="vew")


app = Flask(__name__)
app.register_blueprint(bp)


@app.route("/")
def root():
    # Standalone, the page lives under the prefix too.
    return redirect(PREFIX + "/")


if __name__ == "__main__":
    # Development only; the image runs gunicorn.
    app.run(host=os.environ.get("BIND_ADDRESS", "0.0.0.0"), port=int(os.environ.get("PORT", "8081")),
            threaded=True)
