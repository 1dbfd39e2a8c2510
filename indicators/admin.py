"""The administrators' review of the figures: the list of indicator values with
badges, ranks and exports, a unit's page with its trend chart, the "below target"
overview, the recompute button, and the configuration (targets, scoring
definitions) that national administrators edit.

Pages read computed figures only (`IndicatorValue`), never responses, and every
read goes through `indicators.selectors`, which scopes by `surveys.scope`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from indicators import admin_review as review
from indicators import admin_urls, selectors
from indicators.admin_below_target import below_target_page
from indicators.admin_filters import (
    DefinitionFilter,
    LevelFilter,
    MapFilter,
    PeriodFilter,
    PeriodKindFilter,
    ProvinceFilter,
    QuestionnaireFilter,
    RegionFilter,
    export_questionnaire,
    int_param,
    questionnaire_chosen,
    review_defaults,
)
from indicators.agency_ranks import agency_ranks
from indicators.exports import (
    csv_response,
    export_filename,
    period_label,
    unit_name,
    xlsx_response,
)
from indicators.models import (
    IndicatorValue,
    Level,
    PeriodKind,
    Reconciliation,
    ScoringDefinition,
    Target,
)
from indicators.recompute import recompute_queue
from indicators.refresh_status import refresh_status
from indicators.services import (
    scoring_definition_create,
    scoring_definition_set_current,
)
from surveys.admin_scope import (
    NationalEditAdmin,
    NotFoundOutsideScope,
    ReadOnlyForRoles,
    has_role,
    is_national,
    request_scope,
)

# Shared pieces of the review pages --------------------------------------------


def review_context(request: HttpRequest) -> dict:
    return {"refresh": refresh_status(), "can_rebuild": is_national(request)}


# Indicator values ---------------------------------------------------------------


class _ReviewChangeList(ChangeList):
    """The review list; its agency rows carry their ranks among their province's
    agencies and among agencies of their kind (one query per period shown)."""

    def get_results(self, request) -> None:
        super().get_results(request)
        ranks = agency_ranks(values=list(self.result_list))
        for value in self.result_list:
            value.agency_rank = ranks.get(value.pk)


@admin.register(IndicatorValue)
# Figures are computed, never edited here: the role decides who reads them.
class IndicatorValueAdmin(ReadOnlyForRoles, NotFoundOutsideScope, admin.ModelAdmin):
    list_display = (
        "unit",
        "level_label",
        "period",
        "index",
        "respondents",
        "interval",
        "target",
        "status_badge",
        "national_rank",
        "region_rank",
        "rank_change",
    )
    list_display_links = ("unit",)
    list_filter = (
        "indicator",
        PeriodKindFilter,
        PeriodFilter,
        LevelFilter,
        MapFilter,
        RegionFilter,
        ProvinceFilter,
        "status",
        "certainty",
        QuestionnaireFilter,
        DefinitionFilter,
    )
    search_fields = ("name_vi", "name_en")
    list_select_related = ("definition__questionnaire",)
    list_per_page = 100
    list_max_show_all = 2000
    # The filtered count is shown; the count of everything in scope is not needed.
    show_full_result_count = False
    actions = None
    change_list_template = "indicators/admin/change_list.html"

    def get_queryset(self, request: HttpRequest):
        return selectors.indicator_values_for(user=request.user)

    def get_list_display(self, request: HttpRequest):
        # Only a list of several questionnaires' figures says whose each is.
        if request.GET.get("questionnaire") == "all":
            return ("questionnaire", *self.list_display)
        return self.list_display

    # Columns ----------------------------------------------------------------

    @admin.display(description=_("unit"), ordering="name_vi")
    def unit(self, value: IndicatorValue) -> str:
        return unit_name(value)

    @admin.display(description=_("questionnaire"))
    def questionnaire(self, value: IndicatorValue) -> str:
        return value.definition.questionnaire.title

    @admin.display(description=_("level"), ordering="level")
    def level_label(self, value: IndicatorValue) -> str:
        return Level(value.level).label

    @admin.display(description=_("period"), ordering="period_key")
    def period(self, value: IndicatorValue) -> str:
        return period_label(value.period_kind, value.period_key)

    @admin.display(description=_("overall index (%)"), ordering="value")
    def index(self, value: IndicatorValue) -> str:
        return review.number(value.value, value.definition.decimals)

    @admin.display(description=_("95% interval"))
    def interval(self, value: IndicatorValue) -> str:
        return review.interval(value)

    @admin.display(description=_("target (%)"), ordering="threshold")
    def target(self, value: IndicatorValue) -> str:
        return review.number(value.threshold, 0)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, value: IndicatorValue) -> str:
        return review.status_badge(value.status, value.certainty)

    @admin.display(description=_("national rank"), ordering="rank_national")
    def national_rank(self, value: IndicatorValue) -> str:
        if value.level == Level.AGENCY:
            return review.agency_rank_cells(getattr(value, "agency_rank", None))[0]
        return review.rank_on_map(
            value.rank_national, value.rank_national_of, value.map
        )

    @admin.display(description=_("rank in region"), ordering="rank_region")
    def region_rank(self, value: IndicatorValue) -> str:
        if value.level == Level.AGENCY:
            return review.agency_rank_cells(getattr(value, "agency_rank", None))[1]
        return review.rank_on_map(value.rank_region, value.rank_region_of, value.map)

    @admin.display(description=_("rank change"), ordering="rank_change_national")
    def rank_change(self, value: IndicatorValue) -> str:
        return review.rank_change_arrow(value.rank_change_national)

    # Pages ------------------------------------------------------------------

    def get_urls(self):
        return [*admin_urls.indicator_value_urls(self), *super().get_urls()]

    def get_changelist(self, request, **kwargs):
        return _ReviewChangeList

    def changelist_view(self, request: HttpRequest, extra_context=None):
        context = {
            **review_context(request),
            "title": gettext("Figures by unit and period"),
            "query": request.GET.urlencode(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        """What the list shows, with its filters, search and order, all pages."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if fmt not in {"csv", "xlsx"}:
            raise Http404
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # The list redirects to itself with an error mark; a file cannot.
            return HttpResponseBadRequest(gettext("A filter value is not valid."))
        queryset = changelist.queryset
        defaults = review_defaults(request)
        level = request.GET.get("level")
        period = request.GET.get("period")
        filename = export_filename(
            level=Level.PROVINCE if level is None else int_param(level),
            kind=defaults["kind"],
            period=defaults["period"] if period is None else int_param(period),
            day=timezone.localdate(),
            questionnaire=export_questionnaire(request.GET.get("questionnaire")),
        )
        if fmt == "csv":
            return csv_response(queryset, filename)
        return xlsx_response(queryset, filename)

    def refresh_view(self, request: HttpRequest) -> HttpResponse:
        if not has_role(request):
            raise PermissionDenied
        rebuild = bool(request.POST.get("rebuild")) and is_national(request)
        recompute_queue(rebuild=rebuild)
        self.message_user(
            request,
            _("A full rebuild of the figures is queued.")
            if rebuild
            else _("A refresh of the figures is queued; they follow in a few minutes."),
            messages.SUCCESS,
        )
        back = request.POST.get("next") or ""
        if not back.startswith("/") or back.startswith("//"):
            back = reverse("admin:indicators_indicatorvalue_changelist")
        return HttpResponseRedirect(back)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A unit's page: elements and criteria of the period, weakest criteria
        first, and the trend against the target and the averages."""
        if not str(object_id).isdigit():
            raise Http404
        value = selectors.indicator_value_visible(user=request.user, pk=int(object_id))
        return render(
            request,
            "indicators/admin/unit.html",
            {
                **self.admin_site.each_context(request),
                **review_context(request),
                **review.unit_page(request, value),
                "opts": self.model._meta,
                "title": f"{unit_name(value)} · "
                f"{period_label(value.period_kind, value.period_key)}",
            },
        )

    def below_target_view(self, request: HttpRequest) -> HttpResponse:
        """Every unit under its target in a year, at one level, furthest under
        it first, a page at a time. A year without figures the user may see
        lists nothing."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        years = selectors.period_keys_for(
            user=request.user, period_kind=PeriodKind.YEAR
        )
        year = int_param(request.GET.get("year")) if "year" in request.GET else None
        if year is None and "year" not in request.GET and years:
            year = years[0]
        levels = overview_levels(request)
        level = int_param(request.GET.get("level"))
        if level not in dict(levels):
            level = levels[0][0]
        questionnaire, questionnaires = questionnaire_chosen(request)
        values = None
        if year in years:
            values = selectors.below_target_for(
                user=request.user, year=year, level=level, questionnaire=questionnaire
            )
        level_name = dict(levels)[level]
        return render(
            request,
            "indicators/admin/below_target.html",
            {
                **self.admin_site.each_context(request),
                **review_context(request),
                "opts": self.model._meta,
                "title": gettext("Units below target in %(year)s: %(level)s")
                % {"year": year if year in years else "–", "level": level_name},
                "year": year,
                "years": years,
                "level": level,
                "levels": levels,
                "questionnaire": questionnaire,
                "questionnaires": questionnaires,
                **below_target_page(request, values),
                "agencies": level == Level.AGENCY,
            },
        )


def overview_levels(request: HttpRequest) -> list[tuple[int, str]]:
    """The levels the overview offers the user, the first the default: an agency
    official's own agency, a provincial official's province and its agencies,
    every level for the national administrator."""
    scope = request_scope(request)
    if scope.everything:
        return [
            (Level.PROVINCE, Level.PROVINCE.label),
            (Level.AGENCY, Level.AGENCY.label),
            (Level.REGION, Level.REGION.label),
            (Level.NATION, Level.NATION.label),
        ]
    if scope.province_ids:
        return [
            (Level.PROVINCE, Level.PROVINCE.label),
            (Level.AGENCY, Level.AGENCY.label),
        ]
    return [(Level.AGENCY, Level.AGENCY.label)]


# Configuration ------------------------------------------------------------------


@admin.register(Target)
class TargetAdmin(NationalEditAdmin):
    list_display = ("indicator", "year", "level", "threshold", "note")
    list_filter = ("indicator", "level")
    search_fields = ("note",)


class ScoringDefinitionForm(forms.ModelForm):
    class Meta:
        model = ScoringDefinition
        fields = (
            "code",
            "questionnaire",
            "satisfied_levels",
            "element_weights",
            "criterion_weights",
            "decimals",
            "is_current",
        )

    def _get_validation_exclusions(self):
        # "One current definition per questionnaire" is kept by the services,
        # which unset the previous current one: checking it before they run would
        # refuse every new current version.
        return {*super()._get_validation_exclusions(), "is_current"}


@admin.register(ScoringDefinition)
class ScoringDefinitionAdmin(NationalEditAdmin):
    """A definition is versioned: once figures were computed with it only
    `is_current` changes; other changes are a new definition (add one with the
    same code: it gets the next version)."""

    list_display = (
        "code",
        "version",
        "questionnaire",
        "satisfied_levels",
        "decimals",
        "is_current",
        "created_at",
    )
    list_filter = ("is_current", "questionnaire")
    list_select_related = ("questionnaire",)
    form = ScoringDefinitionForm
    fields = (
        "code",
        "version",
        "questionnaire",
        "satisfied_levels",
        "element_weights",
        "criterion_weights",
        "decimals",
        "is_current",
        "created_at",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("version", "created_at")
        if obj.values.exists():
            return tuple(f for f in self.fields if f != "is_current")
        return ("code", "version", "questionnaire", "created_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Figures keep the definition they were computed with.
        return False

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            created = scoring_definition_create(
                code=obj.code,
                questionnaire=obj.questionnaire,
                satisfied_levels=obj.satisfied_levels,
                element_weights=obj.element_weights,
                criterion_weights=obj.criterion_weights,
                decimals=obj.decimals,
                make_current=obj.is_current,
            )
            obj.pk, obj.version, obj.created_at = (
                created.pk,
                created.version,
                created.created_at,
            )
            obj._state.adding = False
            return
        if "is_current" in form.changed_data and obj.is_current:
            scoring_definition_set_current(obj)
        super().save_model(request, obj, form, change)


@admin.register(Reconciliation)
class ReconciliationAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    """The nightly comparison of the live rollup with a recount (national
    administrators; read-only)."""

    list_display = ("checked_at", "matched", "differing_rows", "seconds")
    list_filter = ("matched",)
    readonly_fields = [f.name for f in Reconciliation._meta.fields]

    def has_module_permission(self, request) -> bool:
        return is_national(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_national(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
