"""Paper-survey import: rows per second of `responses_import_file` on a CSV file
(check every row, then COPY and INSERT ... SELECT) against a raw COPY of the same
rows into the same table, on the data set of DATABASE_URL.

    DATABASE_URL=postgres://.../sipas_bench_1m python bench/imports.py --rows 1000000

Both are timed from rows to committed rows; the raw COPY gets its rows ready-made
in memory, the import reads them from the file. Both leave the table as it was:
their rows are deleted afterwards (never folded into the rollup).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, emit, out_dir, setup  # noqa: E402

CHANNEL_NAMES = {1: "in_person", 2: "online", 3: "post"}


def rows_make(count: int) -> list[tuple]:
    """Realistic rows (surveys.demo.COLUMNS order) about agencies that take part
    today: the import refuses the districts closed in 2025, as it should."""
    from django.utils import timezone

    from surveys.demo import demo_agencies, demo_rows
    from surveys.models import Agency, Procedure, Questionnaire, Source
    from surveys.reference import DEFAULT_QUESTIONNAIRE

    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    active = set(Agency.objects.filter(active=True).values_list("id", flat=True))
    rows = demo_rows(
        count=count,
        questionnaire_id=questionnaire.id,
        criteria=questionnaire.criteria.count(),
        agencies=[a for a in demo_agencies(2022) if a.id in active],
        procedure_ids=list(Procedure.objects.values_list("id", flat=True)),
        seed=31_337,
        last_day=timezone.localdate(),
    )
    # As a paper import stores them: source paper, counted, no intake flags.
    return [(*row[:5], Source.PAPER, *row[6:15], 0, 1) for row in rows]


def csv_write(rows: list[tuple], path: Path) -> None:
    from surveys.imports import csv_columns
    from surveys.models import Agency, Procedure, Questionnaire
    from surveys.reference import DEFAULT_QUESTIONNAIRE

    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    agencies = dict(Agency.objects.values_list("id", "code"))
    procedures = dict(Procedure.objects.values_list("id", "code"))
    criteria = len(csv_columns(questionnaire)) - 11  # 5 fixed + 6 trailing columns

    def cell(value) -> str:
        return "" if value is None else str(value)

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_columns(questionnaire))
        for row in rows:
            answers = ["" if a == "-" else a for a in row[8]]
            assert len(answers) == criteria
            writer.writerow(
                [
                    row[0],
                    agencies[row[2]],
                    procedures.get(row[3], ""),
                    CHANNEL_NAMES[row[4]],
                    row[6].isoformat(),
                    *answers,
                    *(cell(v) for v in row[9:14]),
                    row[14],
                ]
            )


def raw_copy(rows: list[tuple]) -> float:
    from django.db import connection, transaction

    from surveys.demo import COLUMNS

    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY surveys_response ({', '.join(COLUMNS)}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)
    return time.perf_counter() - started


def clean_after(first: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM surveys_response WHERE id >= %s", [first])
        cursor.execute("VACUUM surveys_response")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="?")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json")
    args = parser.parse_args()
    setup()
    from surveys.imports import responses_import_file
    from surveys.models import Questionnaire, Response
    from surveys.reference import DEFAULT_QUESTIONNAIRE

    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    rows = rows_make(args.rows)
    path = out_dir() / f"import-{args.rows}.csv"
    csv_write(rows, path)

    def first_id() -> int:
        last = Response.objects.order_by("-id").values_list("id", flat=True).first()
        return (last or 0) + 1

    first = first_id()
    copy_seconds = raw_copy(rows)
    clean_after(first)
    first = first_id()
    started = time.perf_counter()
    report = responses_import_file(path, questionnaire=questionnaire)
    import_seconds = time.perf_counter() - started
    clean_after(first)
    path.unlink()
    if not report.ok or report.imported != args.rows:
        raise SystemExit(f"import failed: {report.summary()}")
    rate, base = args.rows / import_seconds, args.rows / copy_seconds
    emit(
        [
            Row(
                "2 import",
                f"paper import of {args.rows:,} rows",
                rate,
                "rows/s",
                baseline=base,
                baseline_name="raw COPY, same rows",
                goal=">= 0.5x",
                met=rate >= 0.5 * base,
                note=f"{import_seconds:.1f} s",
                data=args.data,
            )
        ],
        args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
