"""Reconciliation: the live rollup compared with a recount of everything it
claims to hold, in SQL, and the outcome recorded and logged."""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction

from indicators.engine.fanout import (
    base_criteria_sql,
    base_respondents_sql,
    build_base,
    fan_out,
)
from indicators.engine.kernel import (
    ANSWER_COLUMNS,
    BACKLOG,
    CC,
    CC_COLUMNS,
    KEY,
    RC,
    RC_COLUMNS,
    STATE,
    temp_table,
)
from indicators.engine.state import EMPTY_SNAPSHOT, Marks
from indicators.models import Reconciliation

logger = logging.getLogger(__name__)


def _recount_without_backlog(cursor) -> None:
    """Take the backlog out of the agency rows of a recount (`recon_cc`,
    `recon_rc`): the live rollup counts those responses for the units above the
    agency, not yet for the agency."""
    cursor.execute(f"SELECT COUNT(*) FROM {BACKLOG}", [])
    if not cursor.fetchone()[0]:
        return
    source = (
        "SELECT agency_id, questionnaire_id, responded_on, answers, -w AS w"
        f" FROM {BACKLOG}"
    )
    base = {"base_cc": "recon_backlog_cc", "base_rc": "recon_backlog_rc"}
    temp_table(cursor, base["base_cc"], base_criteria_sql(source), [])
    temp_table(cursor, base["base_rc"], base_respondents_sql(source), [])
    # Negative rows beside the recount's, then summed per key; keys left at zero
    # are those the live rollup has no row for.
    fan_out(cursor, **base, cc="recon_cc", rc="recon_rc", add=False, above=False)
    for table, column, sums in (
        ("recon_cc", "criterion_id", ANSWER_COLUMNS),
        ("recon_rc", "questionnaire_id", ("respondents",)),
    ):
        summed = ", ".join(f"SUM({n}) AS {n}" for n in sums)
        nonzero = " OR ".join(f"SUM({n}) <> 0" for n in sums)
        temp_table(
            cursor,
            f"{table}_net",
            f"SELECT {KEY}, {column}, {summed} FROM {table}"
            f" GROUP BY {KEY}, {column} HAVING {nonzero}",
            [],
        )
        cursor.execute(f"DELETE FROM {table}", [])
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {table}_net", [])
        cursor.execute(f"DROP TABLE {table}_net", [])
    for name in base.values():
        cursor.execute(f"DROP TABLE {name}", [])


def rollup_reconcile(*, sample_size: int = 10) -> Reconciliation:
    """Recount everything the live rollup claims to hold (up to its marks) into
    temporary tables, compare the two in SQL, and record and log the outcome."""
    started = time.monotonic()
    differing = 0
    sample: list[dict] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # One snapshot for the marks, the live counts and the responses: a fold
        # committing meanwhile changes neither side.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", [])
        cursor.execute(
            f"SELECT response_mark, review_mark, snapshot FROM {STATE} WHERE id = 1",
            [],
        )
        row = cursor.fetchone() or (0, 0, "")
        marks = Marks(row[0], row[1], row[2] or EMPTY_SNAPSHOT)
        build_base(
            cursor,
            marks,
            base_cc="recon_base_cc",
            base_rc="recon_base_rc",
            temp=True,
        )
        temp_table(cursor, "recon_cc", f"SELECT {CC_COLUMNS} FROM {CC} WHERE 1 = 0", [])
        temp_table(cursor, "recon_rc", f"SELECT {RC_COLUMNS} FROM {RC} WHERE 1 = 0", [])
        fan_out(
            cursor,
            base_cc="recon_base_cc",
            base_rc="recon_base_rc",
            cc="recon_cc",
            rc="recon_rc",
            add=False,
        )
        _recount_without_backlog(cursor)
        zero = " AND ".join(f"{n} = 0" for n in ANSWER_COLUMNS)
        checks = [
            (
                "criterion",
                "live",
                f"SELECT {CC_COLUMNS} FROM {CC} WHERE NOT ({zero})"
                f" EXCEPT SELECT {CC_COLUMNS} FROM recon_cc",
                CC_COLUMNS,
            ),
            (
                "criterion",
                "recount",
                f"SELECT {CC_COLUMNS} FROM recon_cc"
                f" EXCEPT SELECT {CC_COLUMNS} FROM {CC}",
                CC_COLUMNS,
            ),
            (
                "respondents",
                "live",
                f"SELECT {RC_COLUMNS} FROM {RC} WHERE respondents"
                f" <> 0 EXCEPT SELECT {RC_COLUMNS} FROM recon_rc",
                RC_COLUMNS,
            ),
            (
                "respondents",
                "recount",
                f"SELECT {RC_COLUMNS} FROM recon_rc"
                f" EXCEPT SELECT {RC_COLUMNS} FROM {RC}",
                RC_COLUMNS,
            ),
        ]
        for table, side, query, cols in checks:
            cursor.execute(f"SELECT COUNT(*) FROM ({query}) x", [])
            count = cursor.fetchone()[0]
            differing += count
            if count and len(sample) < sample_size:
                cursor.execute(f"{query} LIMIT {int(sample_size - len(sample))}", [])
                names = [c.strip() for c in cols.split(",")]
                sample += [
                    {
                        "table": table,
                        "side": side,
                        "row": dict(zip(names, r, strict=True)),
                    }
                    for r in cursor.fetchall()
                ]
        for name in ("recon_base_cc", "recon_base_rc", "recon_cc", "recon_rc"):
            cursor.execute(f"DROP TABLE {name}", [])
    record = Reconciliation.objects.create(
        response_mark=marks.response,
        review_mark=marks.review,
        matched=differing == 0,
        differing_rows=differing,
        sample=sample,
        seconds=round(time.monotonic() - started, 3),
    )
    if differing:
        logger.error(
            "Rollup reconciliation: %s rows differ from a recount; sample: %s",
            differing,
            sample,
        )
    else:
        logger.info("Rollup reconciliation: the rollup matches a recount.")
    return record
