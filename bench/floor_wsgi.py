"""The HTTP floor (`manage.py benchmark --http`): a plain WSGI app with no framework, served
by the same gunicorn settings as the project. For each URL it runs the SQL the project ran
for it (captured by the benchmark into `FLOOR_STATEMENTS`, a JSON file of `{url: [sql]}`)
through raw psycopg and answers the rows dumped by orjson.

It imports nothing from Django, so a worker costs what the floor costs.
"""

import os

import orjson
import psycopg
from psycopg.rows import dict_row

with open(os.environ["FLOOR_STATEMENTS"], "rb") as handle:
    STATEMENTS = {
        url: [sql.encode() for sql in sqls] for url, sqls in orjson.loads(handle.read()).items()
    }
_connection = None


def connection():
    """One connection per worker, opened on its first request (after gunicorn's fork)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection


def application(environ, start_response):
    query = environ.get("QUERY_STRING")
    url = environ["PATH_INFO"] + (f"?{query}" if query else "")
    statements = STATEMENTS.get(url)
    if statements is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not a benchmark url"]
    body = b""
    with connection().cursor(row_factory=dict_row) as cursor:
        for sql in statements:
            cursor.execute(sql)
            body = orjson.dumps(cursor.fetchall() if cursor.description else [], default=str)
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
