"""Full rebuild of the indicator figures against one hand-written SQL statement,
storage per response, and the rebuild by Celery workers (peak memory, one and two
worker processes), on the data set of DATABASE_URL.

    DATABASE_URL=postgres://.../sipas_bench_1m python bench/rebuild.py --data 1M

The hand-written statement computes exactly what the rollup stores: answer counts
per (level, unit, period kind, period key, criterion) for every unit (agency,
province in force, 2025 unit, region, nation) and period (month, quarter, year),
from surveys_response, surveys_criterion, surveys_agency and surveys_province,
into a table. The rollup rebuild is judged against it; the figures (values) are
measured apart and together with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PYTHON,
    Process,
    Row,
    bench_env,
    children,
    emit,
    median,
    out_dir,
    peak_rss_mb,
    setup,
)

QUEUE = "sipas_bench"

# Units a response about an agency counts for, before (era 0) and from (era 1) the
# 2025 map: written out anew here rather than taken from indicators.engine, so that
# the baseline is an independent statement of the same counts.
HANDWRITTEN = """
CREATE TEMP TABLE bench_handwritten AS
WITH r AS (
    SELECT agency_id, questionnaire_id, answers,
           (EXTRACT(YEAR FROM responded_on) * 100
            + EXTRACT(MONTH FROM responded_on))::int AS month
      FROM surveys_response WHERE status <> 2 OFFSET 0
), answers AS (
    -- Each answer read once (fenced): the planner would copy substr() into
    -- every FILTER that reads it.
    SELECT r.agency_id, r.month, c.id AS criterion_id,
           substr(r.answers, c.position, 1) AS answer
      FROM r JOIN surveys_criterion c ON c.questionnaire_id = r.questionnaire_id
    OFFSET 0
), base AS (
    SELECT agency_id, month, criterion_id,
           -- Integers, not bigint: a SUM of bigint is numeric, several times
           -- slower to add up than int8.
           (COUNT(*) FILTER (WHERE answer = '0'))::int AS n0,
           (COUNT(*) FILTER (WHERE answer = '1'))::int AS n1,
           (COUNT(*) FILTER (WHERE answer = '2'))::int AS n2,
           (COUNT(*) FILTER (WHERE answer = '3'))::int AS n3,
           (COUNT(*) FILTER (WHERE answer = '4'))::int AS n4,
           (COUNT(*) FILTER (WHERE answer = '5'))::int AS n5
      FROM answers WHERE answer BETWEEN '0' AND '5'
     GROUP BY 1, 2, 3
), by_province AS (
    SELECT COALESCE(a.province_id, 0) AS province_id, b.month, b.criterion_id,
           SUM(b.n0)::int AS n0, SUM(b.n1)::int AS n1, SUM(b.n2)::int AS n2,
           SUM(b.n3)::int AS n3, SUM(b.n4)::int AS n4, SUM(b.n5)::int AS n5
      FROM base b JOIN surveys_agency a ON a.id = b.agency_id
     GROUP BY 1, 2, 3
), units AS (
    SELECT p.id AS province_id, e.era, 2 AS level, f.id AS unit_id
      FROM surveys_province p CROSS JOIN (VALUES (0), (1)) e(era)
      JOIN surveys_province f ON f.id = CASE
           WHEN p.map = 2008 AND e.era = 1 THEN p.successor_id ELSE p.id END
    UNION ALL
    SELECT p.id, 0, 2, p.successor_id FROM surveys_province p
     WHERE p.map = 2008 AND p.successor_id IS NOT NULL
    UNION ALL
    SELECT p.id, e.era, 3, f.region_id
      FROM surveys_province p CROSS JOIN (VALUES (0), (1)) e(era)
      JOIN surveys_province f ON f.id = CASE
           WHEN p.map = 2008 AND e.era = 1 THEN p.successor_id ELSE p.id END
     WHERE f.region_id IS NOT NULL
    UNION ALL
    SELECT p.id, e.era, 4, 0 FROM surveys_province p, (VALUES (0), (1)) e(era)
    UNION ALL
    SELECT 0, e.era, 4, 0 FROM (VALUES (0), (1)) e(era)
), fanned AS (
    SELECT 1 AS level, agency_id AS unit_id, month, criterion_id,
           n0, n1, n2, n3, n4, n5
      FROM base
    UNION ALL
    SELECT u.level, u.unit_id, b.month, b.criterion_id,
           b.n0, b.n1, b.n2, b.n3, b.n4, b.n5
      FROM by_province b JOIN units u ON u.province_id = b.province_id
       AND u.era = CASE WHEN b.month >= 202507 THEN 1 ELSE 0 END
)
SELECT f.level, f.unit_id, k.kind AS period_kind,
       CASE k.kind WHEN 1 THEN f.month
            WHEN 2 THEN (f.month / 100) * 10 + ((f.month % 100) + 2) / 3
            ELSE f.month / 100 END AS period_key,
       f.criterion_id,
       SUM(f.n0) AS n0, SUM(f.n1) AS n1, SUM(f.n2) AS n2,
       SUM(f.n3) AS n3, SUM(f.n4) AS n4, SUM(f.n5) AS n5
  FROM fanned f CROSS JOIN (VALUES (1), (2), (3)) k(kind)
 WHERE f.level <> 1 OR k.kind <> 1  -- agencies: by quarter and year
 GROUP BY 1, 2, 3, 4, 5
"""

CC_COLUMNS = (
    "level, unit_id, period_kind, period_key, criterion_id, n0, n1, n2, n3, n4, n5"
)


def handwritten_run(*, verify: bool) -> tuple[float, int | None]:
    """Seconds of the hand-written statement (same work_mem as the rebuild) and,
    with `verify`, how many rows differ from the live rollup (0: same counts)."""
    from django.db import connection, transaction

    from indicators.engine.kernel import BULK_WORK_MEM

    differing = None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'")
        cursor.execute("DROP TABLE IF EXISTS bench_handwritten")
        started = time.perf_counter()
        cursor.execute(HANDWRITTEN)
        seconds = time.perf_counter() - started
        if verify:
            live = (
                f"SELECT {CC_COLUMNS} FROM indicators_criterioncount"
                " WHERE n0 + n1 + n2 + n3 + n4 + n5 <> 0"
            )
            mine = f"SELECT {CC_COLUMNS} FROM bench_handwritten"
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM ({live} EXCEPT {mine}) x)"
                f" + (SELECT COUNT(*) FROM ({mine} EXCEPT {live}) y)"
            )
            differing = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_handwritten")
    return seconds, differing


def rollup_only() -> float:
    """The rollup rebuild alone: its step of the engine, without the figures."""
    from indicators.engine.rebuild import rollup_rebuild_counts

    started = time.perf_counter()
    rollup_rebuild_counts()
    return time.perf_counter() - started


def values_only() -> float:
    """The figures rebuilt from the whole rollup."""
    from indicators.engine.figures import figures_rebuild

    started = time.perf_counter()
    figures_rebuild()
    return time.perf_counter() - started


def storage_rows(data: str) -> list[Row]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM surveys_response),"
            " pg_table_size('surveys_response'),"
            " pg_indexes_size('surveys_response'),"
            " pg_total_relation_size('surveys_response'),"
            " (SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c"
            "   WHERE c.relname IN ('indicators_criterioncount',"
            "   'indicators_respondentcount', 'indicators_indicatorvalue'))"
        )
        count, heap, indexes, total, derived = cursor.fetchone()
    per = max(count, 1)
    return [
        Row(
            "6 storage",
            "bytes per response, indexes included",
            total / per,
            "B",
            baseline=300,
            baseline_name="goal",
            goal="<= 300 B",
            met=total / per <= 300,
            note=f"table {heap / per:.0f} + indexes {indexes / per:.0f}",
            data=data,
        ),
        Row(
            "6 storage",
            "rollup and figures, per response",
            float(derived or 0) / per,
            "B",
            baseline_name="information",
            data=data,
        ),
    ]


def worker_rebuild(database_url: str, concurrency: int) -> tuple[float, float]:
    """The `rebuild` task (a chord of per-province parts, then the swap and the
    figures) on a fresh Celery worker: seconds until the figures are written, and
    the largest peak resident memory among the worker's processes (MB)."""
    from django.utils import timezone

    from config.celery import app
    from indicators.models import DirtyUnitPeriod, RollupState

    env = bench_env(database_url)
    log = out_dir() / f"worker-{concurrency}.log"
    args = [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        str(concurrency),
        "--queues",
        QUEUE,
        "--hostname",
        f"bench{concurrency}-{os.getpid()}@%h",
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with Process(args, env, log) as worker:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text(encoding="utf-8", errors="replace"):
            if worker.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{worker.tail()}")
            time.sleep(0.2)
        began = timezone.now()
        started = time.perf_counter()
        app.send_task("indicators.tasks.rebuild", queue=QUEUE)
        deadline = time.monotonic() + 3 * 3600
        while True:
            state = RollupState.objects.filter(id=1).first()
            done = (
                state is not None
                and state.rebuilt_at is not None
                and state.rebuilt_at >= began
                and state.rebuild_cutoff is None
                and not DirtyUnitPeriod.objects.exists()
            )
            if done:
                break
            if worker.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"rebuild did not finish:\n{worker.tail()}")
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        pids = [worker.pid, *children(worker.pid)]
        peak = max(filter(None, (peak_rss_mb(pid) for pid in pids)), default=0.0)
    return seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="?", help="label of the data set (1M)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="0 to measure only the workers"
    )
    parser.add_argument("--verify", action="store_true", help="compare the counts")
    parser.add_argument("--workers", default="1,2", help="'' to skip the workers")
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    from django.db import connection

    database_url = os.environ["DATABASE_URL"]
    rows: list[Row] = []
    hand, roll, vals = [], [], []
    # Interleaved, so that a burst of load from others hits both sides alike.
    for _ in range(args.repeat):
        seconds, _unused = handwritten_run(verify=False)
        hand.append(seconds)
        roll.append(rollup_only())
        vals.append(values_only())
    differing = None
    if args.verify:
        _unused, differing = handwritten_run(verify=True)
    connection.close()
    both = [r + v for r, v in zip(roll, vals, strict=True)]
    label = f"hand-written SQL, median of {args.repeat}"
    base = median(hand) if hand else None
    from surveys.models import Response

    # The goal is set at 1 million and 10 million responses; on a smaller set
    # the figures' fixed cost (one per unit and period) weighs more, and the
    # ratios are for information.
    judged = Response.objects.count() >= 990_000
    connection.close()
    goal = "<= 1.5x" if judged else ""
    rows += (
        []
        if base is None
        else [
            Row(
                "3 rebuild",
                "rollup rebuild (counts)",
                median(roll),
                "s",
                baseline=base,
                baseline_name=label,
                goal=goal,
                met=median(roll) <= 1.5 * base if judged else None,
                data=args.data,
            ),
            Row(
                "3 rebuild",
                "values rebuild (figures)",
                median(vals),
                "s",
                baseline=base,
                baseline_name=label,
                data=args.data,
            ),
            Row(
                "3 rebuild",
                "rollup + values",
                median(both),
                "s",
                baseline=base,
                baseline_name=label,
                goal=goal,
                met=median(both) <= 1.5 * base if judged else None,
                data=args.data,
            ),
        ]
    )
    if differing is not None:
        rows.append(
            Row(
                "3 rebuild",
                "rows differing from hand-written",
                differing,
                "rows",
                goal="0",
                met=differing == 0,
                data=args.data,
            )
        )
    rows += storage_rows(args.data)
    connection.close()
    counts = [int(c) for c in args.workers.split(",") if c.strip()]
    results = {c: worker_rebuild(database_url, c) for c in counts}
    if 1 in results:
        rows.append(
            Row(
                "7 memory",
                "worker peak RSS, rebuild task",
                results[1][1],
                "MB",
                goal="< 300 MB",
                met=results[1][1] < 300,
                note="1 process",
                data=args.data,
            )
        )
    for count, (seconds, peak) in results.items():
        rows.append(
            Row(
                "8 scale-out",
                f"rebuild task, {count} worker process(es)",
                seconds,
                "s",
                baseline=results[1][0] if 1 in results else None,
                baseline_name="1 process" if 1 in results else "",
                note=f"peak {peak:.0f} MB",
                data=args.data,
            )
        )
    emit(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
