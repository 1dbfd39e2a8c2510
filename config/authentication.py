"""HTTP Basic authentication for the staff API, refusing credentials with a NUL
character: PostgreSQL cannot take one in a query parameter, and DRF's own class
passed it to the user lookup, which failed with a 500 (found by Schemathesis)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed


class BasicAuthentication(authentication.BasicAuthentication):
    def authenticate_credentials(self, userid, password, request=None):
        if "\x00" in userid or "\x00" in password:
            raise AuthenticationFailed(_("Invalid username/password."))
        return super().authenticate_credentials(userid, password, request)
