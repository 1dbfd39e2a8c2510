from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views

admin.site.site_header = _("Citizen satisfaction: administration")
admin.site.site_title = _("Citizen satisfaction")
admin.site.index_title = _("Figures, responses and units")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Dossier pages were under the surveys app's address before they had an app
    # of their own: bookmarks and scripts keep working.
    re_path(
        r"^admin/surveys/dossier/(?P<rest>.*)$",
        views.admin_dossiers_moved,
        name="admin-dossiers-moved",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        # The page and its start-up script apart, and our template without the
        # inline style: the Content-Security-Policy refuses inline code.
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api_docs.html"
        ),
        name="api-docs",
    ),
    path("", include("surveys.urls")),
    path("", include("dossiers.urls")),
    path("", include("indicators.urls")),
    path("results/", include("results.urls")),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
