"""The public results: p95 of each public page, the first request of a version
(nothing cached) and the following ones (cached per published version), and the
time to print one province's PDF, on the data set of DATABASE_URL.

    DATABASE_URL=postgres://.../sipas_bench_10m python bench/results.py --data 10M

Publishes the latest year with figures when nothing is published yet. The pages
read only the publication (some hundred rows per year, whatever the number of
responses), so their time does not grow with the responses.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, emit, median, percentile, setup  # noqa: E402

BASELINE_URL = "/bench/baseline/"


def _times(client, url: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return times


def _publication():
    from indicators.models import IndicatorValue as Value
    from indicators.models import Level, PeriodKind
    from results.selectors import latest_publication
    from results.services import publication_create

    publication = latest_publication()
    if publication is not None:
        return publication
    year = (
        Value.objects.filter(level=Level.NATION, period_kind=PeriodKind.YEAR)
        .order_by("-period_key")
        .values_list("period_key", flat=True)
        .first()
    )
    if year is None:
        raise SystemExit("no yearly figures to publish in this database")
    return publication_create(year=year)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="?")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    from django.core.cache import cache
    from django.test import Client

    from results.models import PublishedFigure
    from results.reports import pdf_bytes

    publication = _publication()
    province = (
        publication.figures.filter(level=PublishedFigure.Level.PROVINCE)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    year = publication.year
    urls = [f"/results/{year}/", f"/results/{year}/{province}/", f"/results/{year}.csv"]
    client = Client()
    client.get(BASELINE_URL)
    base = percentile(_times(client, BASELINE_URL, args.repeat), 0.95)
    rows = []
    for url in urls:
        cache.clear()
        first = _times(client, url, 1)[0]
        warm = _times(client, url, args.repeat)
        p95 = percentile(warm, 0.95)
        rows += [
            Row(
                "results",
                f"{url} p95",
                p95 * 1000,
                "ms",
                baseline=base * 1000,
                baseline_name="trivial endpoint",
                goal="< 100 ms",
                met=p95 < 0.1,
                note=f"{args.repeat} requests, cached version",
                data=args.data,
            ),
            Row(
                "results",
                f"{url} first request",
                first * 1000,
                "ms",
                note="cache empty",
                data=args.data,
            ),
        ]
    pdf_times = []
    for _ in range(3):
        started = time.perf_counter()
        pdf_bytes(publication=publication, code=province, language="vi")
        pdf_times.append(time.perf_counter() - started)
    seconds = median(pdf_times)
    rows.append(
        Row(
            "results",
            f"province {province} PDF",
            seconds,
            "s",
            goal="< 5 s",
            met=seconds < 5,
            note="median of 3",
            data=args.data,
        )
    )
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
