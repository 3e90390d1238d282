"""Gunicorn settings for every deployment (`make run`, docker compose): `gunicorn -c python:kraken.gunicorn`.

Why gthread: every door is synchronous Django (ORM, DRF, graphene), and a request spends most of its
time waiting on PostgreSQL. Threads let one process overlap those waits; the GIL caps a process at
one core of Python, so there is one process per core. ASGI workers (uvicorn) would run the same
sync views in a thread pool with an event loop's overhead on top, for nothing here.

Each process pools its database connections (Django's `pool` option, psycopg_pool) with one
connection per thread, so a burst of requests never opens connections on the hot path; the pool
size is handed to the settings through DATABASE_POOL_MAX_SIZE.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
threads = int(os.environ.get("WEB_THREADS", "8"))
bind = os.environ.get(
    "WEB_BIND", f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
keepalive = 5
timeout = 60
graceful_timeout = 30
# Recycle workers now and then, jittered so they never restart together.
max_requests = 20_000
max_requests_jitter = 2_000
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")

os.environ.setdefault("DATABASE_POOL_MAX_SIZE", str(threads))
