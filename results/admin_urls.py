"""The admin pages of `results` beyond Django's list, add, change and delete
pages, as a urls.py would list them. Each function gives one ModelAdmin's extra
paths; its `get_urls` puts them before Django's own, under the model's admin
prefix (/admin/results/<model>/)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, path


def publication_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """Under /admin/results/publication/: the form that publishes a year."""
    return [
        path(
            "publish/",
            model_admin.admin_site.admin_view(model_admin.publish_view),
            name="results_publication_publish",
        ),
    ]


def report_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """Under /admin/results/report/: a published report's file."""
    return [
        path(
            "<int:pk>/download/",
            model_admin.admin_site.admin_view(model_admin.download_view),
            name="results_report_download",
        ),
    ]
