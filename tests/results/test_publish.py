"""Publishing a year: what is frozen, versions and their changes, who may publish."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from indicators.engine.figures import figures_rebuild, figures_refresh_dirty
from results.models import Publication, PublishedFigure
from results.services import publication_create
from tests.indicators.engine.builders import centre

PROVINCE = PublishedFigure.Level.PROVINCE


def _son_la(publication: Publication) -> PublishedFigure:
    return publication.figures.get(level=PROVINCE, code="14")


def test_a_publication_freezes_figures_ranks_counts_and_the_definition(published):
    son_la = _son_la(published)
    assert round(son_la.value, 2) == 82.18
    assert (son_la.rank_national, son_la.rank_national_of) == (17, 63)
    assert (son_la.rank_region, son_la.rank_region_of) == (5, 14)
    assert round(published.national_mean, 2) == 80.08
    assert round(son_la.gap_to_mean, 2) == 2.10
    assert round(son_la.change, 2) == 12.18
    assert son_la.status == PublishedFigure.Status.MEETS
    assert published.threshold == 80
    assert len(son_la.counts) == len(son_la.criteria) > 0
    assert all(len(counts) == 6 for counts in son_la.counts.values())
    assert published.definition["satisfied_levels"] == [4, 5]
    assert [e["code"] for e in published.definition["elements"]][:1] == ["ACCESS"]
    levels = set(published.figures.values_list("level", flat=True))
    assert levels == {"nation", "region", "province", "agency"}
    assert published.figures.filter(level=PROVINCE).count() == 63
    assert (published.year, published.version, published.map) == (2022, 1, 2008)


def test_later_responses_and_rebuilds_do_not_change_a_publication(
    published, rollup, son_la
):
    before = list(published.figures.values_list("code", "level", "value", "counts"))
    rollup.add_uniform(agency=centre(son_la), month=202211, rate=10, answered=5000)
    rollup.write()
    figures_refresh_dirty()
    figures_rebuild()
    after = list(published.figures.values_list("code", "level", "value", "counts"))
    assert after == before
    assert round(_son_la(published).value, 2) == 82.18


def test_publishing_again_makes_a_new_version_listing_what_changed(
    published, rollup, son_la
):
    rollup.add_uniform(agency=centre(son_la), month=202211, rate=10, answered=5000)
    rollup.write()
    figures_refresh_dirty()

    again = publication_create(year=2022)

    assert again.version == 2
    assert round(_son_la(again).value, 2) == round((82.18 + 10) / 2, 2)
    changed = {(c["code"], c["field"]) for c in again.changes if c["level"] == PROVINCE}
    assert ("14", "value") in changed
    assert ("14", "rank_national") in changed
    assert round(_son_la(published).value, 2) == 82.18
    assert published.published_at <= again.published_at


def test_a_status_is_below_target_when_the_index_is_under_it(sipas):
    publication = publication_create(year=2022)
    statuses = {
        f.code: (f.value, f.status) for f in publication.figures.filter(level=PROVINCE)
    }
    for value, status in statuses.values():
        expected = "below" if value < 80 else "meets"
        assert status == expected
    assert {"below", "meets"} <= {status for _, status in statuses.values()}


def test_units_under_the_minimum_of_respondents_are_left_out(sipas, settings):
    settings.INDICATOR_MIN_RESPONDENTS = 5001
    publication = publication_create(year=2022)
    assert not publication.figures.filter(level=PROVINCE).exists()
    assert publication.figures.filter(level="nation").exists()


def test_the_command_publishes_a_year_and_refuses_a_year_without_figures(sipas):
    call_command("publish_results", "2022", verbosity=0)
    assert Publication.objects.get(year=2022).version == 1
    with pytest.raises(CommandError):
        call_command("publish_results", "2019", verbosity=0)


def test_a_national_administrator_publishes_from_the_admin(
    sipas, login, national_admin
):
    client = login(national_admin)
    response = client.post("/admin/results/publication/publish/", {"year": 2022})
    assert response.status_code == 302
    publication = Publication.objects.get(year=2022)
    assert publication.published_by == national_admin
    response = client.post(
        "/admin/results/publication/",
        {"action": "publish_again", "_selected_action": [publication.pk]},
    )
    assert response.status_code == 302
    assert Publication.objects.filter(year=2022).count() == 2


def test_a_provincial_official_cannot_publish(sipas, login, son_la_official):
    client = login(son_la_official)
    response = client.post("/admin/results/publication/publish/", {"year": 2022})
    assert response.status_code == 403
    assert not Publication.objects.exists()


def test_a_year_after_july_2025_is_published_on_the_34_units(rollup, client):
    from surveys.models import Agency

    bac_kan_centre = Agency.objects.get(code="06-centre")
    rollup.add_uniform(agency=bac_kan_centre, month=202509, rate=80, answered=100)
    rollup.write()
    figures_refresh_dirty()

    publication = publication_create(year=2025)

    assert publication.map == 2025
    provinces = publication.figures.filter(level=PROVINCE)
    assert list(provinces.values_list("code", "name_vi")) == [("19", "Thái Nguyên")]
    agency = publication.figures.get(level="agency", code="06-centre")
    assert agency.province_code == "19"
    html = client.get("/results/2025/19/").content.decode()
    assert "Thái Nguyên" in html
    assert bac_kan_centre.name_vi in html


def test_the_command_says_what_it_published_in_vietnamese(published):
    from io import StringIO

    from django.utils import translation

    out = StringIO()
    # As on the command line, where the default language is active.
    with translation.override("vi"):
        call_command("publish_results", "2022", stdout=out)
    assert out.getvalue().startswith("Đã công bố kết quả năm 2022, phiên bản 2:")
