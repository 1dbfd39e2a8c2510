"""The throttle's authentication backend."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class ThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come with a request (the admin's
    login form, the API's HTTP Basic). A sign-in without one (a management
    command, the test client) has no address to count by: it is not throttled,
    where axes would raise."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
