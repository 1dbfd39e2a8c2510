"""Rollup rows written the way the fold writes them, for tests of the figures.

The fold (another module) turns responses into answer counts for every unit a
response concerns (its agency, the agency's province, that province's 2025 unit,
its region, the nation) and every period containing its date (month, quarter,
year), and marks those keys dirty. `RollupBuilder` does the same from answer
distributions, so that tests state figures ("82.18% of 5,000 answers satisfied")
instead of thousands of responses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from operator import add

from django.db import connection

from indicators.engine.kernel import (
    ANSWER_COLUMNS,
    CC,
    CC_COLUMNS,
    DIRTY,
    KEY,
    RC,
    RC_COLUMNS,
)
from indicators.models import Level, PeriodKind
from surveys.models import Agency, Province, Questionnaire

Key = tuple[int, int, int, int]  # level, unit_id, period_kind, period_key


def counts_for(
    *, rate: float, answered: int, not_applicable: int = 0, very: float = 0.4
) -> list[int]:
    """Counts [n0..n5] of one criterion where `rate` percent of the `answered`
    (levels 1 to 5) are satisfied: a share `very` of those at 5, the rest at 4;
    the unsatisfied spread over 3, 2 and 1 (3 the most common)."""
    satisfied = round(answered * rate / 100)
    if abs(100 * satisfied / answered - rate) > 1e-9:
        raise ValueError(f"{rate}% of {answered} is not a whole number of answers")
    n5 = round(satisfied * very)
    unsatisfied = answered - satisfied
    n3 = unsatisfied * 6 // 10
    n2 = unsatisfied * 3 // 10
    return [not_applicable, unsatisfied - n3 - n2, n2, n3, satisfied - n5, n5]


def periods_of(month: int) -> list[tuple[int, int]]:
    """The month, quarter and year keys of a month key (202203)."""
    year, number = divmod(month, 100)
    return [
        (PeriodKind.MONTH, month),
        (PeriodKind.QUARTER, year * 10 + (number - 1) // 3 + 1),
        (PeriodKind.YEAR, year),
    ]


class RollupBuilder:
    """Accumulates answer counts about agencies, then writes them (adding to rows
    already there) and marks every written key dirty."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.criteria = {
            c.code: c.id for c in questionnaire.criteria.order_by("position")
        }
        self.counts: dict[tuple[Key, int], list[int]] = defaultdict(lambda: [0] * 6)
        self.respondents: dict[Key, int] = defaultdict(int)

    def units_of(self, agency: Agency) -> list[tuple[int, int]]:
        units = [(Level.AGENCY, agency.id), (Level.NATION, 0)]
        province = agency.province
        if province is not None:
            units.append((Level.PROVINCE, province.id))
            if province.successor_id:
                units.append((Level.PROVINCE, province.successor_id))
            if province.region_id:
                units.append((Level.REGION, province.region_id))
        return units

    def add(
        self,
        *,
        agency: Agency,
        month: int,
        respondents: int,
        criteria: dict[str, Sequence[int]],
    ) -> RollupBuilder:
        """Answers of `respondents` people about `agency` in `month` (202206):
        counts [n0..n5] per criterion code; criteria left out were not asked."""
        for level, unit_id in self.units_of(agency):
            for kind, key in periods_of(month):
                if level == Level.AGENCY and kind == PeriodKind.MONTH:
                    continue  # agencies are counted by quarter and year
                unit_key = (level, unit_id, kind, key)
                self.respondents[unit_key] += respondents
                for code, counts in criteria.items():
                    key = (unit_key, self.criteria[code])
                    self.counts[key] = list(map(add, self.counts[key], counts))
        return self

    def add_uniform(
        self,
        *,
        agency: Agency,
        month: int,
        rate: float,
        answered: int,
        not_applicable: int = 0,
    ) -> RollupBuilder:
        """Every criterion answered alike: `rate` percent of `answered` satisfied,
        `not_applicable` more saying "does not apply"."""
        counts = counts_for(rate=rate, answered=answered, not_applicable=not_applicable)
        return self.add(
            agency=agency,
            month=month,
            respondents=answered + not_applicable,
            criteria=dict.fromkeys(self.criteria, counts),
        )

    def write(self) -> None:
        """Add the accumulated counts to the rollup tables and mark the keys dirty,
        as one fold would (one upsert per table); the builder is empty afterwards."""
        q = self.questionnaire
        counts = [(*key, criterion, *n) for (key, criterion), n in self.counts.items()]
        respondents = [(*key, q.id, n) for key, n in self.respondents.items()]
        added = ", ".join(f"{n} = t.{n} + excluded.{n}" for n in ANSWER_COLUMNS)
        with connection.cursor() as cursor:
            if counts:
                cursor.execute(
                    f"INSERT INTO {CC} AS t ({CC_COLUMNS}) SELECT * FROM {_arrays(11)}"
                    f" ON CONFLICT ({KEY}, criterion_id) DO UPDATE SET {added}",
                    [list(column) for column in zip(*counts, strict=True)],
                )
            if respondents:
                columns = [list(column) for column in zip(*respondents, strict=True)]
                cursor.execute(
                    f"INSERT INTO {RC} AS t ({RC_COLUMNS}) SELECT * FROM {_arrays(6)}"
                    f" ON CONFLICT ({KEY}, questionnaire_id)"
                    " DO UPDATE SET respondents = t.respondents + excluded.respondents",
                    columns,
                )
                cursor.execute(
                    f"INSERT INTO {DIRTY} ({KEY}, questionnaire_id)"
                    f" SELECT * FROM {_arrays(5)} ON CONFLICT DO NOTHING",
                    columns[:5],
                )
        self.counts.clear()
        self.respondents.clear()


def _arrays(count: int) -> str:
    """unnest of `count` integer arrays, the statement's parameters."""
    return f"unnest({', '.join(['%s::int[]'] * count)})"


def centre(province: Province) -> Agency:
    """The provincial centre of a province (code "NN-centre")."""
    return Agency.objects.select_related("province").get(code=f"{province.code}-centre")


def sipas_2022_figures(son_la: Province) -> dict[Province, int]:
    """Figures (hundredths of a percent) for the 63 provinces of 2022: Sơn La 82.18,
    four TDMNPB provinces and twelve elsewhere above it, 46 below, with an
    unweighted mean of exactly 80.08."""
    provinces = list(
        Province.objects.filter(map=Province.Map.MAP_2008)
        .exclude(id=son_la.id)
        .select_related("region")
        .order_by("code")
    )
    north = [p for p in provinces if p.region.code == "TDMNPB"]
    others = [p for p in provinces if p.region.code != "TDMNPB"]
    assert (len(north), len(others)) == (13, 49)
    figures = {son_la: 8218}
    figures |= dict(zip(north[:4], [8600, 8500, 8400, 8300], strict=True))
    figures |= {p: 9000 - 50 * i for i, p in enumerate(others[:12])}
    below = north[4:] + others[12:]
    figures |= {p: 7382 + 18 * i for i, p in enumerate(below[:-1])}
    figures[below[-1]] = 63 * 8008 - sum(figures.values())
    assert figures[below[-1]] < 8218 and figures[below[-1]] % 2 == 0
    assert sum(figures.values()) == 63 * 8008
    return figures
