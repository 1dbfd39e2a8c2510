"""Reading the figures: median time and number of queries of each page, signed in
as a national administrator, on the data set of DATABASE_URL.

    DATABASE_URL=postgres://.../sipas_bench_1m python bench/read.py --data 1M \
        --url /api/v1/indicators/ --url /admin/indicators/indicatorvalue/

Pages that do not exist (yet) are reported as skipped. The baseline is the bench's
trivial endpoint in the same process; bench/run.py also compares each page with
itself on a small data set (queries must not grow with the rows).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, emit, median, setup  # noqa: E402

DEFAULT_URLS = ["/api/v1/indicators/", "/admin/indicators/indicatorvalue/"]
BASELINE_URL = "/bench/baseline/"


def measure(client, url: str, repeat: int) -> tuple[float, int, int]:
    """Median seconds, queries of one request, and the status code."""
    from django.db import connection

    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    response = client.get(url)  # warm: caches, the connection, first imports
    # Counted by an execute wrapper: the query log (CaptureQueriesContext) came
    # back empty under the test client once a first request had run.
    with connection.execute_wrapper(count):
        response = client.get(url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return median(times), len(queries), response.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="?")
    parser.add_argument("--url", action="append", help="page to read (repeatable)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import Resolver404, resolve

    user, _created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    base, base_queries, _status = measure(client, BASELINE_URL, args.repeat)
    rows = []
    for url in args.url or DEFAULT_URLS:
        try:
            resolve(url.split("?", 1)[0])
        except Resolver404:
            rows.append(Row("5 read", url, None, "", note="page not built yet"))
            continue
        seconds, queries, status = measure(client, url, args.repeat)
        if status == 404:
            rows.append(Row("5 read", url, None, "", note="page not built yet"))
            continue
        if status != 200:
            rows.append(Row("5 read", url, None, "", note=f"HTTP {status}"))
            continue
        rows += [
            Row(
                "5 read",
                f"{url} median",
                seconds * 1000,
                "ms",
                baseline=base * 1000,
                baseline_name="trivial endpoint",
                goal="< 100 ms",
                met=seconds < 0.1,
                note=f"median of {args.repeat}",
                data=args.data,
            ),
            Row(
                "5 read",
                f"{url} queries",
                queries,
                "",
                baseline=base_queries or None,
                baseline_name="trivial endpoint" if base_queries else "",
                data=args.data,
            ),
        ]
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
