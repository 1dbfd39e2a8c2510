"""Formatting of published figures: rounded as published, in the reader's locale."""

from __future__ import annotations

from django import template
from django.utils.formats import get_format, number_format

register = template.Library()


@register.filter
def pct(value: float | None, decimals: int = 2) -> str:
    """82.1811 -> "82,18" (vi) or "82.18" (en); a dash when missing."""
    if value is None:
        return "–"
    return number_format(round(value, decimals), decimals)


@register.filter
def signed(value: float | None, decimals: int = 2) -> str:
    """A change in points with its sign: "+2,10", "−0,50"."""
    if value is None:
        return "–"
    rounded = round(value, decimals)
    text = number_format(abs(rounded), decimals)
    if rounded > 0:
        return f"+{text}"
    if rounded < 0:
        return f"−{text}"
    return text


@register.filter
def count(value: int | None) -> str:
    """315000 -> "315.000" (vi) or "315,000" (en)."""
    if value is None:
        return "–"
    # Django's Vietnamese formats group no digits; publications do.
    return f"{int(value):,}".replace(",", get_format("THOUSAND_SEPARATOR"))


@register.simple_tag
def rank(position: int | None, of: int | None) -> str:
    """ "17/63"; a dash when unranked."""
    if position is None or of is None:
        return "–"
    return f"{position}/{of}"


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key) if mapping else None
