"""The scorecard's CSV written by PostgreSQL: line for line what the Python
writer made from the same list, for the national administrator and an
official, and an official's file holds only their units."""

from __future__ import annotations

import csv
import io

import pytest

from indicators.admin_scorecard import _export_lines, _header
from indicators.models import Scorecard
from indicators.scorecard import response_rates_for, scorecard_figures
from indicators.selectors import indicator_values_for
from tests.conftest import PASSWORD
from tests.dossiers import test_scorecard
from tests.dossiers.test_scorecard import URL

pytestmark = pytest.mark.django_db
son_la_figures = test_scorecard.son_la_figures


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
