"""Incremental refresh after 10,000 new responses on the data set of DATABASE_URL:
the fold into the rollup and the figures of what it touched, each timed.

    DATABASE_URL=postgres://.../sipas_bench_1m python bench/refresh.py --data 1M

bench/run.py compares the figures of a small and a large data set: the cost must
follow the new responses, not the history.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, emit, median, setup  # noqa: E402

_AGENCIES: list = []


def add_responses(count: int, seed: int) -> int:
    """Commit `count` new realistic responses (COPY); returns the first new id."""
    from django.db import connection
    from django.utils import timezone

    from surveys.demo import _demo_agencies, demo_rows, responses_bulk_load
    from surveys.models import Procedure, Questionnaire, Response
    from surveys.reference import DEFAULT_QUESTIONNAIRE

    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    first = (Response.objects.order_by("-id").values_list("id", flat=True).first()) or 0
    # New responses are about recent visits (the last 30 days), to the agencies
    # open then: not to the districts the 2025 reorganisation closed, which the
    # generator would date back to before their closing.
    first_day = timezone.localdate() - dt.timedelta(days=30)
    if not _AGENCIES:  # one query per agency: read once
        _AGENCIES.extend(
            agency
            for agency in _demo_agencies(2022)
            if agency.until is None or agency.until > first_day
        )
    rows = demo_rows(
        count=count,
        questionnaire_id=questionnaire.id,
        criteria=questionnaire.criteria.count(),
        agencies=_AGENCIES,
        procedure_ids=list(Procedure.objects.values_list("id", flat=True)),
        seed=seed,
        first_day=first_day,
        last_day=timezone.localdate(),
    )
    responses_bulk_load(rows, progress=lambda done: None)
    connection.close()
    return first + 1


def fold_and_figures() -> tuple[dict[str, float], int]:
    """Seconds of each step of `rollup_refresh` (figures hook held back, then run
    apart): the fold and figures of the units above the agency, then of the
    agencies; and the number of responses folded."""
    from indicators import rollup
    from indicators.values import values_refresh_dirty

    hooks = list(rollup.AFTER_FOLD)
    rollup.AFTER_FOLD.clear()
    seconds = {}
    try:
        seconds["fold"], result = _timed(rollup.rollup_fold)
        seconds["figures"], _ = _timed(values_refresh_dirty)
        seconds["agency fold"], _ = _timed(rollup.rollup_fold_agencies)
        seconds["agency figures"], _ = _timed(values_refresh_dirty)
    finally:
        rollup.AFTER_FOLD[:] = hooks
    return seconds, result.changes


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="?")
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cleanup",
        action="store_true",
        help="delete the responses added (the rollup counts them until a rebuild)",
    )
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    from indicators import rollup
    from indicators.models import RollupState
    from surveys.models import Response

    state = RollupState.objects.filter(id=1).first()
    if state is None or state.rebuilt_at is None:
        rollup.rollup_rebuild()
    else:
        rollup.rollup_refresh()  # whatever was pending, so only our rows follow
    stored = Response.objects.count()
    runs, firsts = [], []
    for number in range(args.repeat):
        firsts.append(add_responses(args.new, seed=9_000_000 + stored + number))
        seconds, changes = fold_and_figures()
        if changes < args.new * 0.9:  # 1% of demo rows are flagged, not counted
            raise SystemExit(f"the fold saw {changes} responses, not {args.new}")
        runs.append(seconds)
    if args.cleanup:
        Response.objects.filter(id__gte=firsts[0]).delete()

    def step(*names: str) -> float:
        return median([sum(run[name] for name in names) for run in runs])

    note = f"{stored:,} stored, median of {args.repeat}"
    ranked, agencies = ("fold", "figures"), ("agency fold", "agency figures")
    rows = [
        Row("4 refresh", "fold, provinces and above", step("fold"), "s", note=note),
        Row("4 refresh", "figures, provinces and above", step("figures"), "s"),
        Row("4 refresh", "fold, agencies", step("agency fold"), "s"),
        Row("4 refresh", "figures, agencies", step("agency figures"), "s"),
        Row(
            "4 refresh",
            f"provinces and above: fold + figures, {args.new:,} new",
            step(*ranked),
            "s",
            goal="< 1 s",
            met=step(*ranked) < 1,
        ),
        Row(
            "4 refresh",
            f"fold + figures, all units, {args.new:,} new",
            step(*ranked, *agencies),
            "s",
            goal="< 1 s",
            met=step(*ranked, *agencies) < 1,
        ),
    ]
    for row in rows:
        row.data = args.data
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
