"""Submission over HTTP: POST /api/v1/responses/ under gunicorn with production
settings, 32 concurrent clients, against the bench's trivial JSON endpoint in the
same server; every acknowledged response must be in the database.

    DATABASE_URL=postgres://.../sipas_bench_1m REDIS_URL=redis://127.0.0.1:6379/8 \
        python bench/submit.py --seconds 30

The rate limit is raised for the bench (SURVEY_RATE_LIMIT, SURVEY_BURST_THRESHOLD
in bench/common.py): all clients share one address here. The clients run in a few
processes of threads (stdlib http.client), so that the client's GIL is not the
limit; they share the machine's cores with the server, as the docs say.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import runpy
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PYTHON,
    ROOT,
    Process,
    Row,
    bench_env,
    emit,
    out_dir,
    percentile,
    setup,
)

API = "/api/v1/responses/"
BASELINE = "/bench/baseline/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def payload_parts() -> dict:
    """What realistic submissions are drawn from: active agencies, procedures and
    the criteria of the default questionnaire."""
    from surveys.models import Agency, Procedure, Questionnaire
    from surveys.reference import DEFAULT_QUESTIONNAIRE

    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    return {
        "questionnaire": questionnaire.code,
        "agencies": list(
            Agency.objects.filter(active=True).values_list("code", flat=True)[:2000]
        ),
        "procedures": list(Procedure.objects.values_list("code", flat=True)),
        "criteria": list(
            questionnaire.criteria.order_by("position").values_list("code", flat=True)
        ),
    }


def submission(parts: dict, rng: random.Random) -> dict:
    mood = rng.uniform(0.6, 0.95)
    answers = {
        code: (rng.choice([4, 5]) if rng.random() < mood else rng.choice([1, 2, 3]))
        for code in parts["criteria"]
    }
    return {
        "uid": str(uuid.uuid4()),
        "questionnaire": parts["questionnaire"],
        "agency": rng.choice(parts["agencies"]),
        "procedure": rng.choice(parts["procedures"]),
        "channel": rng.choice(["in_person", "in_person", "online"]),
        "answers": answers,
        "gender": rng.choice(["female", "male", None]),
        "age_band": rng.choice(["under_25", "from_35_to_49", None]),
    }


def _client(port: int, path: str, parts: dict, until: float, seed: int, out: list):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, statuses, acked = [], {}, []
    while time.monotonic() < until:
        body = submission(parts, rng)
        data = json.dumps(body).encode()
        started = time.perf_counter()
        try:
            conn.request(
                "POST",
                path,
                body=data,
                headers={"Content-Type": "application/json", "Host": "127.0.0.1"},
            )
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("connection", "").lower() == "close":
                conn.close()  # gunicorn's sync workers close after each answer
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            acked.append(body["uid"])
    out.append((latencies, statuses, acked))


def _client_process(port, path, parts, until, threads, seed) -> tuple:
    out: list = []
    workers = [
        threading.Thread(target=_client, args=(port, path, parts, until, seed + n, out))
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies, statuses, acked = [], {}, []
    for lat, stat, ack in out:
        latencies += lat
        acked += ack
        for key, value in stat.items():
            statuses[key] = statuses.get(key, 0) + value
    medians = [percentile(lat, 0.50) for lat, _, _ in out if lat]
    return latencies, statuses, acked, medians


def load(port: int, path: str, parts: dict, *, clients: int, seconds: float) -> dict:
    processes = 4 if clients >= 4 else 1
    per = [clients // processes] * processes
    per[0] += clients - sum(per)
    until = time.monotonic() + seconds
    with ProcessPoolExecutor(max_workers=processes) as pool:
        futures = [
            pool.submit(_client_process, port, path, parts, until, threads, n * 1000)
            for n, threads in enumerate(per)
        ]
        results = [future.result() for future in futures]
    latencies, statuses, acked, medians = [], {}, [], []
    for lat, stat, ack, med in results:
        latencies += lat
        acked += ack
        medians += med
        for key, value in stat.items():
            statuses[key] = statuses.get(key, 0) + value
    errors = sum(v for k, v in statuses.items() if k not in (200, 201))
    return {
        "rate": statuses.get(201, 0) / seconds,
        "p50": percentile(latencies, 0.50) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        # How evenly the server shares itself: the slowest client's median
        # latency over the fastest's (1.0: every client waits alike).
        "spread": max(medians) / min(medians),
        "errors": errors,
        "statuses": statuses,
        "acked": acked,
    }


@contextmanager
def start_gunicorn(
    database_url: str, port: int, workers: int, threads: int = 0
) -> Iterator[Process]:
    """gunicorn with the production settings on `port`, once /healthz answers;
    stopped on leaving."""
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--config",
        "config/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    if threads:
        command += ["--threads", str(threads)]
    # The production command also logs each request; left out so that the
    # terminal output does not weigh on the figures.
    env = dict(bench_env(database_url), GUNICORN_ACCESS_LOG="")
    with Process(command, env, out_dir() / "gunicorn.log") as web:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if web.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{web.tail()}")
            time.sleep(0.3)
        yield web


def lost(acked: list[str]) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM surveys_response WHERE uid = ANY(%s::uuid[])",
            [acked],
        )
        return len(acked) - cursor.fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="?")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=0, help="threads per worker (0: the config's)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the responses")
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    from surveys.models import Response

    database_url = os.environ["DATABASE_URL"]
    parts = payload_parts()
    first = (Response.objects.order_by("-id").values_list("id", flat=True).first()) or 0
    port = free_port()
    with start_gunicorn(database_url, port, args.workers, args.threads):
        base = load(port, BASELINE, parts, clients=args.clients, seconds=args.seconds)
        api = load(port, API, parts, clients=args.clients, seconds=args.seconds)
    missing = lost(api["acked"])
    if not args.keep:
        Response.objects.filter(id__gt=first).delete()
    # As the server read it from its config, in the same environment.
    worker_class = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))[
        "worker_class"
    ]
    label = (
        f"trivial endpoint, {args.clients} clients, {args.seconds:.0f} s,"
        f" {worker_class} workers"
    )
    others = {k: v for k, v in api["statuses"].items() if k not in (200, 201)}
    rows = [
        Row(
            "1 submit",
            "responses per second",
            api["rate"],
            "/s",
            baseline=base["rate"],
            baseline_name=label,
            goal=">= 0.5x",
            met=api["rate"] >= 0.5 * base["rate"],
            data=args.data,
        ),
        Row(
            "1 submit",
            "p50 latency",
            api["p50"],
            "ms",
            baseline=base["p50"],
            baseline_name="trivial endpoint",
            data=args.data,
        ),
        Row(
            "1 submit",
            "p99 latency",
            api["p99"],
            "ms",
            baseline=base["p99"],
            baseline_name="trivial endpoint",
            goal="< 100 ms",
            met=api["p99"] < 100,
            data=args.data,
        ),
        Row(
            "1 submit",
            "slowest client's median / fastest's",
            api["spread"],
            "",
            baseline=base["spread"],
            baseline_name="trivial endpoint",
            data=args.data,
        ),
        Row(
            "1 submit",
            "errors",
            api["errors"],
            "",
            baseline=base["errors"] or None,
            goal="0",
            met=api["errors"] == 0,
            note=json.dumps(others) if others else "",
            data=args.data,
        ),
        Row(
            "1 submit",
            "lost (acknowledged, not stored)",
            missing,
            "",
            goal="0",
            met=missing == 0,
            note=f"{len(api['acked']):,} acknowledged",
            data=args.data,
        ),
    ]
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
