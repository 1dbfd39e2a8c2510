"""The scorecard's CSV export written by PostgreSQL: the list's unit-periods (as
the user filtered and sorted them), their three indicators, response rates and
handling times in one statement, copied out with `COPY ... TO STDOUT` and
streamed. Each cell reads as the page shows it ("82.18%", "85%", "below target,
clearly", "40.0% (8/20)"); the national figures are in docs/performance.md."""

from __future__ import annotations

import json

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from indicators.admin_review import status_text
from indicators.engine.dossier_figures import dossier_definition
from indicators.export_sql import copied_sql_response
from indicators.models import IndicatorValue, Level
from indicators.scorecard import (
    FIELDS,
    INDICATORS,
    PERIOD_BOUNDS,
    answered_select,
    issued_select,
    unit_agencies_sql,
)
from indicators.xlsx_sql import Column, xlsx_response, xml_text
from surveys.models import InvitationBatch, UsedInvitation

KEY = ("level", "unit_id", "period_kind", "period_key")
# The columns of the list's rows each line is written from.
LINE = (
    *KEY,
    "name_vi",
    "handling_days",
    *(f"{i.value}_{field}" for i in INDICATORS for field in FIELDS),
)
DASH = "–"
EXPORT_WORK_MEM = "64MB"


def _same_key(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{column} = {right}.{column}" for column in KEY)


def _float_text(figure: str) -> str:
    """A double as Python's str() writes it ("80.8", "85.0"), in SQL."""
    return (
        f"CASE WHEN {figure} = trunc({figure}) AND abs({figure}) < 1e15"
        f" THEN CAST(CAST({figure} AS bigint) AS text) || '.0'"
        f" ELSE CAST({figure} AS text) END"
    )


def _indicator_cells(indicator: str, typed: bool) -> str:
    """Figure, target and status of one indicator of the line, as the page's
    cells: "82.18%", "85%", "below target, clearly"; "–" when empty. `typed`:
    the figure and target as numbers (NULL when empty), for a workbook."""
    rounded, threshold = f"l.{indicator}_rounded", f"l.{indicator}_threshold"
    status = f"""COALESCE(CAST(%(statuses)s AS jsonb)
        ->> (l.{indicator}_status || '|' || COALESCE(l.{indicator}_certainty, '')),
        '{DASH}')"""
    if typed:
        return f"{rounded}, {threshold}, {status}"
    return f"""
    COALESCE({_float_text(rounded)} || '%%', '{DASH}'),
    COALESCE(CAST({threshold} AS text) || '%%', '{DASH}'),
    {status}"""


def _handling_cell(typed: bool) -> str:
    """The average handling time in days, to one decimal: "12.5" ("–" when
    no dossier was resolved), or a number (NULL) when `typed`."""
    if typed:
        return "CAST(round(CAST(l.handling_days AS numeric), 1) AS double precision)"
    return f"COALESCE(to_char(l.handling_days, 'FM999999990.0'), '{DASH}')"


def scorecard_export_sql(*, lines_sql: str, typed: bool = False) -> str:
    """The scorecard's lines, in the order of `lines_sql` (the list's rows:
    the key, the name, each indicator's figure, target, status and certainty,
    the average handling time; see LINE), with the invitations issued and
    answered at the unit's agencies in the period. The inner statement comes
    with its values bound. `typed`: figures, targets and handling times as
    numbers, for a workbook."""
    cells = ",".join(_indicator_cells(i.value, typed) for i in INDICATORS)
    columns = ", ".join(LINE)
    # Each figure rounded once here, not in each expression that writes it.
    rounded = "".join(
        f", CAST(round(CAST(l.{i.value}_value AS numeric), %(decimals)s)"
        f" AS double precision) AS {i.value}_rounded"
        for i in INDICATORS
    )
    return f"""
WITH listed AS (
    SELECT l.*, row_number() OVER () AS n{rounded}
    FROM ({lines_sql}) AS l ({columns})
),
asked AS (SELECT level, unit_id, period_kind, period_key FROM listed),
{PERIOD_BOUNDS},
{unit_agencies_sql(InvitationBatch._meta.db_table, "issuing")},
{unit_agencies_sql(UsedInvitation._meta.db_table, "answering")},
issued AS ({issued_select("issuing")}
),
answered AS ({answered_select("answering")}
)
SELECT
    l.name_vi,
    CAST(%(levels)s AS jsonb) ->> CAST(l.level AS text),
    l.period_key,{cells},
    CASE WHEN COALESCE(i.n, 0) > 0
        THEN to_char(CAST(100 * COALESCE(a.n, 0) AS double precision) / i.n,
                     'FM999999990.0')
             || '%% (' || COALESCE(a.n, 0) || '/' || i.n || ')'
        ELSE '{DASH}' END,
    {_handling_cell(typed)}
FROM listed l
LEFT JOIN issued i ON {_same_key("i", "l")}
LEFT JOIN answered a ON {_same_key("a", "l")}
ORDER BY l.n
"""


def _bound(queryset: QuerySet) -> str:
    """A queryset's statement with its values written in, ready to be nested in
    another statement that is bound later ('%' doubled)."""
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        return cursor.mogrify(sql, params).replace("%", "%%")


def _export_statement(*, lines: QuerySet, typed: bool) -> tuple[str | None, dict]:
    """The export's statement (None: no lines) and its values."""
    definition = dossier_definition()
    try:
        sql = scorecard_export_sql(
            lines_sql=_bound(lines.values_list(*LINE)), typed=typed
        )
    except EmptyResultSet:
        sql = None
    # A workbook's labels escaped for XML here, not each cell in SQL.
    write = xml_text if typed else str
    statuses = {
        f"{status}|{certainty}": write(status_text(status, certainty))
        for status in IndicatorValue.Status.values
        for certainty in ("", *IndicatorValue.Certainty.values)
    }
    levels = {str(lv): write(str(Level(lv).label)) for lv in Level.values}
    params = {
        "decimals": definition.decimals if definition else 2,
        "statuses": json.dumps(statuses),
        "levels": json.dumps(levels),
        "zone": timezone.get_current_timezone_name(),
    }
    return sql, params


def scorecard_csv_response(
    *, lines: QuerySet, header: list[str], filename: str
) -> StreamingHttpResponse:
    """The scorecard's export: `lines` is the list's queryset of `Scorecard`
    rows, filtered, scoped and in order."""
    sql, params = _export_statement(lines=lines, typed=False)
    # Its sorts and joins of 166,000 wide lines fit in memory with 64 MB.
    return copied_sql_response(sql, params, header, filename, work_mem=EXPORT_WORK_MEM)


def scorecard_columns(header: list[str]) -> list[Column]:
    """The workbook's columns: the CSV's, with figures and targets as numbers
    shown with "%" (the figure to the definition's decimals), the period key and
    the handling time as numbers."""
    definition = dossier_definition()
    decimals = definition.decimals if definition else 2
    figure = "0." + "0" * decimals + '"%"' if decimals else '0"%"'
    # Only the unit's name is escaped in SQL: the rest are labels escaped
    # before (_export_statement), numbers, or the response rate's digits.
    columns = [
        Column(header[0], 40),
        Column(header[1], 12, escaped=True),
        Column(header[2], 10, number=True),
    ]
    for index in range(len(INDICATORS)):
        value, target, status = header[3 + 3 * index : 6 + 3 * index]
        columns += [
            Column(value, 14, number=True, number_format=figure),
            Column(target, 12, number=True, number_format='General"%"'),
            Column(status, 30, escaped=True),
        ]
    return columns + [
        Column(header[-2], 18, escaped=True),
        Column(header[-1], 14, number=True, number_format="0.0"),
    ]


def scorecard_xlsx_response(
    *, lines: QuerySet, header: list[str], title: str, filename: str
) -> StreamingHttpResponse:
    """The scorecard's export as a workbook: the CSV's lines and columns."""
    sql, params = _export_statement(lines=lines, typed=True)
    return xlsx_response(
        sql,
        params,
        scorecard_columns(header),
        title=title,
        filename=filename,
        work_mem=EXPORT_WORK_MEM,
    )
