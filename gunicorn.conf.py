"""gunicorn settings for `config.wsgi` (the Procfile's web process).

Threaded workers (`gthread`, `WEB_THREADS` threads each): measured against sync workers on
2 cores (docs/benchmark.md, HTTP), they cost W1 and W2 about a quarter less CPU per request:
connections are kept alive, so a request pays no connect, accept and close, and a thread
waiting on PostgreSQL leaves the core to another. The default worker count and timeouts come
from measurement on 2 cores (docs/operations.md, "Production").
"""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The app is imported once, in the master, before the workers fork: a worker that starts (at
# boot, or recycled below) serves at once instead of importing Django first, and the workers
# share the imported code's memory. Nothing connects at import (the database and Redis
# connect on a worker's first request), so no socket is shared across the fork.
preload_app = True
# Recycle workers now and then, so a slow leak in any library cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# The app writes one structured line per request itself (config.middleware).
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """Moves every object the master holds (the preloaded app: about 170,000 of them) out of
    the garbage collector's reach before a worker is forked. A worker's full collection then
    walks only what it made itself: measured on W1, the slowest collection fell from 99 ms to
    13 ms, and with it the slowest request (docs/benchmark.md). The frozen objects also stay
    untouched, so their memory stays shared with the master."""
    gc.freeze()
