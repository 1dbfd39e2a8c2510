"""gunicorn settings of the web process (Dockerfile, docker-compose, benchmarks).

gthread workers keep client connections alive between requests. One thread per
worker by default: with PostgreSQL on the same two cores the server is bound by
CPU, and 8 threads per worker gave less throughput and a worse p99 than 1
(docs/performance.md). Where the database is across a network, a request waits
longer on it and more threads pay: raise GUNICORN_THREADS. Each thread keeps its
own database connection: WEB_CONCURRENCY × GUNICORN_THREADS must stay below
PostgreSQL's max_connections, with room for the Celery workers.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
# "-" logs each request to standard output; an empty value turns the log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
