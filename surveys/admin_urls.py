"""The admin pages of `surveys` beyond Django's list, add, change and delete
pages, as a urls.py would list them. Each function gives one ModelAdmin's extra
paths; its `get_urls` puts them before Django's own, under the model's admin
prefix (/admin/surveys/<model>/)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, path


def agency_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """Under /admin/surveys/agency/: an agency's QR code, poster and invitations."""
    view = model_admin.admin_site.admin_view
    return [
        path(
            "<int:pk>/qr.<str:kind>",
            view(model_admin.qr_view),
            name="surveys_agency_qr",
        ),
        path(
            "<int:pk>/poster/",
            view(model_admin.poster_view),
            name="surveys_agency_poster",
        ),
        path(
            "<int:pk>/invitations/",
            view(model_admin.invitations_view),
            name="surveys_agency_invitations",
        ),
    ]


def response_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """Under /admin/surveys/response/: the import of paper responses and its
    template."""
    view = model_admin.admin_site.admin_view
    return [
        path(
            "import/",
            view(model_admin.import_view),
            name="surveys_response_import",
        ),
        path(
            "import/template.<str:fmt>",
            view(model_admin.import_template_view),
            name="surveys_response_import_template",
        ),
    ]


def questionnaire_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """Under /admin/surveys/questionnaire/: a questionnaire's preview."""
    view = model_admin.admin_site.admin_view
    return [
        path(
            "<int:pk>/preview/",
            view(model_admin.preview_view),
            name="surveys_questionnaire_preview",
        ),
    ]
