"""Invitation tokens never reach a log.

An invitation link (`/s/i/<token>/`) is a bearer credential for one response and,
through its batch, a way back to the dossier it was issued for. An access log that
keeps the full URL beside the client's address and the time links the answer to
the person. The token is masked wherever the request line, the path or the
Referer (the survey page's stylesheet is fetched with the page's URL as Referer)
is written: Django's own log records (here), gunicorn's access log
(config/gunicorn_logging.py) and nginx's (deploy/nginx.conf).
"""

from __future__ import annotations

import logging
import re

MASK = "***"
# The path of an invitation, also percent-encoded inside another URL.
INVITATION = re.compile(r"(/s/i/|%2Fs%2Fi%2F)[^/?#\s\"'%]+", re.IGNORECASE)


def mask_invitation_tokens(text: str) -> str:
    if "/s/i/" not in text and "%2f" not in text.lower():
        return text
    return INVITATION.sub(lambda m: m.group(1) + MASK, text)


class MaskInvitationTokens(logging.Filter):
    """Rewrites a record whose message names an invitation (Django logs
    "Not Found: /s/i/<token>/" for a link that has expired)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_invitation_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
