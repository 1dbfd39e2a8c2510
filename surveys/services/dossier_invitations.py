"""One survey invitation per resolved dossier.

The link is an ordinary signed invitation (surveys.services.invitations): the
response inherits the dossier's agency, procedure and channel, and nothing in it
or in the stored response names the dossier. Its nonce is a keyed hash of the
dossier's (already hashed) number, so issuing the link again for the same dossier
gives a link to the same single use: a dossier is answered at most once however
often its receipt is printed or its SMS resent. Issued links are counted in a
batch per agency, procedure, channel and day, which says nothing about which
dossier was invited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from surveys.hashing import keyed_hash
from surveys.models import Agency, Dossier, InvitationBatch
from surveys.scope import scope_for
from surveys.services.invitations import invitation_token
from surveys.services.responses import Invitation


class DossierNotResolved(Exception):
    """Only a resolved dossier gets an invitation: the survey asks about a
    service the citizen has received."""


def _nonce(dossier: Dossier) -> str:
    return keyed_hash("dossier-invitation", dossier.number_hash)[:24]


@transaction.atomic
def dossier_invitation_issue(*, dossier: Dossier, user) -> str:
    """The invitation token of a resolved dossier, counting it as issued the
    first time. Raises PermissionDenied outside the user's scope and
    DossierNotResolved."""
    scope = scope_for(user)
    if not scope.everything and dossier.agency_id not in scope.agency_ids:
        raise PermissionDenied
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status != Dossier.Status.RESOLVED:
        raise DossierNotResolved
    if locked.invitation_batch_id is None:
        # One day's batch per agency grows by one per dossier; the agency row
        # lock keeps two issuers from opening two batches for the same day.
        Agency.objects.select_for_update().get(pk=locked.agency_id)
        today = timezone.localdate()
        batch = InvitationBatch.objects.filter(
            agency_id=locked.agency_id,
            procedure_id=locked.procedure_id,
            channel=locked.channel,
            issued_on=today,
        ).first()
        if batch is None:
            batch = InvitationBatch.objects.create(
                agency_id=locked.agency_id,
                procedure_id=locked.procedure_id,
                channel=locked.channel,
                count=1,
                issued_on=today,
                created_by=user if getattr(user, "pk", None) else None,
            )
        else:
            InvitationBatch.objects.filter(pk=batch.pk).update(count=F("count") + 1)
        locked.invitation_batch = batch
        locked.invited_on = today
        locked.save(update_fields=["invitation_batch", "invited_on"])
    dossier.invitation_batch_id = locked.invitation_batch_id
    dossier.invited_on = locked.invited_on
    return invitation_token(
        Invitation(
            agency_id=locked.agency_id,
            procedure_id=locked.procedure_id,
            channel=locked.channel,
            nonce=_nonce(locked),
            batch_id=locked.invitation_batch_id,
        )
    )
