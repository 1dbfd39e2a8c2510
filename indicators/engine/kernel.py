"""The SQL kernel of the engine: table names (from the models), the key and
columns of a count row, the planner settings of bulk statements, and the small
fragments every step builds its statements from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dossiers.models import Dossier, DossierMonthCount, DossierTouch
from indicators.models import (
    AgencyBacklog,
    CriterionCount,
    DirtyUnitPeriod,
    DossierCount,
    DossierDirtyUnitPeriod,
    IndicatorValue,
    RebuildCriterionCount,
    RebuildRespondentCount,
    RespondentCount,
    RollupState,
    Target,
)
from surveys.models import (
    MAP_2025_STARTS,
    Agency,
    Criterion,
    Province,
    Region,
    Response,
    ResponseReview,
)

# Tables the engine reads and writes.
CC = CriterionCount._meta.db_table
RC = RespondentCount._meta.db_table
DIRTY = DirtyUnitPeriod._meta.db_table
BACKLOG = AgencyBacklog._meta.db_table
STATE = RollupState._meta.db_table
BASE_CC = RebuildCriterionCount._meta.db_table
BASE_RC = RebuildRespondentCount._meta.db_table
FIGURES = IndicatorValue._meta.db_table
TARGETS = Target._meta.db_table
RESPONSES = Response._meta.db_table
REVIEWS = ResponseReview._meta.db_table
AGENCIES = Agency._meta.db_table
PROVINCES = Province._meta.db_table
REGIONS = Region._meta.db_table
CRITERIA = Criterion._meta.db_table
DOSSIERS = Dossier._meta.db_table
DOSSIER_TOUCH = DossierTouch._meta.db_table
DOSSIER_BASE = DossierMonthCount._meta.db_table
DOSSIER_COUNTS = DossierCount._meta.db_table
DOSSIER_DIRTY = DossierDirtyUnitPeriod._meta.db_table

# The key of a count row or figure, before its criterion, questionnaire or
# indicator.
KEY = "level, unit_id, period_kind, period_key"
# How many answers fell on each level of the scale (n0: does not apply).
ANSWER_COLUMNS = ("n0", "n1", "n2", "n3", "n4", "n5")
CC_COLUMNS = f"{KEY}, criterion_id, {', '.join(ANSWER_COLUMNS)}"
RC_COLUMNS = f"{KEY}, questionnaire_id, respondents"
# A source of weighted responses, as the folds and the backlog hold them.
SOURCE_COLUMNS = "agency_id, questionnaire_id, responded_on, answers, w"
# What a dossier count holds.
DOSSIER_COLUMNS = (
    "received",
    "received_online",
    "resolved",
    "resolved_on_time",
    "handling_days",
)

SUSPICIOUS = Response.Status.SUSPICIOUS.value
MONTH_2025 = int(MAP_2025_STARTS[:4]) * 100 + int(MAP_2025_STARTS[5:7])

# work_mem for the statements of a rebuild, a reconciliation and the figures.
BULK_WORK_MEM = "256MB"
# Ends a subquery the planner must not merge into the query around it.
FENCE = " OFFSET 0"


def bulk(cursor) -> None:
    """Let the statements of this transaction aggregate in memory: a rebuild
    groups millions of rows, and spilling the hash tables to disk costs more
    than the statement's own work (docs/performance.md)."""
    cursor.execute(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'", [])


@contextmanager
def planner_settings(cursor, settings: dict[str, str]) -> Iterator[None]:
    """PostgreSQL settings for the statements run inside, SET LOCAL before and
    RESET after. Not reset when a statement fails: the transaction is then rolled
    back, and SET LOCAL ends with it."""
    for name, value in settings.items():
        cursor.execute(f"SET LOCAL {name} = {value}", [])
    yield
    for name in settings:
        cursor.execute(f"RESET {name}", [])


def temp_table(cursor, name: str, select: str, params: list) -> None:
    """(Re)create the temporary table `name` from a SELECT."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} AS {select}", params)


def temp(table: str) -> str:
    """A temporary table's name, never one of the schema's."""
    return f"pg_temp.{table}"


def month(column: str) -> str:
    """202203 for a date in March 2022."""
    return f"(EXTRACT(YEAR FROM {column}) * 100 + EXTRACT(MONTH FROM {column}))::int"


def same_key(columns: str) -> str:
    """The join of a live count table `l` to fresh counts `f` on `columns`."""
    return " AND ".join(f"l.{c} = f.{c}" for c in columns.split(", "))


def on_key(left: str, right: str) -> str:
    """The join of two tables on the key of a count row (`KEY`)."""
    return " AND ".join(
        f"{left}.{column} = {right}.{column}" for column in KEY.split(", ")
    )


def counted(column: str) -> str:
    """1 when a response of the status in `column` counts, else 0."""
    return f"(CASE WHEN {column} <> {SUSPICIOUS} THEN 1 ELSE 0 END)"
