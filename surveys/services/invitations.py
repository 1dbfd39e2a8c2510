"""Invitation links: signed, never stored; only their number per batch is kept,
and a keyed hash of each one once it has been answered."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from surveys.models import Agency, InvitationBatch, Procedure
from surveys.reference import DEFAULT_QUESTIONNAIRE
from surveys.scope import scope_for
from surveys.services.responses import Invitation

SALT = "surveys.invitation"
MAX_BATCH = 2000


class InvitationInvalid(Exception):
    """The link was altered, has expired, or names an agency no longer surveyed."""


def invitation_max_age() -> int:
    return getattr(settings, "SURVEY_INVITATION_MAX_AGE_DAYS", 365) * 86400


def invitation_token(invitation: Invitation) -> str:
    payload = {
        "a": invitation.agency_id,
        "p": invitation.procedure_id,
        "c": invitation.channel,
        "n": invitation.nonce,
        "b": invitation.batch_id,
    }
    # Only when not SIPAS: links of the platform's questionnaire stay as short
    # as they were (a shorter link is a less dense QR code).
    if invitation.questionnaire_code:
        payload["q"] = invitation.questionnaire_code
    return signing.dumps(payload, salt=SALT)


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:invitation", args=[token])


def invitation_read(token: str) -> Invitation:
    """The invitation a token stands for; raises InvitationInvalid."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=invitation_max_age())
        return Invitation(
            agency_id=int(payload["a"]),
            procedure_id=int(payload["p"]) if payload.get("p") else None,
            channel=int(payload["c"]),
            nonce=str(payload["n"]),
            batch_id=int(payload["b"]) if payload.get("b") else None,
            questionnaire_code=str(payload.get("q") or ""),
        )
    except signing.SignatureExpired:
        raise InvitationInvalid(_("This invitation has expired.")) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationInvalid(_("This invitation link is not valid.")) from None


def invitation_batch_create(
    *,
    agency: Agency,
    procedure: Procedure | None,
    channel: int,
    count: int,
    user,
    questionnaire_code: str = "",
) -> tuple[InvitationBatch, list[str]]:
    """Record a batch of `count` invitations and return their tokens; the tokens
    exist only in the answer, so the caller hands them out now or never. The
    links open the questionnaire `questionnaire_code` (SIPAS when empty)."""
    if questionnaire_code == DEFAULT_QUESTIONNAIRE:
        questionnaire_code = ""
    scope = scope_for(user)
    if not scope.everything and agency.id not in scope.agency_ids:
        raise PermissionDenied
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"count must be between 1 and {MAX_BATCH}")
    batch = InvitationBatch.objects.create(
        agency=agency,
        procedure=procedure,
        channel=channel,
        count=count,
        created_by=user,
        questionnaire_code=questionnaire_code,
    )
    tokens = [
        invitation_token(
            Invitation(
                agency_id=agency.id,
                procedure_id=procedure.id if procedure else None,
                channel=channel,
                nonce=secrets.token_urlsafe(12),
                batch_id=batch.id,
                questionnaire_code=questionnaire_code,
            )
        )
        for _ in range(count)
    ]
    return batch, tokens
