"""Services of the survey app: everything that changes survey data."""

from __future__ import annotations

from surveys.services.invitations import (
    InvitationInvalid,
    invitation_batch_create,
    invitation_read,
    invitation_token,
    invitation_url,
)
from surveys.services.responses import (
    Invitation,
    InvitationAlreadyUsed,
    ReviewNotAllowed,
    SubmissionConflict,
    SubmissionInvalid,
    answers_decode,
    answers_encode,
    answers_errors,
    questionnaire_criteria,
    response_errors,
    response_review,
    response_submit,
)

__all__ = [
    "Invitation",
    "InvitationAlreadyUsed",
    "InvitationInvalid",
    "ReviewNotAllowed",
    "SubmissionConflict",
    "SubmissionInvalid",
    "answers_decode",
    "answers_encode",
    "answers_errors",
    "invitation_batch_create",
    "invitation_read",
    "invitation_token",
    "invitation_url",
    "questionnaire_criteria",
    "response_errors",
    "response_review",
    "response_submit",
]
