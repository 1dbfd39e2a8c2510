"""The arithmetic of a published figure, in plain Python, from the counts alone.

The same arithmetic as the platform's figures (indicators.engine.figures), applied
to the counts a publication freezes, so that a published figure is by construction what
its published counts and scoring definition give:

- a criterion's rate is 100 × (answers at the satisfied levels) / (answers 1 to 5);
  "does not apply" (n0) is in no denominator; without answers it has no rate;
- an element's index is the weighted mean of the rates of its criteria that have
  one; the overall index is the weighted mean of the element indices;
- empty weights mean equal weights; a code missing from non-empty weights weighs 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def criterion_rate(counts: Sequence[int], satisfied: Iterable[int]) -> float | None:
    """The rate of one criterion from its counts [n0, n1, ..., n5]."""
    answered = sum(counts[1:6])
    if not answered:
        return None
    return sum(counts[level] for level in set(satisfied)) * 100.0 / answered


def _weight(weights: Mapping[str, float], code: str) -> float:
    return 1.0 if not weights else float(weights.get(code, 0.0))


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(weight for weight, _ in pairs)
    if not pairs or not total:
        return None
    return sum(weight * value for weight, value in pairs) / total


def unit_figures(
    counts: Mapping[str, Sequence[int]], definition: Mapping
) -> tuple[float | None, dict[str, float | None], dict[str, float | None]]:
    """(index, {element: index}, {criterion: rate}) of one unit from its counts per
    criterion code, under a definition as a publication stores it."""
    satisfied = [int(level) for level in definition["satisfied_levels"]]
    element_weights = definition.get("element_weights") or {}
    criterion_weights = definition.get("criterion_weights") or {}
    criteria: dict[str, float | None] = {}
    elements: dict[str, float | None] = {}
    element_pairs = []
    for element in definition["elements"]:
        pairs = []
        for criterion in element["criteria"]:
            code = criterion["code"]
            rate = criterion_rate(counts[code], satisfied) if code in counts else None
            criteria[code] = rate
            if rate is not None:
                pairs.append((_weight(criterion_weights, code), rate))
        value = _weighted_mean(pairs)
        elements[element["code"]] = value
        if value is not None:
            element_pairs.append((_weight(element_weights, element["code"]), value))
    return _weighted_mean(element_pairs), elements, criteria


def competition_ranks(values: Mapping[str, float], decimals: int) -> dict[str, int]:
    """Standard competition ranks ("1224") of figures compared as published, i.e.
    rounded to `decimals`: equal published figures share a rank."""
    rounded = {code: round(value, decimals) for code, value in values.items()}
    ordered = sorted(rounded.values(), reverse=True)
    first = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {code: first[value] for code, value in rounded.items()}
