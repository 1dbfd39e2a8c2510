"""Submission CPU: what one POST /api/v1/responses/ costs the web process and its
PostgreSQL backend, against the trivial endpoint, in one process with no server
and one client, in interleaved rounds.

    DATABASE_URL=postgres://.../sipas_bench_1m REDIS_URL=redis://127.0.0.1:6379/8 \
        python bench/submit_cpu.py --rounds 20

bench/submit.py measures throughput under load: how many submissions the
machine serves. This says where their CPU goes: the web process (middleware,
DRF, validation, the rate counter's client, the INSERT's client side) and the
database backend (the health check, the INSERT and its commit), each against
the trivial endpoint, with production settings, the application called through
WSGI (the HTTP server is left out). The endpoints alternate in short rounds and
CPU time is counted rather than elapsed time; even so, on a machine whose
speed drifts the ratio moves between runs (0.13 to 0.20 in six runs on one
machine, docs/performance.md): compare changes in paired runs, not across
hours.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, bench_env, emit, median  # noqa: E402

API = "/api/v1/responses/"
BASELINE = "/bench/baseline/"


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU of a local process (Linux /proc); None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wsgi_post(app, path: str, body: bytes) -> str:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "*/*",
        "HTTP_USER_AGENT": "bench/submit_cpu",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info=None) -> None:
        statuses.append(status)

    answer = app(environ, start_response)
    b"".join(answer)
    answer.close()
    return statuses[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="?")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="per round")
    parser.add_argument("--keep", action="store_true", help="keep the responses")
    parser.add_argument("--json")
    args = parser.parse_args()
    os.environ.update(bench_env(os.environ["DATABASE_URL"]))
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from bench.submit import payload_parts, submission
    from surveys.models import Response

    app = get_wsgi_application()
    parts = payload_parts()
    rng = random.Random(7)
    first = Response.objects.order_by("-id").values_list("id", flat=True).first() or 0
    # Warm both paths (reference caches, connections, the counting script).
    for path in (BASELINE, API):
        for _ in range(20):
            wsgi_post(app, path, json.dumps(submission(parts, rng)).encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    per_round: dict[str, list[tuple[float, float | None]]] = {BASELINE: [], API: []}
    for number in range(args.rounds):
        order = (BASELINE, API) if number % 2 == 0 else (API, BASELINE)
        for path in order:
            bodies = [
                json.dumps(submission(parts, rng)).encode()
                for _ in range(args.requests)
            ]
            db_before, started = cpu_seconds(backend), time.process_time()
            for body in bodies:
                status = wsgi_post(app, path, body)
                if not status.startswith("201"):
                    raise SystemExit(f"{path} answered {status}")
            own = (time.process_time() - started) / args.requests * 1000
            db_after = cpu_seconds(backend)
            db = (
                None
                if db_before is None or db_after is None
                else (db_after - db_before) / args.requests * 1000
            )
            per_round[path].append((own, db))
    if not args.keep:
        Response.objects.filter(id__gt=first).delete()

    def med(path: str, index: int) -> float | None:
        values = [r[index] for r in per_round[path] if r[index] is not None]
        return median(values) if values else None

    pairs = zip(per_round[API], per_round[BASELINE], strict=True)
    ratios = [base[0] / api[0] for api, base in pairs]
    note = f"median of {args.rounds} interleaved rounds of {args.requests}"
    label = "trivial endpoint, same process"
    rows = [
        Row(
            "1 submit",
            "web process CPU per request (in-process)",
            med(API, 0),
            "ms",
            baseline=med(BASELINE, 0),
            baseline_name=label,
            note=note,
            data=args.data,
        ),
        Row(
            "1 submit",
            "trivial / submission, web process CPU (median of rounds)",
            median(ratios),
            "",
            note="the share of the baseline's rate one core could give submissions",
            data=args.data,
        ),
        Row(
            "1 submit",
            "PostgreSQL backend CPU per submission",
            med(API, 1),
            "ms",
            baseline=med(BASELINE, 1),
            baseline_name=label,
            data=args.data,
        ),
    ]
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
