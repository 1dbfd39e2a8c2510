"""Helpers for the rollup tests: responses made the way intake makes them, reviews
made the way officials make them, and the rollup read back as plain data."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from indicators.models import CriterionCount, RespondentCount
from surveys.models import Agency, Questionnaire, Response, ResponseReview
from surveys.reference import DEFAULT_QUESTIONNAIRE
from tests.factories import ResponseFactory

ACCEPTED = Response.Status.ACCEPTED
SUSPICIOUS = Response.Status.SUSPICIOUS
RESTORED = Response.Status.RESTORED

# 23 answers: twenty 5s, "does not apply", left out, a 3.
MOSTLY_FIVES = "5" * 20 + "0-3"


def respond(
    agency: Agency, on: dt.date | str, answers: str, *, flags: int = 0
) -> Response:
    """A response as intake stores it: held back (suspicious) iff a flag is set."""
    if isinstance(on, str):
        on = dt.date.fromisoformat(on)
    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    return ResponseFactory(
        questionnaire=questionnaire,
        agency=agency,
        responded_on=on,
        answers=answers,
        flags=flags,
        status=SUSPICIOUS if flags else ACCEPTED,
    )


def review(response: Response, to_status: int) -> ResponseReview:
    """An official changing a response's status: the review and the status change
    are committed together, as the review screen does."""
    with transaction.atomic():
        current = Response.objects.select_for_update().get(pk=response.pk)
        row = ResponseReview.objects.create(
            response=current, from_status=current.status, to_status=to_status
        )
        Response.objects.filter(pk=current.pk).update(status=to_status)
    response.status = to_status
    return row


def criterion_rows() -> dict[tuple, tuple]:
    """Every non-empty criterion count: (level, unit, kind, key, criterion) ->
    (n0, ..., n5)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level, unit_id, period_kind, period_key, criterion_id,"
            " n0, n1, n2, n3, n4, n5 FROM indicators_criterioncount"
            " WHERE n0 + n1 + n2 + n3 + n4 + n5 <> 0 OR n0 <> 0 OR n1 <> 0"
            " OR n2 <> 0 OR n3 <> 0 OR n4 <> 0 OR n5 <> 0"
        )
        return {tuple(r[:5]): tuple(r[5:]) for r in cursor.fetchall()}


def respondent_rows() -> dict[tuple, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT level, unit_id, period_kind, period_key, questionnaire_id,"
            " respondents FROM indicators_respondentcount WHERE respondents <> 0"
        )
        return {tuple(r[:5]): r[5] for r in cursor.fetchall()}


def rollup_rows() -> tuple[dict, dict]:
    return criterion_rows(), respondent_rows()


def counts(level, unit_id, kind, key, criterion) -> tuple[int, ...] | None:
    row = CriterionCount.objects.filter(
        level=level,
        unit_id=unit_id,
        period_kind=kind,
        period_key=key,
        criterion=criterion,
    ).first()
    return None if row is None else (row.n0, row.n1, row.n2, row.n3, row.n4, row.n5)


def respondents(level, unit_id, kind, key, questionnaire) -> int | None:
    row = RespondentCount.objects.filter(
        level=level,
        unit_id=unit_id,
        period_kind=kind,
        period_key=key,
        questionnaire=questionnaire,
    ).first()
    return None if row is None else row.respondents
