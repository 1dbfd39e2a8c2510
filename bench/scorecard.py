"""The national scorecard and its export, and the review list's pages at national
scale: median time of each, signed in as a national administrator, on the data
set of DATABASE_URL, against the goal of 2 s, with a raw copy of every figure's
row in the same run as the baseline (the ratio holds when the machine is busy).

    DATABASE_URL=postgres://.../sipas_bench_1m python bench/scorecard.py --data 1M

Every province, agency and period: the scorecard unfiltered and by kind of
period, its CSV and XLSX exports, and the review list's CSV and XLSX exports of
every level and period. A page answering anything but 200 is reported with its status.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, emit, median, setup  # noqa: E402

URLS = [
    "/admin/indicators/scorecard/",
    "/admin/indicators/scorecard/?period_kind__exact=1",
    "/admin/indicators/scorecard/?period_kind__exact=2",
    "/admin/indicators/scorecard/export/",
    "/admin/indicators/scorecard/export.xlsx",
    "/admin/indicators/indicatorvalue/export.csv?level=all&period=all&map=all",
    "/admin/indicators/indicatorvalue/export.xlsx?level=all&period=all&map=all",
    "/admin/indicators/indicatorvalue/below-target/?level=1",
]
GOAL_SECONDS = 2.0
BASELINE = "raw COPY of every figure"


def _raw_copy() -> float:
    """Seconds to copy every figure's row out as PostgreSQL stores it, with no
    label, join or order: the floor of any export of every figure, read in the
    same run so that the ratios hold on a busier or quieter machine."""
    from django.db import connection

    from indicators.models import IndicatorValue

    connection.ensure_connection()
    started = time.perf_counter()
    with connection.connection.cursor() as cursor:
        table = IndicatorValue._meta.db_table
        with cursor.copy(f"COPY {table} TO STDOUT") as copy:
            for _data in copy:
                pass
    return time.perf_counter() - started


def _timed(client, url: str) -> tuple[float, int, int]:
    """Seconds to the last byte, bytes and status of one request."""
    started = time.perf_counter()
    response = client.get(url)
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    return time.perf_counter() - started, len(body), response.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="?")
    parser.add_argument("--url", action="append", help="page to read (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from indicators.models import IndicatorValue
    from surveys.models import Agency

    user, _created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    scale = (
        f"{Agency.objects.count():,} agencies, "
        f"{IndicatorValue.objects.count():,} figures"
    )
    _raw_copy()  # warm
    baseline = median([_raw_copy() for _ in range(args.repeat)])
    rows = []
    for url in args.url or URLS:
        _timed(client, url)  # warm: caches, the connection, first imports
        runs = [_timed(client, url) for _ in range(args.repeat)]
        status = runs[-1][2]
        if status != 200:
            rows.append(Row("10 scale", url, None, "", note=f"HTTP {status}"))
            continue
        seconds = median([run[0] for run in runs])
        rows.append(
            Row(
                "10 scale",
                f"{url} median",
                seconds * 1000,
                "ms",
                baseline=baseline * 1000,
                baseline_name=BASELINE,
                goal=f"< {GOAL_SECONDS * 1000:.0f} ms",
                met=seconds < GOAL_SECONDS,
                note=f"median of {args.repeat}, {runs[-1][1]:,} bytes; {scale}",
                data=args.data,
            )
        )
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
