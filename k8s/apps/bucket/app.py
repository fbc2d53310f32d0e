#!/usr/bin/python3
"""bucket: a small FastAPI JSON API over the demo departments, through mysql-proxy.

Reads are autocommit statements (the proxy sends them to a replica); the insert runs in an
explicit transaction (the proxy keeps a transaction on the primary). Every answer that touched
the database says which server answered ("served_by", as the server reports it).

Env: MYSQL_HOST (mysql-proxy), MYSQL_PORT (3306), MYSQL_USER (app), MYSQL_PASSWORD (required),
MYSQL_DATABASE (demo), PROXY_ADMIN_URL (http://mysql-proxy:9180), PROXY_ADMIN_TOKEN (the proxy's
admin read token, sent as a bearer token; unset: none, which only a proxy on the same host
answers), PORT (8082), BIND_ADDRESS (0.0.0.0). Run: python3 app.py (uvicorn).
"""

import json
import os
import urllib.error
import urllib.request

import pymysql
import uvicorn
from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, constr

import db

PREFIX = "/bucket"
SERVED_COLUMNS = "@@server_id AS server_id, @@port AS port, @@hostname AS hostname"
# Rows and the answering server in one statement: each autocommit statement is routed on its
# own, so a second "SELECT @@server_id" could land on another replica.
DEPARTMENTS_SQL = """
SELECT d.dept_no, d.dept_name, COUNT(e.emp_no) AS employees, %s
FROM departments d LEFT JOIN employees e ON e.dept_no = d.dept_no
GROUP BY d.dept_no, d.dept_name
ORDER BY d.dept_no
""" % SERVED_COLUMNS
# Highest d### number; FOR UPDATE serialises concurrent inserts on the primary.
MAX_DEPT_SQL = """
SELECT COALESCE(MAX(CAST(SUBSTRING(dept_no, 2) AS UNSIGNED)), 0) AS n
FROM departments WHERE dept_no REGEXP '^d[0-9]{3}$' FOR UPDATE
"""

POOL = db.Pool(db.settings_from_env("bucket"))
DB = POOL.settings
PROXY_ADMIN_URL = os.environ.get("PROXY_ADMIN_URL", "http://mysql-proxy:9180").rstrip("/")
PROXY_ADMIN_TOKEN = os.environ.get("PROXY_ADMIN_TOKEN", "")


def served_by(row):
    return {"server_id": row["server_id"], "port": row["port"], "hostname": row["hostname"]}


def db_error(e):
    return HTTPException(status_code=503, detail="database error: %s" % e)


class NewDepartment(BaseModel):
    dept_name: constr(strip_whitespace=True, min_length=1, max_length=40)


router = APIRouter(prefix=PREFIX)


@router.get("")
def status():
    backend = {"host": DB["host"], "port": DB["port"], "database": DB["database"]}
    try:
        with POOL.connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT " + SERVED_COLUMNS)
            backend["served_by"] = served_by(cur.fetchone())
    except pymysql.MySQLError as e:
        backend["error"] = str(e)
        return JSONResponse({"status": "error", "app": "bucket", "backend": backend}, status_code=503)
    return {"status": "ok", "app": "bucket", "backend": backend}


@router.get("/healthz")
def healthz():
    return {"status": "ok", "app": "bucket"}


@router.get("/depts")
def list_departments():
    try:
        with POOL.connection() as conn, conn.cursor() as cur:
            cur.execute(DEPARTMENTS_SQL)
            rows = cur.fetchall()
            if rows:
                rows_served = rows[0]
            else:
                cur.execute("SELECT " + SERVED_COLUMNS)
                rows_served = cur.fetchone()
    except pymysql.MySQLError as e:
        raise db_error(e)
    departments = [{"dept_no": r["dept_no"], "dept_name": r["dept_name"], "employees": r["employees"]}
                   for r in rows]
    return {"departments": departments, "count": len(departments), "served_by": served_by(rows_served)}


@router.post("/depts", status_code=201)
def create_department(body: NewDepartment):
    try:
        with POOL.connection() as conn, conn.cursor() as cur:
            # One explicit transaction: the proxy keeps all of it on the primary, so the
            # @@server_id read below is the server that took the insert. An exception
            # discards the connection, and the transaction with it.
            conn.begin()
            cur.execute(MAX_DEPT_SQL)
            n = cur.fetchone()["n"] + 1
            if n > 999:
                raise HTTPException(status_code=409, detail="no free department number (d001-d999 used)")
            dept_no = "d%03d" % n
            cur.execute("INSERT INTO departments (dept_no, dept_name) VALUES (%s, %s)",
                        (dept_no, body.dept_name))
            cur.execute("SELECT " + SERVED_COLUMNS)
            served = served_by(cur.fetchone())
            conn.commit()
    except pymysql.IntegrityError as e:
        if e.args and e.args[0] == 1062:  # ER_DUP_ENTRY: dept_name is UNIQUE
            raise HTTPException(status_code=409, detail="department %r already exists" % body.dept_name)
        raise db_error(e)
    except pymysql.MySQLError as e:
        raise db_error(e)
    return {"dept_no": dept_no, "dept_name": body.dept_name, "served_by": served}


@router.get("/pool")
def proxy_pool():
    # Fetched server-side so the browser never talks to the admin API.
    url = PROXY_ADMIN_URL + "/api/v1/pool"
    request = urllib.request.Request(url)
    if PROXY_ADMIN_TOKEN:
        request.add_header("Authorization", "Bearer " + PROXY_ADMIN_TOKEN)
    try:
        with urllib.request.urlopen(request, timeout=3) as resp:
            pool = json.load(resp)
    except (urllib.error.URLError, OSError, ValueError) as e:
        return JSONResponse({"error": "cannot read %s: %s" % (url, e)}, status_code=502,
                            headers={"Cache-Control": "no-store"})
    return JSONResponse(pool, headers={"Cache-Control": "no-store"})


app = FastAPI(title="bucket", docs_url=PREFIX + "/docs", openapi_url=PREFIX + "/openapi.json",
              redoc_url=None)
app.include_router(router)


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("BIND_ADDRESS", "0.0.0.0"),
                port=int(os.environ.get("PORT", "8082")))
