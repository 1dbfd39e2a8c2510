from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error

from surveys import views as surveys_views


def home(request: HttpRequest) -> HttpResponse:
    return surveys_views.home(request)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and compose: the database must answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"database": "down"}, status=503)
    return JsonResponse({"database": "ok"})


def admin_dossiers_moved(request: HttpRequest, rest: str) -> HttpResponse:
    """The dossier admin's old address, sent on to its own app's. 308, not 301: a
    form posted to the old address (the import) is posted again, not dropped."""
    target = f"/admin/dossiers/dossier/{rest}"
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    response = HttpResponseRedirect(target)
    response.status_code = 308
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 page says only "Bad Request"; a body over the upload limit is
    told apart (413) so that a client knows what to change, as JSON on the API.
    The body that could not be read is not read again while the page is drawn:
    Django raised the same BadRequest from inside this handler (a bare 500)."""
    if not hasattr(request, "_post"):
        request._post, request._files = QueryDict(), MultiValueDict()
    if not isinstance(exception, RequestDataTooBig):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Bad request.")}, status=400)
        return default_bad_request(request, exception)
    message = _("The request is too large: at most %(size)d kB are accepted.") % {
        "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """API clients get JSON for an address that matches no route, as for an
    unknown object."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """API clients get JSON for an error of the server too, never an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("A server error occurred. Please try again later.")},
            status=500,
        )
    return default_server_error(request)
