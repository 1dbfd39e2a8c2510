"""Fresh figures: the time from a submission to its province's figure, with
citizens submitting 50 responses a second over HTTP and a real Celery worker
running the beat schedule (config/celery.py: provinces, regions and the nation
every 30 s, agencies every 5 minutes).

    DATABASE_URL=postgres://.../sipas_bench_1m REDIS_URL=redis://127.0.0.1:6379/8 \\
        python bench/freshness.py --seconds 120 --rate 50

gunicorn serves POST /api/v1/responses/ with the production settings; paced
clients submit at `--rate` a second for `--seconds`, spread over agencies of
every province. A Celery worker with its beat (`celery worker -B`, the
application's own schedule) folds and refreshes the figures. Every 0.2 s the
bench reads the rollup's state: when a fold's snapshot is in it and no
province, region or nation is left marked for recomputation, the figures of
everything visible in that snapshot are out. A submission's delay is from its
acknowledgement to the first such moment whose snapshot holds its transaction.
After the load, the bench waits for the folds that count the last submissions
(up to `--settle` seconds). Goal: within a minute.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PYTHON,
    Process,
    Row,
    bench_env,
    emit,
    median,
    out_dir,
    percentile,
    setup,
)
from bench.submit import (  # noqa: E402
    API,
    free_port,
    payload_parts,
    start_gunicorn,
    submission,
)

POLL_SECONDS = 0.2
# A run of the ranked units' fold that counted something, and its seconds.
FOLD_LOG = re.compile(
    r"tasks\.refresh_ranked\[[^\]]+\] succeeded in ([0-9.]+)s: .*'changes': [1-9]"
)


def _stamp(secret: str) -> str:
    """A start stamp as the server hands one out with the questionnaire, a
    minute ago (a citizen who took a minute to answer): without one, intake
    holds the response back and no figure counts it."""
    from django.core import signing

    from surveys.intake import STARTED_SALT

    shown = {"t": round(time.time() - 60, 3), "n": secrets.token_urlsafe(12)}
    return signing.dumps(shown, key=secret, salt=STARTED_SALT)


def _submitter(port, parts, rate, clients, index, until, acked, errors) -> None:
    """Client `index` of `clients`: submissions index, index + clients, ... each
    at its time on the schedule of `rate` a second."""
    secret = bench_env("")["SECRET_KEY"]
    rng = random.Random(index)
    started = time.monotonic()
    number = index
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while True:
        due = started + number / rate
        if due >= until:
            return
        time.sleep(max(0.0, due - time.monotonic()))
        body = {**submission(parts, rng), "started": _stamp(secret)}
        try:
            conn.request(
                "POST",
                API,
                body=json.dumps(body).encode(),
                headers={"Content-Type": "application/json", "Host": "127.0.0.1"},
            )
            response = conn.getresponse()
            response.read()
            if response.getheader("connection", "").lower() == "close":
                conn.close()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            status = 0
        if status == 201:
            acked.append((body["uid"], time.monotonic()))
        else:
            errors.append(status)
        number += clients


def _figures_state() -> tuple[str, bool]:
    """The snapshot of the last fold, and whether the figures of every
    province, region and nation are computed (none left marked dirty)."""
    from django.db import connection

    from indicators.models import Level

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT snapshot, NOT EXISTS (SELECT 1 FROM indicators_dirtyunitperiod"
            " WHERE level <> %s) FROM indicators_rollupstate WHERE id = 1",
            [Level.AGENCY],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else ("", False)


def _first_visible(uids: list[str], snapshots: list[str]) -> dict[str, int]:
    """For each response, the index of the first snapshot it is visible in."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.uid::text, min(s.n) FROM surveys_response r"
            " JOIN unnest(%s::text[]) WITH ORDINALITY AS s (snapshot, n)"
            " ON pg_visible_in_snapshot(r.xact_id, s.snapshot::pg_snapshot)"
            " WHERE r.uid = ANY(%s::uuid[]) GROUP BY r.uid",
            [snapshots, uids],
        )
        return {uid: int(n) - 1 for uid, n in cursor.fetchall()}


def _worker(database_url: str, schedule: Path) -> Process:
    """A Celery worker with its beat, the application's schedule, one process."""
    schedule.unlink(missing_ok=True)
    args = [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--beat",
        "--schedule",
        str(schedule),
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        "--hostname",
        f"freshness-{os.getpid()}@%h",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    return Process(args, bench_env(database_url), out_dir() / "freshness-worker.log")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--settle", type=float, default=75)
    parser.add_argument("--data", default="?")
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    from indicators import tasks
    from surveys.models import Response

    database_url = os.environ["DATABASE_URL"]
    parts = payload_parts()
    tasks.refresh_ranked()  # start from folded figures
    port = free_port()
    acked: list[tuple[str, float]] = []
    errors: list[int] = []
    moments: list[tuple[str, float]] = []  # (snapshot, when its figures were out)
    schedule = out_dir() / f"freshness-beat-{os.getpid()}"
    with (
        start_gunicorn(database_url, port, args.workers),
        _worker(database_url, schedule) as worker,
    ):
        deadline = time.monotonic() + 60
        while "ready." not in worker.log.read_text(errors="replace"):
            if worker.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{worker.tail()}")
            time.sleep(0.2)
        begin = time.monotonic()
        until = begin + args.seconds
        clients = [
            threading.Thread(
                target=_submitter,
                args=(port, parts, args.rate, args.clients, n, until, acked, errors),
            )
            for n in range(args.clients)
        ]
        for client in clients:
            client.start()
        last = ""
        while True:
            now = time.monotonic()
            snapshot, computed = _figures_state()
            if computed and snapshot != last:
                moments.append((snapshot, now))
                last = snapshot
            if now > until and not any(client.is_alive() for client in clients):
                seen = _first_visible([uid for uid, _at in acked], [last])
                if len(seen) == len(acked) or now > until + args.settle:
                    break
            time.sleep(POLL_SECONDS)
        for client in clients:
            client.join()
        folds = [float(s) for s in FOLD_LOG.findall(worker.log.read_text())]
    schedule.unlink(missing_ok=True)
    uids = [uid for uid, _at in acked]
    held = Response.objects.filter(uid__in=uids, flags__gt=0).count()
    first = _first_visible(uids, [s for s, _t in moments])
    delays = [moments[first[uid]][1] - at for uid, at in acked if uid in first]
    missing = len(acked) - len(delays)
    achieved = len(acked) / args.seconds
    note = (
        f"{len(acked):,} submissions over HTTP at {achieved:.1f}/s"
        f" ({len(errors)} refused, {held} held back by intake), worker and beat,"
        " fold every 30 s"
    )
    worst = max(delays, default=float("nan"))
    rows = [
        Row("11 freshness", "submission to province figure, median",
            median(delays), "s", data=args.data, note=note),
        Row("11 freshness", "submission to province figure, p95",
            percentile(delays, 0.95), "s", goal="< 60 s",
            met=percentile(delays, 0.95) < 60, data=args.data),
        Row("11 freshness", "submission to province figure, max", worst, "s",
            goal="< 60 s", met=worst < 60 and not missing, data=args.data,
            note=f"{missing} not in a figure after {args.settle:g} s more"),
        Row("11 freshness", "fold and figures of 30 s of submissions, median",
            median(folds) if folds else None, "s", data=args.data,
            note=f"{len(folds)} runs of refresh_ranked"),
    ]  # fmt: skip
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
