"""gunicorn settings of the web process (Dockerfile, docker-compose, benchmarks).

Sync workers by default, behind a buffering proxy (the compose file's `proxy`,
nginx): each request is accepted by whichever worker is free, so clients share
the workers evenly. gthread workers keep a client's connection for as long as it
stays open, and connections pile up on whichever worker accepted them first: in
the submission bench one worker held most of the clients, whose requests waited
several times as long as the others' (figures in docs/performance.md). Reused
connections let gthread serve more requests a second, but as much for a trivial
endpoint as for a submission, so the bench's ratio is the same with either.

A sync worker is held by a client for the whole upload, so a slow client ties up
a worker: without a proxy in front, set GUNICORN_WORKER_CLASS=gthread. Where the
database is across a network, a request waits longer on it, and gthread with more
threads (GUNICORN_THREADS) pays. Each thread keeps its own database connection:
WEB_CONCURRENCY × GUNICORN_THREADS must stay below PostgreSQL's max_connections,
with room for the Celery workers.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or "sync"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
# "-" logs each request to standard output; an empty value turns the log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Behind the proxy, the address in gunicorn's access log is the proxy's; the
# application reads the client's from X-Forwarded-For (SURVEY_TRUSTED_PROXIES).
# Invitation tokens are masked in the access log (config/logs.py).
logger_class = "config.gunicorn_logging.MaskingLogger"
