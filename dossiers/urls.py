from __future__ import annotations

from django.urls import path

from dossiers import apis

app_name = "dossiers"

urlpatterns = [
    path("api/v1/dossiers/", apis.DossierPushApi.as_view(), name="api-dossiers"),
    path(
        "api/v1/dossiers/invitation/",
        apis.DossierInvitationApi.as_view(),
        name="api-dossier-invitation",
    ),
]
