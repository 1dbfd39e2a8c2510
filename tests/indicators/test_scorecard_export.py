"""The scorecard's CSV written by PostgreSQL: line for line what the Python
writer made from the same list, for the national administrator and an
official, and an official's file holds only their units."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from indicators.admin_review import status_text
from indicators.admin_scorecard import STATUS_LABELS, _header
from indicators.models import IndicatorValue, Level, Scorecard
from indicators.scorecard import INDICATORS, response_rates_for, scorecard_figures
from indicators.selectors import indicator_values_for
from tests.conftest import PASSWORD
from tests.dossiers import test_scorecard
from tests.dossiers.test_scorecard import URL

pytestmark = pytest.mark.django_db
son_la_figures = test_scorecard.son_la_figures


# Per indicator: the keys of its figure, target and status in a line's data.
_EXPORT_FIELDS = [
    (
        f"{i.value}_value",
        f"{i.value}_threshold",
        f"{i.value}_status",
        f"{i.value}_certainty",
    )
    for i in INDICATORS
]


def _export_lines(keys: list, figures: dict, rates: dict) -> Iterator[list]:
    """The export's lines as Python writes them from the page's cells: the
    reference the export written by PostgreSQL is compared with."""
    statuses = {
        (key, certainty): status_text(key, certainty)
        for key in STATUS_LABELS
        for certainty in ("", *IndicatorValue.Certainty.values)
    }
    levels = {level: str(Level(level).label) for level in Level.values}
    for key in keys:
        data = figures.get(key)
        if data is None:
            continue
        decimals = data["decimals"]
        line = [data["name_vi"], levels[key[0]], key[3]]
        for value_key, threshold_key, status_key, certainty_key in _EXPORT_FIELDS:
            value = data.get(value_key)
            threshold = data.get(threshold_key)
            line += [
                "–" if value is None else f"{round(value, decimals)}%",
                "–" if threshold is None else f"{threshold:g}%",
                statuses.get(
                    (data.get(status_key), data.get(certainty_key) or ""), "–"
                ),
            ]
        issued, answered = rates.get(key, (0, 0))
        line.append(
            f"{100 * answered / issued:.1f}% ({answered}/{issued})" if issued else "–"
        )
        handling = data.get("handling_days")
        line.append("–" if handling is None else f"{handling:.1f}")
        yield line


def _copied(client, query: dict) -> list[list[str]]:
    response = client.get(URL + "export/", query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _written(client, user, query: dict) -> list[list[str]]:
    """The lines the Python writer makes from the list's unit-periods."""
    from django.contrib import admin

    request = client.get(URL, query).wsgi_request
    request.user = user
    changelist = admin.site._registry[Scorecard].get_changelist_instance(request)
    keys = list(
        changelist.get_queryset(request).values_list(
            "level", "unit_id", "period_kind", "period_key"
        )
    )
    figures = scorecard_figures(user=user, keys=keys)
    lines = _export_lines(keys, figures, response_rates_for(keys=keys))
    text = io.StringIO()
    csv.writer(text).writerows([_header(), *lines])
    return list(csv.reader(io.StringIO(text.getvalue())))


@pytest.mark.parametrize(
    "query",
    [
        {"period_kind__exact": 1},
        {"period_kind__exact": 3},
        {"period_kind__exact": 3, "o": "-5"},
        {},
    ],
)
def test_the_copied_scorecard_equals_the_python_written_one(
    client,
    son_la_figures,
    national_admin,
    son_la_official,
    query,
):
    for user in (national_admin, son_la_official):
        client.login(username=user.username, password=PASSWORD)
        copied = _copied(client, query)
        assert len(copied) > 1
        assert copied == _written(client, user, query)


def test_an_officials_copied_scorecard_holds_only_their_units(
    client,
    son_la_figures,
    son_la_official,
    sipas,
):
    client.login(username=son_la_official.username, password=PASSWORD)
    names = {line[0] for line in _copied(client, {})[1:]}
    assert son_la_figures.name_vi in names
    visible = set(
        indicator_values_for(user=son_la_official).values_list("name_vi", flat=True)
    )
    assert names <= visible
    assert "Quảng Ninh" not in " ".join(names)


def _workbook(client, query: dict) -> list[list]:
    response = client.get(URL + "export.xlsx", query)
    assert response.status_code == 200
    assert "bang-chi-so_" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _as_csv(index: int, cell) -> str:
    """A workbook's cell as the CSV writes it: figures "82.18%", targets
    "85%", the handling time "12.5", "–" when empty."""
    if cell is None:
        return "–"
    if isinstance(cell, str):
        return cell
    if index == 2:  # the period
        return str(cell)
    if index == 13:  # the handling time
        return f"{cell:.1f}"
    if index % 3 == 0:  # a figure
        return f"{float(cell)}%"
    return f"{cell:g}%"  # a target


@pytest.mark.parametrize("query", [{"period_kind__exact": 3}, {}])
def test_the_scorecard_workbook_holds_the_csv_cells_figures_as_numbers(
    client, son_la_figures, national_admin, son_la_official, query
):
    for user in (national_admin, son_la_official):
        client.login(username=user.username, password=PASSWORD)
        copied = _copied(client, query)
        sheet = _workbook(client, query)
        assert sheet[0] == copied[0]
        assert len(sheet) == len(copied) > 1
        for sheet_row, csv_row in zip(sheet[1:], copied[1:], strict=True):
            assert [_as_csv(i, c) for i, c in enumerate(sheet_row)] == csv_row
            numbers = [sheet_row[i] for i in (2, 3, 4, 6, 7, 9, 10, 13)]
            assert all(isinstance(n, int | float) for n in numbers if n is not None)
    official_names = {row[0] for row in sheet[1:]}
    assert son_la_figures.name_vi in official_names
    assert "Quảng Ninh" not in " ".join(official_names)
