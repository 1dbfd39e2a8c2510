"""The scorecard in the admin: per unit and period, satisfaction (with the
invitations' response rate beside it), on time (with the average handling time)
and online, each with its target and status; sortable by each column, filtered,
exported as CSV or Excel with the same filters, and scoped like every other staff page.

Registered from IndicatorsConfig.ready, so that this module stays apart from
indicators/admin.py."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from indicators import admin_urls
from indicators.admin_review import number, status_text
from indicators.exports import period_label
from indicators.models import Indicator, IndicatorValue, PeriodKind, Scorecard
from indicators.scorecard import (
    INDICATORS,
    response_rates,
    scorecard_for,
)
from indicators.scorecard_export import (
    scorecard_csv_response,
    scorecard_xlsx_response,
)
from surveys.scope import scope_for

STATUS_LABELS = dict(IndicatorValue.Status.choices)


class _ScorecardChangeList(ChangeList):
    def get_results(self, request) -> None:
        super().get_results(request)
        # One query for the page, not one per row.
        rates = response_rates(self.result_list)
        for row in self.result_list:
            row.invitations = rates.get(
                (row.level, row.unit_id, row.period_kind, row.period_key), (0, 0)
            )


class _ExportChangeList(ChangeList):
    """The list's filters, search and order without its page: the export reads
    every line itself, so neither the count nor the first page is computed."""

    def get_results(self, request) -> None:
        self.result_list = []
        self.result_count = self.full_result_count = 0
        self.show_full_result_count = self.show_admin_actions = False
        self.can_show_all = self.multi_page = False


def _figure(row, indicator: Indicator) -> str:
    value = getattr(row, f"{indicator.value}_value")
    if value is None:
        return "–"
    return f"{number(value, row.definition.decimals)}%"


def _target(row, indicator: Indicator) -> str:
    threshold = getattr(row, f"{indicator.value}_threshold")
    if threshold is None:
        return "–"
    return f"{number(threshold, 0 if float(threshold).is_integer() else 1)}%"


def _status(row, indicator: Indicator) -> str:
    """The status with its certainty in words: "below target, within the margin
    of error"."""
    status = getattr(row, f"{indicator.value}_status")
    if status not in STATUS_LABELS:
        return "–"
    return status_text(status, getattr(row, f"{indicator.value}_certainty") or "")


def _rate(row) -> str:
    issued, answered = getattr(row, "invitations", (0, 0))
    if not issued:
        return "–"
    return f"{number(100 * answered / issued, 1)}% ({answered}/{issued})"


def _handling(row) -> str:
    return number(row.handling_days, 1)


def _column(indicator: Indicator, kind: str, description, render):
    def column(self, row):
        return render(row, indicator)

    column.short_description = description
    column.admin_order_field = f"{indicator.value}_{kind}"
    return column


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    # `<indicator>_status_text`: a column named as the model's `_status` field
    # would show the bare status, without its certainty.
    list_display = (
        "name_vi",
        "level",
        "period",
        "satisfaction",
        "satisfaction_target",
        "satisfaction_status_text",
        "response_rate",
        "on_time",
        "on_time_target",
        "on_time_status_text",
        "handling_time",
        "online",
        "online_target",
        "online_status_text",
    )
    list_display_links = None
    list_filter = ("period_kind", "level", "map")
    search_fields = ("name_vi", "name_en")
    ordering = ("-period_key", "level", "name_vi")
    show_full_result_count = False

    satisfaction = _column(Indicator.SATISFACTION, "value", _("satisfaction"), _figure)
    satisfaction_target = _column(
        Indicator.SATISFACTION, "threshold", _("target"), _target
    )
    satisfaction_status_text = _column(
        Indicator.SATISFACTION, "status", _("status"), _status
    )
    on_time = _column(Indicator.ON_TIME, "value", _("on time"), _figure)
    on_time_target = _column(Indicator.ON_TIME, "threshold", _("target"), _target)
    on_time_status_text = _column(Indicator.ON_TIME, "status", _("status"), _status)
    online = _column(Indicator.ONLINE, "value", _("online"), _figure)
    online_target = _column(Indicator.ONLINE, "threshold", _("target"), _target)
    online_status_text = _column(Indicator.ONLINE, "status", _("status"), _status)

    @admin.display(description=_("period"), ordering="period_key")
    def period(self, row) -> str:
        return period_label(row.period_kind, row.period_key)

    @admin.display(description=_("response rate"))
    def response_rate(self, row) -> str:
        return _rate(row)

    @admin.display(description=_("average handling (days)"), ordering="handling_days")
    def handling_time(self, row) -> str:
        return _handling(row)

    def _in_scope(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and not scope_for(user).empty

    def has_module_permission(self, request) -> bool:
        return self._in_scope(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._in_scope(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return scorecard_for(user=request.user).select_related("definition")

    def changelist_view(self, request, extra_context=None):
        # Without the menu, the fourteen columns fit at 1366 px (review.css).
        context = {
            "title": gettext("Scorecard of units by period"),
            "is_nav_sidebar_enabled": False,
        }
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def get_changelist(self, request, **kwargs):
        if getattr(request, "scorecard_export", False):
            return _ExportChangeList
        return _ScorecardChangeList

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # The unit page links here filtered to one unit.
        return lookup in {"unit_id", "unit_id__exact"} or super().lookup_allowed(
            lookup, value, request
        )

    def get_actions(self, request):
        return {}

    def get_urls(self):
        # Only its own pages: a scorecard line is read-only (admin_urls).
        return admin_urls.scorecard_urls(self)

    def unit_view(self, request: HttpRequest, level: int, unit_id: int):
        """One unit's scorecard over its periods; 404 outside the user's scope."""
        if not self.get_queryset(request).filter(level=level, unit_id=unit_id).exists():
            raise Http404
        return redirect(
            reverse("admin:indicators_scorecard_changelist")
            + f"?level__exact={level}&unit_id={unit_id}"
        )

    def export_view(self, request: HttpRequest, fmt: str = "csv") -> HttpResponse:
        """The list as the user filtered and sorted it, every page, as CSV or
        Excel: the list's rows in order, with their figures, and PostgreSQL
        writes their lines (indicators.scorecard_export), streamed as they come."""
        if not self.has_view_permission(request):
            raise Http404
        try:
            request.scorecard_export = True
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(gettext("A filter value is not valid."))
        lines = changelist.get_queryset(request)
        filename = scorecard_filename(
            kind=request.GET.get("period_kind__exact", ""), day=timezone.localdate()
        )
        if fmt == "xlsx":
            return scorecard_xlsx_response(
                lines=lines,
                header=_header(),
                title=gettext("scorecard"),
                filename=filename,
            )
        return scorecard_csv_response(lines=lines, header=_header(), filename=filename)


PERIOD_SLUGS = {
    str(PeriodKind.MONTH.value): "thang",
    str(PeriodKind.QUARTER.value): "quy",
    str(PeriodKind.YEAR.value): "nam",
}


def scorecard_filename(*, kind: str, day) -> str:
    """What the export holds: bang-chi-so_quy_2026-12-06 (the kind of period,
    "tat-ca" for every kind; the day of export)."""
    return f"bang-chi-so_{PERIOD_SLUGS.get(kind, 'tat-ca')}_{day.isoformat()}"


def _header() -> list[str]:
    header = [gettext("unit"), gettext("level"), gettext("period")]
    for indicator in INDICATORS:
        label = str(indicator.label)
        header += [
            label,
            f"{label}: {gettext('target')}",
            f"{label}: {gettext('status')}",
        ]
    return header + [gettext("response rate"), gettext("average handling (days)")]
