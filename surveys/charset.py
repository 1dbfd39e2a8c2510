"""Request bodies are UTF-8, whatever charset the client names.

Django and DRF decode a body with the charset of its Content-Type, looked up among
Python's codecs: `charset=bz2` inflated 470 bytes into 600 MB of text inside a
worker, `zlib`, `base64` and `hex` bodies were stored, and `rot13` was a 500. A body
that names any charset but UTF-8 is refused here (415) before anything reads it,
and every body is then read as UTF-8: no codec the client names ever runs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# Spellings of UTF-8 that clients send; anything else is refused.
UTF8_NAMES = frozenset({"utf-8", "utf8"})
BOM = b"\xef\xbb\xbf"
_FORM = "application/x-www-form-urlencoded"


def charset_acceptable(content_params: dict[str, str]) -> bool:
    """True when the body names no charset, or UTF-8."""
    charset = content_params.get("charset")
    if charset is None:
        return True
    return charset.strip().strip('"').lower() in UTF8_NAMES


def charset_refusal(request: HttpRequest) -> HttpResponse:
    """415: JSON on the API, a page elsewhere."""
    message = _("Send the body encoded as UTF-8; other character sets are refused.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=415)
    try:
        body = render_to_string(
            "surveys/message.html", {"message": message}, request=request
        )
    except Exception:  # noqa: BLE001 - the plain message must get out
        body = message
    return HttpResponse(body, status=415)


class Utf8BodiesMiddleware:
    """Refuses a body in another charset, and reads every body as UTF-8. Placed
    before anything that reads the body (sessions, CSRF, the admin's login)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not charset_acceptable(request.content_params):
            return charset_refusal(request)
        # Django keeps the charset it found for decoding POST; never another.
        request.encoding = "utf-8"
        if request.content_type == _FORM and request.method == "POST":
            body = request.body
            if body.startswith(BOM):
                request._body = body[len(BOM) :]
        return self.get_response(request)
