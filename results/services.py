"""Publishing a year: the frozen snapshot of its figures, and the open-data
licence the administrator sets."""

from __future__ import annotations

from statistics import fmean

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from indicators.engine.periods import period_info
from indicators.models import Level, PeriodKind, ScoringDefinition
from results import snapshot
from results.models import OpenDataSettings, Publication, PublishedFigure
from results.scoring import competition_ranks, unit_figures

PROVINCE = PublishedFigure.Level.PROVINCE
# Fields whose change between two versions is listed, as published (rounded).
COMPARED = ["value", "respondents", "rank_national", "rank_region", "status"]


class NothingToPublish(ValueError):
    """The year has no figure with enough respondents."""


def open_data_settings() -> OpenDataSettings:
    settings_row, _ = OpenDataSettings.objects.get_or_create(pk=1)
    return settings_row


def open_data_licence_set(*, licence: str) -> OpenDataSettings:
    """Set the licence line printed with the open data of later publications."""
    settings_row = open_data_settings()
    settings_row.licence = licence.strip()
    settings_row.full_clean()
    settings_row.save()
    return settings_row


def _status(value: float | None, threshold: float | None) -> str:
    """Meets the target when the index is at least the target, below otherwise."""
    if threshold is None or value is None:
        return PublishedFigure.Status.NO_TARGET
    if value < threshold:
        return PublishedFigure.Status.BELOW
    return PublishedFigure.Status.MEETS


def _previous_year_values(year: int, province_map: int) -> dict[tuple, float]:
    """Province and higher figures of the latest version of the previous year, when
    it was on the same map (codes mean the same units)."""
    previous = (
        Publication.objects.filter(year=year - 1, map=province_map)
        .order_by("-version")
        .first()
    )
    if previous is None:
        return {}
    return {
        (level, code): value
        for level, code, value in previous.figures.values_list("level", "code", "value")
        if value is not None
    }


def _figures(
    units: list[snapshot.UnitCounts], definition: dict, year: int, province_map: int
) -> tuple[list[PublishedFigure], float | None, float | None]:
    """Published figures of `units` with ranks, statuses and changes; also the
    national mean of provinces and the provinces' target."""
    decimals = int(definition["decimals"])
    thresholds = {
        level: snapshot.target_threshold(year=year, level=number)
        for level, number in [
            (PublishedFigure.Level.NATION, Level.NATION),
            (PublishedFigure.Level.REGION, Level.REGION),
            (PROVINCE, Level.PROVINCE),
            (PublishedFigure.Level.AGENCY, Level.AGENCY),
        ]
    }
    previous = _previous_year_values(year, province_map)
    figures = []
    for unit in units:
        value, elements, criteria = unit_figures(unit.counts, definition)
        last = previous.get((unit.level, unit.code))
        figures.append(
            PublishedFigure(
                level=unit.level,
                code=unit.code,
                name_vi=unit.name_vi,
                name_en=unit.name_en,
                region_code=unit.region_code,
                province_code=unit.province_code,
                respondents=unit.respondents,
                value=value,
                elements=elements,
                criteria=criteria,
                counts=unit.counts,
                status=_status(value, thresholds[unit.level]),
                change=None if value is None or last is None else value - last,
            )
        )
    provinces = [f for f in figures if f.level == PROVINCE and f.value is not None]
    mean = fmean(f.value for f in provinces) if provinces else None
    national = competition_ranks({f.code: f.value for f in provinces}, decimals)
    by_region: dict[str, dict[str, float]] = {}
    for figure in provinces:
        figure.rank_national = national[figure.code]
        figure.rank_national_of = len(provinces)
        figure.gap_to_mean = figure.value - mean
        if figure.region_code:
            by_region.setdefault(figure.region_code, {})[figure.code] = figure.value
    for figure in provinces:
        if figure.region_code:
            peers = by_region[figure.region_code]
            figure.rank_region = competition_ranks(peers, decimals)[figure.code]
            figure.rank_region_of = len(peers)
    return figures, mean, thresholds[PROVINCE]


def _published(figure: PublishedFigure, field: str, decimals: int):
    value = getattr(figure, field)
    return round(value, decimals) if field == "value" and value is not None else value


def _changes(
    old: list[PublishedFigure], new: list[PublishedFigure], decimals: int
) -> list[dict]:
    """What differs between two versions' figures, unit by unit, as published."""
    before = {(f.level, f.code): f for f in old}
    after = {(f.level, f.code): f for f in new}
    changes = []
    for key in sorted(before.keys() | after.keys()):
        level, code = key
        if key not in before or key not in after:
            field = "added" if key in after else "removed"
            changes.append(
                {"level": level, "code": code, "field": field, "old": None, "new": None}
            )
            continue
        for field in COMPARED:
            old_value = _published(before[key], field, decimals)
            new_value = _published(after[key], field, decimals)
            if old_value != new_value:
                changes.append(
                    {
                        "level": level,
                        "code": code,
                        "field": field,
                        "old": old_value,
                        "new": new_value,
                    }
                )
    return changes


@transaction.atomic
def publication_create(
    *, year: int, user=None, definition: ScoringDefinition | None = None
) -> Publication:
    """Publish `year`: freeze its figures with enough respondents, their counts, the
    scoring definition and the cut-off as a new version listing what changed since
    the previous one. Raises NothingToPublish when the year has no figures."""
    definition = definition or snapshot.current_definition()
    min_respondents = settings.INDICATOR_MIN_RESPONDENTS
    frozen = snapshot.definition_snapshot(definition)
    province_map = period_info(kind=PeriodKind.YEAR, key=year).map
    units = snapshot.year_units(
        definition=definition, year=year, min_respondents=min_respondents
    )
    if not units:
        raise NothingToPublish(year)
    figures, mean, threshold = _figures(units, frozen, year, province_map)
    # Versions of a year are numbered under a lock on the year's publications.
    latest = (
        Publication.objects.select_for_update()
        .filter(year=year)
        .order_by("-version")
        .first()
    )
    version = (latest.version if latest else 0) + 1
    publication = Publication.objects.create(
        year=year,
        version=version,
        published_at=timezone.now(),
        published_by=user if user is not None and user.is_authenticated else None,
        cutoff=snapshot.responses_cutoff(),
        map=province_map,
        definition=frozen,
        min_respondents=min_respondents,
        threshold=threshold,
        national_mean=mean,
        licence=open_data_settings().licence,
    )
    for figure in figures:
        figure.publication = publication
    PublishedFigure.objects.bulk_create(figures, batch_size=1000)
    if latest is not None:
        publication.changes = _changes(
            list(latest.figures.all()), figures, int(frozen["decimals"])
        )
        publication.save(update_fields=["changes"])
    # Without a broker tasks run in process: printing every report there would
    # hold up the publishing request for minutes, and each is built when asked.
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        from results.tasks import reports_build  # noqa: PLC0415 (imports services)

        transaction.on_commit(lambda: reports_build.delay(publication.id))
    return publication


def latest_version(year: int) -> int | None:
    return Publication.objects.filter(year=year).aggregate(v=Max("version"))["v"]
