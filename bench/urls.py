"""The platform's URLs plus the benchmarks' baseline: a trivial JSON endpoint that
goes through the same middleware and server as the survey API but does no work."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as platform_urlpatterns


@csrf_exempt
def baseline(request: HttpRequest) -> JsonResponse:
    """Parse the body like the API does, answer 201 with the uid: the cost of the
    server, the middleware and JSON, without validation or the database."""
    if request.method == "POST":
        data = json.loads(request.body or b"{}")
        return JsonResponse({"uid": data.get("uid")}, status=201)
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/baseline/", baseline, name="bench-baseline"),
    *platform_urlpatterns,
]
