"""The public results: no login, server-rendered, cached per published version.

The part of a page drawn from a publication is rendered once per version,
language and sort order and kept in the cache; the page around it (header,
language switch with its CSRF token) is rendered per request.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from results import opendata, pages, reports, selectors
from results.models import Publication
from results.snapshot import NATION_CODE


def _cached(publication: Publication, name: str, build: Callable[[], str]) -> str:
    """`build()` kept under the publication's id (a version never changes), the
    language and `name`; built again when the cache cannot be reached."""
    # The publication time too: ids restart when a database is recreated.
    stamp = int(publication.published_at.timestamp() * 1e6)
    key = f"results:{publication.pk}:{stamp}:{get_language()}:{name}"
    try:
        text = cache.get(key)
    except Exception:  # noqa: BLE001 - the page is built without the cache
        text = None
    if text is None:
        text = build()
        # Caching is an optimisation only: a page is served without it.
        with contextlib.suppress(Exception):
            cache.set(key, text, settings.RESULTS_CACHE_SECONDS)
    return text


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The latest published year, or a page saying nothing is published yet."""
    latest = selectors.latest_publication()
    if latest is None:
        return render(request, "results/none.html")
    return redirect("results:year", year=latest.year)


@require_safe
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    publication = selectors.publication_for(year=year)
    sort = pages.sort_key(request.GET.get("sort"), publication)
    body = _cached(
        publication,
        f"year:{sort}",
        lambda: render_to_string(
            "results/_year.html", pages.year_context(publication, sort)
        ),
    )
    return render(
        request,
        "results/page.html",
        {"body": body, "title": pages.year_title(publication)},
    )


@require_safe
def province_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    publication = selectors.publication_for(year=year)
    figure = selectors.province_figure(publication=publication, code=code)
    body = _cached(
        publication,
        f"province:{code}",
        lambda: render_to_string(
            "results/_province.html", pages.province_context(publication, figure)
        ),
    )
    return render(
        request,
        "results/page.html",
        {"body": body, "title": pages.province_title(publication, figure)},
    )


def _level(request: HttpRequest) -> str | None:
    level = request.GET.get("level") or None
    if level is not None and level not in opendata.LEVELS:
        raise Http404
    return level


@require_safe
def open_data(
    request: HttpRequest, year: int, fmt: str, version: int | None = None
) -> HttpResponse:
    """The open data of a year (latest version, or one version): JSON or CSV,
    every level or one (`?level=province`)."""
    publication = selectors.publication_for(year=year, version=version)
    level = _level(request)

    def build() -> str:
        figures = selectors.figures_of(publication=publication, level=level)
        if fmt == "csv":
            return opendata.publication_csv(publication, figures)
        document = opendata.publication_document(publication, figures)
        return json.dumps(document, ensure_ascii=False)

    text = _cached(publication, f"open:{fmt}:{level or 'all'}", build)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    response = HttpResponse(text, content_type=content_type)
    suffix = f"-{level}" if level else ""
    name = f"sipas-{publication.year}-v{publication.version}{suffix}.{fmt}"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_safe
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(opendata.SCHEMA, json_dumps_params={"ensure_ascii": False})


@require_safe
def data_dictionary(request: HttpRequest) -> HttpResponse:
    return render(request, "results/data.html", pages.data_context())


@require_safe
def report(request: HttpRequest, year: int, fmt: str, code: str = NATION_CODE):
    """The printable report of the nation or a province, in the reader's language:
    the one stored on publication, or built now."""
    publication = selectors.publication_for(year=year)
    if code != NATION_CODE:
        selectors.province_figure(publication=publication, code=code)
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    stored = reports.report_for(
        publication=publication, code=code, language=language, format=fmt
    )
    response = HttpResponse(
        bytes(stored.content), content_type=reports.CONTENT_TYPES[fmt]
    )
    name = f"sipas-{year}-{code}-{language}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
