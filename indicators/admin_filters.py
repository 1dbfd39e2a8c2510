"""The review list's filters: each with a default (the latest year, provinces,
the current scoring definitions, the year's map) and an explicit "all", so
that every row stays reachable; values that cannot be an id or a period select
nothing instead of failing."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from indicators import selectors
from indicators.engine.periods import period_info
from indicators.exports import period_label
from indicators.models import Level, PeriodKind, ScoringDefinition
from surveys.admin_scope import request_scope
from surveys.models import Province, Questionnaire, Region
from surveys.reference import DEFAULT_QUESTIONNAIRE

ALL = "all"
CURRENT = "current"


# Defaults ---------------------------------------------------------------------


# Ids, keys and years are 32-bit integer columns: a value past them would make
# the query fail; it is treated as "no such value" instead.
INT_MAX = 2**31 - 1


def int_param(value: str | None) -> int | None:
    """A whole number from 0 to the largest id, or None."""
    try:
        number = int(value) if value not in (None, "", ALL) else None
    except ValueError:
        return None
    if number is None or not 0 <= number <= INT_MAX:
        return None
    return number


def review_defaults(request: HttpRequest) -> dict:
    """What the list shows when a filter is not given: the latest year present
    among the figures the user may see, provinces, the current scoring
    definitions, the map of that year. Computed once per request."""
    cached = getattr(request, "_review_defaults", None)
    if cached is not None:
        return cached
    kind = int_param(request.GET.get("kind")) or PeriodKind.YEAR
    if kind not in PeriodKind.values:
        kind = PeriodKind.YEAR
    keys = selectors.period_keys_for(user=request.user, period_kind=kind)
    chosen = request.GET.get("period")
    period = int_param(chosen) if chosen is not None else (keys[0] if keys else None)
    province_map = None
    if period is not None and chosen != ALL:
        try:
            province_map = period_info(kind=kind, key=period).map
        except ValueError:
            province_map = None
    request._review_defaults = {
        "kind": kind,
        "keys": keys,
        "period": keys[0] if keys else None,
        "map": province_map,
    }
    return request._review_defaults


class DefaultedFilter(admin.SimpleListFilter):
    """A filter with a default applied when its parameter is absent, and an
    explicit "all" choice (`?param=all`), so that every row stays reachable."""

    def default(self, request: HttpRequest):
        return None

    def __init__(self, request, params, model, model_admin) -> None:
        self.request = request
        super().__init__(request, params, model, model_admin)
        if self.value() is None:
            default = self.default(request)
            if default is not None:
                self.used_parameters[self.parameter_name] = str(default)

    def choices(self, changelist):
        yield {
            "selected": self.value() in (None, ALL),
            "query_string": changelist.get_query_string(
                {self.parameter_name: ALL}, self.remove_on_change
            ),
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}, self.remove_on_change
                ),
                "display": title,
            }

    remove_on_change: list[str] = []

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, ALL):
            return queryset
        return self.apply(queryset, value)

    def apply(self, queryset, value: str):
        raise NotImplementedError


class PeriodKindFilter(DefaultedFilter):
    title = _("period kind")
    parameter_name = "kind"
    # Period keys differ between kinds: a new kind starts at its latest period.
    remove_on_change = ["period"]

    def lookups(self, request, model_admin):
        return PeriodKind.choices

    def default(self, request):
        return review_defaults(request)["kind"]

    def apply(self, queryset, value):
        return queryset.filter(period_kind=int_param(value) or 0)


class PeriodFilter(DefaultedFilter):
    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        defaults = review_defaults(request)
        return [(key, period_label(defaults["kind"], key)) for key in defaults["keys"]]

    def default(self, request):
        return review_defaults(request)["period"]

    def apply(self, queryset, value):
        return queryset.filter(period_key=int_param(value) or 0)


class LevelFilter(DefaultedFilter):
    title = _("level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        if request_scope(request).everything:
            return Level.choices
        return [
            (Level.PROVINCE, Level.PROVINCE.label),
            (Level.AGENCY, Level.AGENCY.label),
        ]

    def default(self, request):
        return Level.PROVINCE

    def apply(self, queryset, value):
        return queryset.filter(level=int_param(value) or 0)


class MapFilter(DefaultedFilter):
    """Narrows provinces to one map; agencies keep their province's map and
    regions and the nation have none, so the map does not hide them."""

    title = _("map")
    parameter_name = "map"

    def lookups(self, request, model_admin):
        return Province.Map.choices

    def default(self, request):
        return review_defaults(request)["map"]

    def apply(self, queryset, value):
        return queryset.filter(Q(map=int_param(value)) | ~Q(level=Level.PROVINCE))


class DefinitionFilter(DefaultedFilter):
    title = _("scoring definition")
    parameter_name = "definition"

    def lookups(self, request, model_admin):
        return [(CURRENT, _("current definitions"))] + [
            (d.pk, str(d))
            for d in ScoringDefinition.objects.order_by("code", "-version")
        ]

    def default(self, request):
        return CURRENT

    def apply(self, queryset, value):
        if value == CURRENT:
            return queryset.filter(definition__is_current=True)
        return queryset.filter(definition_id=int_param(value) or 0)


class QuestionnaireFilter(DefaultedFilter):
    """One questionnaire's figures at a time, SIPAS by default: figures, ranks
    and statuses of two questionnaires are never read as one list. A scoring
    definition asked for by id shows its own questionnaire's."""

    title = _("questionnaire")
    parameter_name = "questionnaire"

    def lookups(self, request, model_admin):
        current = Questionnaire.objects.filter(is_current=True).order_by("code")
        return [(q.code, q.title) for q in current]

    def default(self, request):
        if int_param(request.GET.get("definition")) is not None:
            return None
        return DEFAULT_QUESTIONNAIRE

    def apply(self, queryset, value):
        return queryset.filter(definition__questionnaire__code=value)


def export_questionnaire(value: str | None) -> str:
    """The questionnaire part of an export's name: empty for SIPAS (the
    default), "tat-ca" for all, else the code (a slug, safe in a file name)."""
    if value in (None, "", DEFAULT_QUESTIONNAIRE):
        return ""
    if value == ALL:
        return "tat-ca"
    return slugify(value)


def questionnaire_chosen(request: HttpRequest) -> tuple[str, list[Questionnaire]]:
    """The questionnaire code a page's `?questionnaire=` asks for (SIPAS when
    absent or unknown), and the current questionnaires to choose from."""
    current = list(Questionnaire.objects.filter(is_current=True).order_by("code"))
    asked = request.GET.get("questionnaire")
    if asked not in {q.code for q in current}:
        asked = DEFAULT_QUESTIONNAIRE
    return asked, current


class RegionFilter(admin.SimpleListFilter):
    title = _("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return [(r.pk, r.name) for r in Region.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(region_id=int_param(self.value()) or 0)
        return queryset


class ProvinceFilter(admin.SimpleListFilter):
    """The provinces in the user's scope, of the map shown."""

    title = _("province")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        scope = request_scope(request)
        provinces = Province.objects.all()
        if not scope.everything:
            provinces = provinces.filter(id__in=scope.province_ids)
        province_map = (
            int_param(request.GET.get("map")) or review_defaults(request)["map"]
        )
        if province_map:
            provinces = provinces.filter(map=province_map)
        return [(p.pk, p.name) for p in provinces]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(province_id=int_param(self.value()) or 0)
        return queryset
