"""Numbers in sentences of the active language: 648.900 in Vietnamese, 648,900 in
English (Django's Vietnamese formats group no digits)."""

from __future__ import annotations

from django.utils.formats import get_format


def count_text(number: int) -> str:
    """A whole number with the active language's thousands separator."""
    return f"{int(number):,}".replace(",", get_format("THOUSAND_SEPARATOR"))
