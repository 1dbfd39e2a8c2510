"""Incremental refresh after 10,000 new responses on the data set of DATABASE_URL:
the fold into the rollup and the figures of what it touched, each timed.

    DATABASE_URL=postgres://.../sipas_bench_1m python bench/refresh.py --data 1M

bench/run.py compares the figures of a small and a large data set: the cost must
follow the new responses, not the history. `--statements` adds where each step's
time goes: every statement that took 20 ms or more (`--statements MS`: MS or
more), timed from the client; the profile docs/performance.md rests on for the
refresh of every unit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, emit, median, setup  # noqa: E402

_AGENCIES: list = []


def add_responses(count: int, seed: int) -> int:
    """Commit `count` new realistic responses (COPY); returns the first new id."""
    from django.db import connection
    from django.utils import timezone

    from surveys.demo import demo_agencies, demo_rows, responses_bulk_load
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
            for agency in demo_agencies(2022)
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


STEPS = ("fold", "figures", "agency fold", "agency figures")


class StatementClock:
    """Seconds per statement, summed by step and by the statement's first words
    (`label`): a Django execute wrapper, installed around each step."""

    def __init__(self) -> None:
        self.step = ""
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[self.step, label(sql)] += time.perf_counter() - started


def label(sql: str) -> str:
    """A statement's verb and the table it writes or reads first: its keywords up
    to the first name, e.g. "MERGE INTO indicators_criterioncount"."""
    words = []
    for word in sql.split():
        words.append(word)
        if not word.isupper():
            break
    return " ".join(words)[:70]


def fold_and_figures(
    clock: StatementClock | None = None,
) -> tuple[dict[str, float], int]:
    """Seconds of each step of the pipeline's refresh, called one by one: the
    fold and figures of the units above the agency, then of the agencies; and the
    number of responses folded. `clock` also times each statement."""
    from django.db import connection

    from indicators.engine.figures import figures_refresh_dirty
    from indicators.engine.fold import rollup_fold, rollup_fold_agencies

    functions = (
        rollup_fold,
        figures_refresh_dirty,
        rollup_fold_agencies,
        figures_refresh_dirty,
    )
    seconds, results = {}, []
    for step, function in zip(STEPS, functions, strict=True):
        wrapped = nullcontext()
        if clock is not None:
            clock.step = step
            wrapped = connection.execute_wrapper(clock)
        with wrapped:
            started = time.perf_counter()
            results.append(function())
            seconds[step] = time.perf_counter() - started
    return seconds, results[0].changes


def statement_rows(
    clocks: list[dict[tuple[str, str], float]], *, slower_than: float
) -> list[Row]:
    """A row per step and statement that took `slower_than` seconds or more
    (median of the runs; a statement missing from a run counts 0 there), in the
    order of the steps, the slowest first within each."""
    keys = {key for clock in clocks for key in clock}
    times = {key: median([clock.get(key, 0.0) for clock in clocks]) for key in keys}
    slow = [key for key in keys if times[key] >= slower_than]
    slow.sort(key=lambda key: (STEPS.index(key[0]), -times[key]))
    return [
        Row("4 refresh", f"{step}: {statement}", times[step, statement], "s")
        for step, statement in slow
    ]


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
    parser.add_argument(
        "--statements",
        nargs="?",
        type=float,
        const=20.0,
        metavar="MS",
        help="also time each statement of MS (20) ms or more, median of the repeats",
    )
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    from indicators.engine import pipeline
    from indicators.models import RollupState
    from surveys.models import Response

    state = RollupState.objects.filter(id=1).first()
    if state is None or state.rebuilt_at is None:
        pipeline.rollup_rebuild()
    else:
        pipeline.rollup_refresh()  # whatever was pending, so only our rows follow
    stored = Response.objects.count()
    runs, firsts, clocks = [], [], []
    for number in range(args.repeat):
        firsts.append(add_responses(args.new, seed=9_000_000 + stored + number))
        clock = None if args.statements is None else StatementClock()
        seconds, changes = fold_and_figures(clock)
        if clock is not None:
            clocks.append(clock.seconds)
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
    if args.statements is not None:
        rows += statement_rows(clocks, slower_than=args.statements / 1000)
    for row in rows:
        row.data = args.data
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
