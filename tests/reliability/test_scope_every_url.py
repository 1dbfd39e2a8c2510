"""Every URL of the URL configuration, enumerated from it, refuses an official of
another province or shows them nothing of Sơn La. A new endpoint without a scope
check fails here unless it is added to PUBLIC, with its reason."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from indicators.engine.pipeline import rollup_refresh
from indicators.models import IndicatorValue
from surveys.models import Agency, InvitationBatch, Response
from tests.factories import ResponseFactory

# Routes anyone may open, by name: pages for citizens, the API's public half,
# the documentation and the admin's own login and logout.
PUBLIC = {
    "home",
    "healthz",
    "set_language",  # i18n: switches the language
    "api-schema",
    "api-docs",
    "surveys:survey",
    "surveys:survey-send",  # where the survey page is sent
    "surveys:thanks",
    "surveys:survey-questionnaire",  # another questionnaire's survey page
    "surveys:survey-questionnaire-send",
    "surveys:invitation",
    "surveys:invitation-send",
    "surveys:api-questionnaire",
    "surveys:api-responses",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:autocomplete",  # checks the model admin's own permissions
    "admin:view_on_site",  # only redirects to an object's public page
    "admin-dossiers-moved",  # the dossier admin's old address: only redirects
    # Published results: public by design, frozen snapshots of units with enough
    # respondents, no free text (tests/results).
    "results:index",
    "results:year",
    "results:province",
    "results:report",
    "results:csv",
    "results:json",
    "results:version-csv",
    "results:version-json",
    "results:schema",
    "results:data",
}

MARKER = "SON-LA-ONLY-8f3a"


def routes(patterns=None, namespace: str = ""):
    """(name, parameter names) of every named route, through includes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            if isinstance(pattern.pattern, RoutePattern):
                params = list(pattern.pattern.converters)
            else:
                params = list(pattern.pattern.regex.groupindex)
            yield (f"{namespace}{pattern.name}" if pattern.name else None, params)


def model_of(name: str):
    """The model an admin route such as admin:surveys_response_change is about."""
    if not name.startswith("admin:"):
        return None
    for model in site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


@pytest.fixture
def son_la_data(transactional_db, son_la_centre, questionnaire, son_la_official):
    # Committed: a fold counts what other transactions committed, not the test's.
    response = ResponseFactory(
        agency=son_la_centre, questionnaire=questionnaire, suggestion=MARKER
    )
    batch = InvitationBatch.objects.create(
        agency=son_la_centre, channel=1, count=1, created_by=son_la_official
    )
    rollup_refresh()
    value = IndicatorValue.objects.filter(agency_id=son_la_centre.id).first()
    assert value is not None, "no figure of Sơn La to ask for"
    return {
        Response: response,
        InvitationBatch: batch,
        type(son_la_centre): son_la_centre,
        IndicatorValue: value,
        "markers": [MARKER, str(response.uid), son_la_centre.code],
    }


def fill(name: str, params: list[str], data: dict) -> dict[str, str]:
    model = model_of(name) or (IndicatorValue if "indicator" in name else None)
    values = {}
    for param in params:
        if param in ("object_id", "pk", "id"):
            obj = data.get(model)
            values[param] = str(obj.pk if obj is not None else 1)
        elif param == "app_label":
            values[param] = "surveys"
        elif param == "kind":
            values[param] = "png"
        elif param == "level":
            values[param] = "1"  # Level.AGENCY: Sơn La's service centre below
        elif param == "unit_id":
            values[param] = str(data[Agency].pk)
        else:
            values[param] = "14-centre" if "agency" in param else str(uuid.uuid4())
    return values


def test_the_enumeration_finds_the_staff_endpoints():
    names = {name for name, _ in routes()}
    assert {
        "indicator-list",
        "indicator-detail",
        "admin:index",
        "admin:surveys_response_changelist",
        "admin:surveys_response_change",
    } <= names


@pytest.mark.django_db(transaction=True)
def test_every_non_public_url_refuses_another_province_or_shows_nothing_of_it(
    client, son_la_data, quang_ninh_official
):
    client.force_login(quang_ninh_official)
    checked, leaks = [], []
    for name, params in routes():
        if name is None or name in PUBLIC:
            continue
        try:
            url = reverse(name, kwargs=fill(name, params, son_la_data))
        except Exception as error:  # noqa: BLE001 - reported below
            leaks.append(f"{name}: cannot build a URL ({error})")
            continue
        result = client.get(url)
        checked.append(name)
        if result.status_code in (403, 404, 405):
            continue
        if result.status_code == 302 and "login" in result["Location"]:
            continue
        content = (
            b"".join(result.streaming_content) if result.streaming else result.content
        )
        body = content.decode(errors="replace")
        shown = [m for m in son_la_data["markers"] if m in body]
        if result.status_code >= 500 or shown:
            leaks.append(f"{name} {url}: {result.status_code}, shows {shown}")
    assert not leaks, "\n".join(leaks)
    assert "indicator-detail" in checked and "admin:surveys_response_change" in checked


def test_the_allow_list_names_only_routes_that_exist():
    names = {name for name, _ in routes()}
    assert names >= PUBLIC, PUBLIC - names
    assert apps.is_installed("django.contrib.admin")
