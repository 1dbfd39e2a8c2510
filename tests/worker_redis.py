"""A Redis database of its own for each pytest-xdist worker: the tests empty the
cache (`cache.clear()` flushes the whole database) and the worker tests read the
Celery queue, so two workers must not share one. Loaded as a plugin (`-p`, in
pyproject.toml), before Django reads REDIS_URL from the environment; the
databases are the next ones after REDIS_URL's (db 0 gives the workers 1, 2, ...).
PostgreSQL needs nothing here: pytest-django gives each worker its own test
database."""

from __future__ import annotations

import os

REDIS_DATABASES = 16  # Redis's default number of databases


def worker_redis_url(url: str, worker: str) -> str:
    """`url` moved to the database after its own by the worker's number + 1."""
    if not url or not worker.startswith("gw"):
        return url
    base, _, database = url.rpartition("/")
    if not base.startswith("redis"):
        return url
    number = (int(database or 0) + int(worker[2:]) + 1) % REDIS_DATABASES
    return f"{base}/{number}"


_moved = worker_redis_url(
    os.environ.get("REDIS_URL", ""), os.environ.get("PYTEST_XDIST_WORKER", "")
)
if _moved:
    os.environ["REDIS_URL"] = _moved
