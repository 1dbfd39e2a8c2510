"""The answer to a sign-in refused by the throttle (django-axes): a page on the
admin login, JSON on the API, both saying in plain words what happened, for how
long, and who can lift it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

STATUS = 429


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _(
        "Too many failed sign-ins for this username from your address: signing in"
        " is locked for %(minutes)d minutes. Try again later, or ask a national"
        " administrator to lift the lock."
    ) % {"minutes": lockout_minutes()}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: replaces the response of a refused login."""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=STATUS)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {
                "failure_limit": settings.AXES_FAILURE_LIMIT,
                "lockout_minutes": lockout_minutes(),
            },
            status=STATUS,
        )
    response["Retry-After"] = retry_after
    return response
