"""The language of every page: Vietnamese, the platform's language, unless the
person chose English on the site (remembered in the language cookie). What the
browser asks for (Accept-Language) is not followed: a phone set to English in
Vietnam still gets the official wording first. API clients have no cookie and
choose by Accept-Language, as before."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


def chosen_language(request: HttpRequest) -> str:
    """The language in the cookie when it is one of the site's, else the default."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class CookieLocaleMiddleware:
    """Replaces Django's LocaleMiddleware, which also follows Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            language = translation.get_language_from_request(request)
        else:
            language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # A view may switch language (the survey's own language buttons).
        response.headers.setdefault("Content-Language", translation.get_language())
        if request.path.startswith(API_PREFIX):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        elif getattr(response, "vary_on_cookie", True):
            patch_vary_headers(response, ("Cookie",))
        else:
            # A page a view keeps for Back (the survey page, see surveys.views):
            # also without the Vary the CSRF cookie's middleware added.
            vary = [v.strip() for v in response.get("Vary", "").split(",")]
            kept = [v for v in vary if v and v.lower() != "cookie"]
            if kept:
                response["Vary"] = ", ".join(kept)
            elif "Vary" in response:
                del response["Vary"]
        return response
