from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from surveys.models import Agency


def home(request: HttpRequest) -> HttpResponse:
    agencies = Agency.objects.filter(active=True).select_related("province")[:12]
    return render(request, "home.html", {"agencies": agencies})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and compose: the database must answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"database": "down"}, status=503)
    return JsonResponse({"database": "ok"})
