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
