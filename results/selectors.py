"""Reading published results. Everything published is public: no scoping by user,
only by what was published (the latest version of a year unless one is asked)."""

from __future__ import annotations

from django.http import Http404

from results.models import Publication, PublishedFigure


def published_years() -> list[int]:
    """Years with a publication, latest first."""
    return list(
        Publication.objects.order_by("-year").values_list("year", flat=True).distinct()
    )


def publication_for(*, year: int, version: int | None = None) -> Publication:
    """The latest version of `year` (or the one asked for); 404 when none."""
    publications = Publication.objects.filter(year=year)
    if version is not None:
        publications = publications.filter(version=version)
    publication = publications.order_by("-version").first()
    if publication is None:
        raise Http404
    return publication


def latest_publication() -> Publication | None:
    return Publication.objects.order_by("-year", "-version").first()


def figures_of(
    *, publication: Publication, level: str | None = None
) -> list[PublishedFigure]:
    """A publication's figures, nation first, then regions, provinces by rank, and
    agencies by province and name."""
    order = {"nation": 0, "region": 1, "province": 2, "agency": 3}
    figures = publication.figures.all()
    if level is not None:
        figures = figures.filter(level=level)
    return sorted(
        figures,
        key=lambda f: (
            order[f.level],
            f.province_code,
            f.rank_national or 0,
            f.name_vi,
            f.code,
        ),
    )


def province_figure(*, publication: Publication, code: str) -> PublishedFigure:
    figure = publication.figures.filter(
        level=PublishedFigure.Level.PROVINCE, code=code
    ).first()
    if figure is None:
        raise Http404
    return figure


def province_trend(*, code: str, map: int) -> list[tuple[int, float | None]]:
    """(year, index) of a province in the latest version of every published year
    of the same map, oldest first."""
    latest: dict[int, Publication] = {}
    for publication in Publication.objects.filter(map=map).order_by("year", "version"):
        latest[publication.year] = publication
    rows = dict(
        PublishedFigure.objects.filter(
            publication__in=latest.values(),
            level=PublishedFigure.Level.PROVINCE,
            code=code,
        ).values_list("publication__year", "value")
    )
    return [(year, rows[year]) for year in sorted(latest) if year in rows]


def province_agencies(*, publication: Publication, code: str) -> list[PublishedFigure]:
    """The agencies of a province published (those with enough respondents)."""
    return list(
        publication.figures.filter(
            level=PublishedFigure.Level.AGENCY, province_code=code
        ).order_by("-value", "name_vi")
    )
