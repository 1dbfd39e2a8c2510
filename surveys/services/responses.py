"""Receiving responses (one path for the page, the API and paper) and reviewing
them afterwards."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Field
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.hashing import keyed_hash
from surveys.models import (
    Agency,
    Criterion,
    Procedure,
    Questionnaire,
    Response,
    ResponseReview,
    UsedInvitation,
)
from surveys.response_rules import (
    CHANNEL_VALUES,
    CONTENT_FIELDS,
    NOT_ANSWERED,
    PROFILE_VALUES,
    SOURCE_VALUES,
    answer_error,
    service_date_error,
    suggestion_error,
)
from surveys.scope import scope_for
from surveys.suggestions import suggestion_stored

logger = logging.getLogger(__name__)


class SubmissionInvalid(Exception):
    """The submission breaks a rule; `errors` maps each field to its messages, and
    `answers` maps each criterion code to its messages."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


class SubmissionConflict(Exception):
    """A response with this uid exists with different content."""

    def __init__(self, existing: Response):
        super().__init__(str(existing.uid))
        self.existing = existing


class InvitationAlreadyUsed(Exception):
    """The invitation has been answered before; nothing was stored."""


@dataclass(frozen=True)
class Invitation:
    """What a signed invitation link says; `nonce` makes each link unique."""

    agency_id: int
    procedure_id: int | None
    channel: int
    nonce: str
    batch_id: int | None = None
    # Another questionnaire than the platform's own, by code; empty for SIPAS.
    questionnaire_code: str = ""

    @property
    def token_hash(self) -> str:
        return keyed_hash("invitation", self.nonce)


def answers_errors(
    criteria: Sequence[Criterion], answers: Mapping[str, object]
) -> dict[str, list[str]]:
    """Messages per criterion code: unknown criteria, values off the scale, wrong
    types and required criteria left out. Empty when the answers are valid."""
    errors: dict[str, list[str]] = {}
    by_code = {criterion.code: criterion for criterion in criteria}
    for code, value in answers.items():
        if code not in by_code:
            errors[str(code)] = [_("Unknown criterion.")]
        elif value is not None and (error := answer_error(by_code[code], value)):
            errors[code] = [error]
    for criterion in criteria:
        if criterion.required and answers.get(criterion.code) is None:
            errors.setdefault(criterion.code, []).append(
                _("Please answer this question.")
            )
    return errors


def answers_encode(
    criteria: Sequence[Criterion], answers: Mapping[str, int | None]
) -> str:
    """The `Response.answers` string: one character per criterion, in position
    order. The answers must have passed `answers_errors`."""
    ordered = sorted(criteria, key=lambda criterion: criterion.position)
    chars = []
    for criterion in ordered:
        value = answers.get(criterion.code)
        chars.append(NOT_ANSWERED if value is None else str(value))
    return "".join(chars)


def answers_decode(
    criteria: Sequence[Criterion], encoded: str
) -> dict[str, int | None]:
    ordered = sorted(criteria, key=lambda criterion: criterion.position)
    return {
        criterion.code: None if char == NOT_ANSWERED else int(char)
        for criterion, char in zip(ordered, encoded, strict=False)
    }


def questionnaire_criteria(questionnaire: Questionnaire) -> list[Criterion]:
    cached = getattr(questionnaire, "_criteria_cache", None)
    if cached is None:
        cached = list(questionnaire.criteria.order_by("position"))
        questionnaire._criteria_cache = cached
    return cached


def response_errors(
    *,
    questionnaire: Questionnaire,
    agency: Agency,
    channel: int,
    source: int,
    answers: Mapping[str, object],
    responded_on: dt.date | None,
    profile: Mapping[str, int | None],
    suggestion: str,
) -> dict:
    """Every rule a response must meet, as {field: [messages]} (criteria under
    "answers"); empty when it may be stored. Shared by every channel and the CSV
    import, so that a response means the same wherever it came from."""
    errors: dict = {}
    answer_errors = answers_errors(questionnaire_criteria(questionnaire), answers)
    if answer_errors:
        errors["answers"] = answer_errors
    if not agency.active:
        errors["agency"] = [_("This agency no longer takes part in the survey.")]
    if channel not in CHANNEL_VALUES:
        errors["channel"] = [_("Unknown channel.")]
    if source not in SOURCE_VALUES:
        errors["source"] = [_("Unknown source.")]
    if responded_on is not None and (error := service_date_error(responded_on)):
        errors["responded_on"] = [error]
    for name, values in PROFILE_VALUES.items():
        value = profile.get(name)
        if value is None:
            continue
        if not questionnaire.asks_about_respondent:
            errors[name] = [_("This questionnaire does not ask this question.")]
        elif value not in values:
            errors[name] = [_("Not one of the choices.")]
    if error := suggestion_error(suggestion):
        errors["suggestion"] = [error]
    return errors


def received_hour() -> dt.datetime:
    """Now, to the hour: a response's receipt time is kept no finer."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)


def response_submit(
    *,
    uid: uuid.UUID,
    questionnaire: Questionnaire,
    agency: Agency,
    procedure: Procedure | None,
    channel: int,
    source: int,
    answers: Mapping[str, int | None],
    responded_on: dt.date | None = None,
    respondent_type: int | None = None,
    gender: int | None = None,
    age_band: int | None = None,
    education: int | None = None,
    occupation: int | None = None,
    suggestion: str = "",
    flags: int = 0,
    invitation: Invitation | None = None,
) -> tuple[Response, bool]:
    """Store one response, or recognise a retry: returns (response, created).

    Raises SubmissionInvalid (nothing stored), SubmissionConflict when the uid is
    taken by different content, InvitationAlreadyUsed. Flagged responses are stored
    SUSPICIOUS; the response is committed when this returns, unless the caller
    holds a transaction open.
    """
    profile = {
        "respondent_type": respondent_type,
        "gender": gender,
        "age_band": age_band,
        "education": education,
        "occupation": occupation,
    }
    suggestion = (suggestion or "").strip()
    errors = response_errors(
        questionnaire=questionnaire,
        agency=agency,
        channel=channel,
        source=source,
        answers=answers,
        responded_on=responded_on,
        profile=profile,
        suggestion=suggestion,
    )
    if errors:
        raise SubmissionInvalid(errors)
    suggestion = suggestion_stored(suggestion)

    candidate = Response(
        uid=uid,
        questionnaire=questionnaire,
        agency=agency,
        procedure=procedure,
        channel=channel,
        source=source,
        responded_on=responded_on or timezone.localdate(),
        received_at=received_hour(),
        answers=answers_encode(questionnaire_criteria(questionnaire), answers),
        suggestion=suggestion,
        flags=flags,
        # Intake status follows from the flags alone; later changes are reviews.
        status=Response.Status.SUSPICIOUS if flags else Response.Status.ACCEPTED,
        **profile,
    )
    # A lone INSERT commits by itself: BEGIN and COMMIT around it were two more
    # round trips. A block is needed for the invitation's second row, and as a
    # savepoint inside a caller's transaction, which a taken uid must not abort.
    block = invitation is not None or transaction.get_connection().in_atomic_block
    try:
        # The unique uid decides between a new response and a retry: inserting
        # first and looking second leaves no window for a concurrent twin.
        with transaction.atomic() if block else nullcontext():
            _response_insert(candidate)
            if invitation is not None:
                UsedInvitation.objects.create(
                    token_hash=invitation.token_hash,
                    agency_id=invitation.agency_id,
                    batch_id=invitation.batch_id,
                )
    except IntegrityError:
        existing = Response.objects.filter(uid=uid).first()
        if existing is None:
            if invitation is not None:
                raise InvitationAlreadyUsed() from None
            raise
        if not response_same_content(existing, candidate, compare_date=responded_on):
            raise SubmissionConflict(existing) from None
        return existing, False
    return candidate, True


@functools.cache
def _insert_statement(vendor: str, alias: str) -> tuple[str, tuple[Field, ...]]:
    """INSERT of every Response column but the id, returning the id."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = Response._meta
    fields = tuple(
        f for f in meta.local_concrete_fields if not f.primary_key and not f.generated
    )
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(meta.pk.column),
    )
    return sql, fields


def _response_insert(response: Response) -> None:
    """response.save(force_insert=True), with the statement built once per
    process: Django compiles an INSERT anew for every save, and that was a third
    of the CPU of a submission. Same values (each field's get_db_prep_save), same
    signals."""
    alias = router.db_for_write(Response, instance=response)
    connection = connections[alias]
    pre_save.send(
        sender=Response, instance=response, raw=False, using=alias, update_fields=None
    )
    sql, fields = _insert_statement(connection.vendor, alias)
    values = [
        f.get_db_prep_save(f.pre_save(response, True), connection) for f in fields
    ]
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, values)
        response.pk = cursor.fetchone()[0]
    response._state.adding = False
    response._state.db = alias
    post_save.send(
        sender=Response,
        instance=response,
        created=True,
        update_fields=None,
        raw=False,
        using=alias,
    )


def response_same_content(
    existing: Response, candidate: Response, *, compare_date: dt.date | None
) -> bool:
    if any(getattr(existing, f) != getattr(candidate, f) for f in CONTENT_FIELDS):
        return False
    return compare_date is None or existing.responded_on == compare_date


REVIEW_TRANSITIONS = {
    (Response.Status.SUSPICIOUS, Response.Status.RESTORED),
    (Response.Status.ACCEPTED, Response.Status.SUSPICIOUS),
    (Response.Status.RESTORED, Response.Status.SUSPICIOUS),
}


class ReviewNotAllowed(Exception):
    pass


@transaction.atomic
def response_review(
    *, response: Response, to_status: int, user, note: str = ""
) -> ResponseReview | None:
    """Move a response to `to_status`, recording the change as a ResponseReview;
    returns None when it already has that status. Only suspicious -> restored and
    accepted/restored -> suspicious are changes an official can make."""
    scope = scope_for(user)
    if not scope.everything and response.agency_id not in scope.agency_ids:
        raise PermissionDenied
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.status == to_status:
        response.status = locked.status
        return None
    if (locked.status, to_status) not in REVIEW_TRANSITIONS:
        raise ReviewNotAllowed(
            _("A response cannot go from %(from)s to %(to)s.")
            % {
                "from": Response.Status(locked.status).label,
                "to": Response.Status(to_status).label,
            }
        )
    review = ResponseReview.objects.create(
        response=locked,
        from_status=locked.status,
        to_status=to_status,
        reviewed_by=user,
        note=note[:500],
    )
    Response.objects.filter(pk=locked.pk).update(status=to_status)
    response.status = to_status
    return review
