"""Periods: a month (202203), a quarter (20221) or a year (2022), their dates
and neighbours, and the small table of the periods a statement involves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from indicators.models import PeriodKind
from surveys.models import MAP_2025_STARTS, Province

MAP_2025_START = dt.date.fromisoformat(MAP_2025_STARTS)

Period = tuple[int, int]  # (period_kind, period_key)


@dataclass(frozen=True)
class PeriodInfo:
    kind: int
    key: int
    start: dt.date
    end: dt.date  # exclusive
    year: int
    previous: int
    following: int

    @property
    def map(self) -> int:
        """The map a period belongs to: the 2008 map for periods ending before
        1 July 2025, the 2025 map for the others."""
        if self.end <= MAP_2025_START:
            return Province.Map.MAP_2008
        return Province.Map.MAP_2025


def period_info(*, kind: int, key: int) -> PeriodInfo:
    """Dates, year and neighbours of a period: 202203 (March 2022), 20221 (its
    first quarter) or 2022."""
    if kind == PeriodKind.MONTH:
        year, month = divmod(key, 100)
        start = dt.date(year, month, 1)
        end = dt.date(year + month // 12, month % 12 + 1, 1)
        previous = key - 1 if month > 1 else (year - 1) * 100 + 12
        following = key + 1 if month < 12 else (year + 1) * 100 + 1
    elif kind == PeriodKind.QUARTER:
        year, quarter = divmod(key, 10)
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + quarter // 4, (3 * quarter) % 12 + 1, 1)
        previous = key - 1 if quarter > 1 else (year - 1) * 10 + 4
        following = key + 1 if quarter < 4 else (year + 1) * 10 + 1
    elif kind == PeriodKind.YEAR:
        year = key
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        previous, following = key - 1, key + 1
    else:
        raise ValueError(f"unknown period kind {kind}")
    return PeriodInfo(kind, key, start, end, year, previous, following)


def periods_cte(periods: Iterable[Period], params: dict) -> str:
    """A `periods` CTE from Python values: one row per period involved."""
    rows = []
    for kind, key in sorted(set(periods)):
        info = period_info(kind=kind, key=key)
        # A parameter: the driver sends it as a date.
        start = f"start_{info.kind}_{info.key}"
        params[start] = info.start
        rows.append(
            f"({info.kind}, {info.key}, %({start})s, {info.year}, {info.map}, "
            f"{info.previous}, {info.following})"
        )
    return (
        "periods (period_kind, period_key, period_start, period_year, period_map,"
        " prev_key, next_key) AS (VALUES " + ", ".join(rows) + ")"
    )
