"""The admin pages of `dossiers` beyond Django's list, add, change and delete
pages, as a urls.py would list them; the ModelAdmin's `get_urls` puts them
before Django's own, under /admin/dossiers/<model>/."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, path


def dossier_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """Under /admin/dossiers/dossier/: the import of a file of dossiers."""
    view = model_admin.admin_site.admin_view
    return [
        path("import/", view(model_admin.import_view), name="dossiers_dossier_import"),
    ]
