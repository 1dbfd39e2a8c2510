from __future__ import annotations

from django.urls import path

from surveys import apis, views

app_name = "surveys"

urlpatterns = [
    path("s/i/<str:token>/", views.invitation, name="invitation"),
    # The page is sent to an address of its own: a POST to the page's address
    # would drop the browser's copy of it, which Back needs (see views).
    path("s/i/<str:token>/send/", views.invitation, name="invitation-send"),
    path("s/<slug:agency_code>/", views.survey, name="survey"),
    path("s/<slug:agency_code>/send/", views.survey, name="survey-send"),
    path("s/<slug:agency_code>/thanks/", views.thanks, name="thanks"),
    # Another questionnaire than the platform's own, by its code.
    path(
        "s/<slug:agency_code>/q/<slug:questionnaire_code>/",
        views.survey,
        name="survey-questionnaire",
    ),
    path(
        "s/<slug:agency_code>/q/<slug:questionnaire_code>/send/",
        views.survey,
        name="survey-questionnaire-send",
    ),
    path(
        "api/v1/questionnaires/<slug:code>/",
        apis.QuestionnaireApi.as_view(),
        name="api-questionnaire",
    ),
    path("api/v1/responses/", apis.ResponseCreateApi.as_view(), name="api-responses"),
]
