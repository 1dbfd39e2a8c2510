"""The admin pages of `indicators` beyond Django's list, add, change and delete
pages, as a urls.py would list them. Each function gives one ModelAdmin's extra
paths; its `get_urls` puts them before Django's own, under the model's admin
prefix (/admin/indicators/<model>/)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST


def indicator_value_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """Under /admin/indicators/indicatorvalue/: the export of the figures (CSV or
    XLSX), the figures below their target, and the request for a refresh."""
    view = model_admin.admin_site.admin_view
    return [
        path(
            "export.<str:fmt>",
            view(model_admin.export_view),
            name="indicators_indicatorvalue_export",
        ),
        path(
            "below-target/",
            view(model_admin.below_target_view),
            name="indicators_indicatorvalue_below_target",
        ),
        path(
            "refresh/",
            view(require_POST(model_admin.refresh_view)),
            name="indicators_indicatorvalue_refresh",
        ),
    ]


def scorecard_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """Everything under /admin/indicators/scorecard/: the list, its exports (CSV
    or XLSX) and the scorecard of one unit. No change, delete or history pages:
    a scorecard line is read-only, and a URL naming a row would only invite
    guessing."""
    view = model_admin.admin_site.admin_view
    return [
        path(
            "export/", view(model_admin.export_view), name="indicators_scorecard_export"
        ),
        path(
            "export.xlsx",
            view(model_admin.export_view),
            {"fmt": "xlsx"},
            name="indicators_scorecard_export_xlsx",
        ),
        path(
            "unit/<int:level>/<int:unit_id>/",
            view(model_admin.unit_view),
            name="indicators_scorecard_unit",
        ),
        path(
            "",
            view(model_admin.changelist_view),
            name="indicators_scorecard_changelist",
        ),
    ]
