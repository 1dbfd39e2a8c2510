"""HTTP Basic authentication for the staff API, refusing credentials with a NUL
character: PostgreSQL cannot take one in a query parameter, and DRF's own class
passed it to the user lookup, which failed with a 500 (found by Schemathesis).

Logins are throttled by django-axes (settings.AXES_*), which flags a refused login
on the request it is given: here DRF's wrapper, which the axes middleware never
sees, so the flag is copied to the request underneath."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed


class BasicAuthentication(authentication.BasicAuthentication):
    def authenticate_credentials(self, userid, password, request=None):
        if "\x00" in userid or "\x00" in password:
            raise AuthenticationFailed(_("Invalid username/password."))
        try:
            return super().authenticate_credentials(userid, password, request)
        except AuthenticationFailed:
            if request is not None and getattr(request, "axes_locked_out", False):
                # The axes middleware answers with the lockout message (429).
                django_request = getattr(request, "_request", request)
                django_request.axes_locked_out = True
                django_request.axes_credentials = getattr(
                    request, "axes_credentials", None
                )
            raise


class BasicAuthenticationScheme(BasicScheme):
    """Documents the class above in the API schema as HTTP Basic, like DRF's."""

    target_class = BasicAuthentication
