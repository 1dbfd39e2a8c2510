"""gunicorn settings of the web process (Dockerfile, docker-compose, benchmarks).

Threaded workers: a submission spends most of its time waiting for PostgreSQL to
commit, and a sync worker waits idle meanwhile (measured in docs/performance.md).
Each thread keeps its own database connection: WEB_CONCURRENCY × GUNICORN_THREADS
must stay below PostgreSQL's max_connections, with room for the workers.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
# "-" logs each request to standard output; an empty value turns the log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
