"""Fresh figures: the time from a submission to its province's figure, while
citizens submit 50 responses a second and the ranked units' fold runs every
30 s, as the beat schedule runs it (config/celery.py).

    DATABASE_URL=postgres://.../sipas_bench REDIS_URL=redis://127.0.0.1:6379/8 \\
        python bench/freshness.py --seconds 120 --rate 50

Submissions go through the submission service (`response_submit`, what the
API calls) from a thread at the given rate, spread over the agencies of every
province; the fold is the task's body (`refresh_ranked`) run in this process
every `--every` seconds. A submission's latency is from its commit to the end
of the first fold that counts it, that is, to when its province's figure
includes it. Goal: within a minute.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, emit, median, percentile, setup  # noqa: E402


def _submitter(rate: float, stop: threading.Event, log: list) -> None:
    """Submit at `rate` per second until `stop`; log (commit time) of each."""
    from django.db import connection

    from surveys.models import Agency, Channel, Questionnaire, Source
    from surveys.reference import DEFAULT_QUESTIONNAIRE
    from surveys.services.responses import questionnaire_criteria, response_submit

    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    codes = [c.code for c in questionnaire_criteria(questionnaire)]
    agencies = list(
        Agency.objects.filter(active=True, province__isnull=False).order_by("id")[:500]
    )
    interval = 1.0 / rate
    started = time.perf_counter()
    number = 0
    try:
        while not stop.is_set():
            agency = agencies[number % len(agencies)]
            response_submit(
                uid=uuid.uuid4(),
                questionnaire=questionnaire,
                agency=agency,
                procedure=None,
                channel=Channel.IN_PERSON,
                source=Source.WEB,
                answers={code: 4 + (number + i) % 2 for i, code in enumerate(codes)},
            )
            log.append(time.perf_counter())
            number += 1
            pause = started + number * interval - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--every", type=float, default=30)
    parser.add_argument("--data", default="?")
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    from indicators import tasks

    tasks.refresh_ranked()  # start from folded figures
    submitted: list[float] = []
    stop = threading.Event()
    thread = threading.Thread(target=_submitter, args=(args.rate, stop, submitted))
    thread.start()
    latencies: list[float] = []
    fold_seconds: list[float] = []
    counted = 0
    begin = time.perf_counter()
    next_fold = begin + args.every
    while time.perf_counter() - begin < args.seconds:
        time.sleep(max(0.0, next_fold - time.perf_counter()))
        next_fold += args.every
        # Only what had committed when the fold began can be in it.
        upto = len(submitted)
        started = time.perf_counter()
        tasks.refresh_ranked()
        ended = time.perf_counter()
        fold_seconds.append(ended - started)
        latencies += [ended - at for at in submitted[counted:upto]]
        counted = upto
    stop.set()
    thread.join()
    achieved = len(submitted) / (time.perf_counter() - begin)
    note = (
        f"{len(latencies)} submissions at {achieved:.1f}/s, fold every {args.every:g} s"
    )
    emit(
        [
            Row(
                "11 freshness",
                "submission to province figure, median",
                median(latencies),
                "s",
                data=args.data,
                note=note,
            ),
            Row(
                "11 freshness",
                "submission to province figure, p95",
                percentile(latencies, 0.95),
                "s",
                data=args.data,
            ),
            Row(
                "11 freshness",
                "submission to province figure, max",
                max(latencies),
                "s",
                goal="< 60 s",
                met=max(latencies) < 60,
                data=args.data,
            ),
            Row(
                "11 freshness",
                "fold of 30 s of submissions, median",
                median(fold_seconds),
                "s",
                data=args.data,
            ),
        ],
        args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
