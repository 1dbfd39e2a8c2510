"""The review list's CSV written by PostgreSQL: cell for cell the file the
Python writer made, in both languages, and scoped like the list."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django.utils import translation

from indicators.exports import csv_response, python_csv_response
from indicators.models import IndicatorValue
from indicators.selectors import indicator_values_for

EXPORT = "admin:indicators_indicatorvalue_export"


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def test_the_copied_csv_equals_the_python_written_one_in_both_languages(sipas):
    queryset = IndicatorValue.objects.order_by("-period_key", "name_vi", "pk")
    # Months, quarters and years; whole and fractional figures, empty ones.
    assert set(queryset.values_list("period_kind", flat=True)) == {1, 2, 3}
    first, second, third = queryset[:3]
    IndicatorValue.objects.filter(pk=first.pk).update(
        value=None, ci_low=None, ci_high=None, threshold=None, certainty=""
    )
    IndicatorValue.objects.filter(pk=second.pk).update(value=85.0, threshold=80.5)
    IndicatorValue.objects.filter(pk=third.pk).update(value=79.99999, ci_low=0.004)
    for language in ("vi", "en"):
        with translation.override(language):
            copied = _rows(csv_response(queryset, "x"))
            written = _rows(python_csv_response(queryset, "x"))
        assert copied[0] == written[0]
        assert len(copied) == len(written)
        for copied_row, written_row in zip(copied, written, strict=True):
            assert copied_row == written_row


def test_an_officials_copied_export_holds_only_their_units(
    login, son_la_official, sipas, son_la
):
    client = login(son_la_official)
    rows = _rows(client.get(reverse(EXPORT, args=["csv"]), {"period": "all"}))
    body = rows[1:]
    assert son_la.name_vi in {row[0] for row in body}
    exported = {int(row[-1]) for row in body}  # the last column is the id
    visible = indicator_values_for(user=son_la_official)
    assert exported <= set(visible.values_list("pk", flat=True))
    assert (
        not IndicatorValue.objects.filter(pk__in=exported)
        .exclude(province_id__in=[son_la.id, son_la.successor_id])
        .exclude(level__gt=2)
        .exists()
    )
