"""Element figures of a scoring definition: per unit-period and element, the
weighted mean of its criteria's satisfied rates, read from the count rows (and
from every earlier version of the questionnaire that asked a criterion under its
code), into a temporary table the figures step reads."""

from __future__ import annotations

from indicators.engine.kernel import (
    CC,
    CRITERIA,
    KEY,
    on_key,
    temp,
)
from indicators.models import (
    ScoringDefinition,
)
from indicators.versions import criteria_pooled
from surveys.models import Element

# Intermediate results go to temporary tables rather than CTEs: analyzed, they
# give PostgreSQL true row counts, where estimates from freshly written rollup
# rows lead it to nested loops over aggregates (docs/performance.md).
KEYS_TABLE = "indicators_tmp_keys"
ELEMENTS_TABLE = "indicators_tmp_elements"


def satisfied_sum(levels: list[int]) -> str:
    """The sum of the answer columns at the satisfied levels."""
    columns = [f"cc.n{int(level)}" for level in sorted(set(levels))]
    if not columns or any(not 1 <= int(level) <= 5 for level in levels):
        raise ValueError(f"satisfied levels must be within 1 to 5, got {levels!r}")
    return " + ".join(columns)


def by_id(column: str, values: dict[int, object], prefix: str, params: dict) -> str:
    """`values[column]` for the ids listed (NULL for others), as a CASE. The few
    criteria and elements of a questionnaire are written into the statement
    rather than joined: PostgreSQL, expecting one count row per unit-period where
    there are one per criterion, looked each count row's criterion up by index
    (a third of the element figures of a refresh; docs/performance.md)."""
    cases = []
    for index, (key, value) in enumerate(sorted(values.items())):
        params[f"{prefix}{index}_id"] = int(key)
        params[f"{prefix}{index}_v"] = value
        cases.append(f"WHEN %({prefix}{index}_id)s THEN %({prefix}{index}_v)s")
    return f"CASE {column} {' '.join(cases)} END"


def _weightsby_id(
    column: str, codes: dict[int, str], weights: dict, prefix: str, params: dict
) -> str:
    """The weight of each id of `codes` (id -> code): 1 when no weights are
    given, else the listed weight, 0 for codes not listed. A float: PostgreSQL
    reads `1.0` as a numeric, and sums of numerics made the element figures'
    aggregate several times slower."""
    if not weights:
        return "CAST(1.0 AS DOUBLE PRECISION)"
    listed = {pk: float(weights.get(code, 0.0)) for pk, code in codes.items()}
    return f"CAST({by_id(column, listed, prefix, params)} AS DOUBLE PRECISION)"


def element_values_sql(
    definition: ScoringDefinition, params: dict, *, everything: bool, whole: bool
) -> str:
    """Element figures of the unit-periods in the keys table, one row per element,
    into a temporary table: the weighted mean of the element's criterion rates,
    each over the answers that apply, and the most answers to one criterion.

    Summed here, as the count rows are read, rather than from a table of
    criterion rates: that table held a row per count row, which the figures
    then had to sort by element.

    With earlier versions (`indicators.versions`), a criterion's counts are
    first summed over the versions that asked it under its code, so that its
    rate is over all of them."""
    q = definition.questionnaire_id
    pooled = criteria_pooled(questionnaire_id=q)
    criteria = {pk: (c.code, c.element_id) for pk, c in pooled.items()}
    several = any(pk != c.counts_for for pk, c in pooled.items())
    elements = dict(
        Element.objects.filter(questionnaire_id=q).values_list("id", "code")
    )
    criterion_codes = {c.counts_for: c.code for c in pooled.values()}
    if whole and not several:
        # Most of the rollup is read: hashing the criteria table beats a CASE
        # per count row (docs/performance.md).
        element_of, criterion = "c.element_id", "c.id"
        criteria_join = (
            f"JOIN {CRITERIA} c ON c.id = cc.criterion_id"
            " WHERE c.questionnaire_id = %(questionnaire)s"
        )
    else:
        element_of = by_id(
            "cc.criterion_id",
            {pk: element for pk, (_, element) in criteria.items()},
            "ce",
            params,
        )
        criterion = "cc.criterion_id"
        if several:
            criterion = by_id(
                "cc.criterion_id",
                {pk: c.counts_for for pk, c in pooled.items()},
                "cf",
                params,
            )
        for index, pk in enumerate(criteria):
            params[f"cq{index}"] = pk
        listed = ", ".join(f"%(cq{index})s" for index in range(len(criteria)))
        criteria_join = f"WHERE cc.criterion_id IN ({listed or 'NULL'})"
    criterion_weight = _weightsby_id(
        criterion, criterion_codes, definition.criterion_weights, "cw", params
    )
    element_code = by_id("element_id", elements, "ec", params)
    element_weight = _weightsby_id(
        "element_id", elements, definition.element_weights, "ew", params
    )
    # Every unit-period: the rollup holds no count row outside them, and a row
    # the figures do not ask for is left in the temporary table.
    in_keys = "" if everything else f"JOIN {temp(KEYS_TABLE)} k ON {on_key('k', 'cc')}"
    by_criterion = f", {criterion} AS criterion_id" if several else ""
    counts = f"""
        SELECT cc.level, cc.unit_id, cc.period_kind, cc.period_key,
               {element_of} AS element_id,
               cc.n1 + cc.n2 + cc.n3 + cc.n4 + cc.n5 AS n,
               {satisfied_sum(definition.satisfied_levels)} AS sat,
               {criterion_weight} AS w{by_criterion}
        FROM {CC} cc
        {in_keys}
        {criteria_join}"""
    if several:
        counts = f"""
        SELECT {KEY}, element_id, SUM(n) AS n, SUM(sat) AS sat, MAX(w) AS w
        FROM ({counts}) by_version
        GROUP BY {KEY}, element_id, criterion_id"""
    return f"""
CREATE TEMP TABLE {ELEMENTS_TABLE} AS
SELECT {KEY}, {element_code} AS code, value, n,
       {element_weight} AS w
FROM (
    SELECT {KEY},
           element_id,
           SUM(CASE WHEN n > 0
                    THEN w * (CAST(sat AS DOUBLE PRECISION) * 100.0 / n) END)
               / NULLIF(SUM(CASE WHEN n > 0 THEN w END), 0) AS value,
           MAX(n) AS n
    FROM ({counts}
    ) counts
    GROUP BY {KEY}, element_id
) per_element
"""
