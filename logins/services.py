"""Changes to sign-in lockouts (django-axes' records)."""

from __future__ import annotations

import logging

from axes.models import AccessAttempt
from django.db.models import QuerySet

logger = logging.getLogger(__name__)


def lockout_lift(*, attempts: QuerySet[AccessAttempt], lifted_by: str) -> int:
    """Forget the failed sign-ins of the given records, which lifts their lockouts
    at once; logged with who lifted them. Returns how many records were removed."""
    pairs = list(attempts.values_list("username", "ip_address"))
    count, _ = attempts.delete()
    for username, address in pairs:
        logger.warning(
            "Sign-in lockout lifted by %s: username %r from %s.",
            lifted_by,
            username,
            address,
        )
    return count
