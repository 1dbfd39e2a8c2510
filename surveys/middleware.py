"""A database outage answers 503 with Retry-After, never 500: a kiosk or app can
then keep the response and send it again, and a citizen is told to retry."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

# SQLSTATEs of a lost or refused connection: class 08 (connection exception), and
# the server shutting down, crashed or starting up. Other errors, such as a
# statement too complex ("stack depth limit exceeded", 54001) or cancelled by a
# timeout, are faults of the request, not an outage, and stay server errors.
OUTAGE_STATES = {"57P01", "57P02", "57P03", "53300"}


def is_outage(exception: Exception) -> bool:
    """Whether a database error means the database cannot be reached."""
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    state = getattr(exception.__cause__, "sqlstate", None)
    # No SQLSTATE: the client failed to connect or lost the connection.
    return state is None or state.startswith("08") or state in OUTAGE_STATES


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_outage(exception):
            return None
        logger.error("database unavailable: %s", exception)
        message = _(
            "The service is briefly unavailable and nothing was stored. "
            "Please try again in a minute."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            try:
                body = render_to_string(
                    "surveys/unavailable.html", {"message": message}, request=request
                )
            except Exception:  # noqa: BLE001 - the plain message must get out
                body = message
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
