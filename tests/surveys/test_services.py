from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from surveys.models import (
    Agency,
    Channel,
    Procedure,
    Response,
    ResponseReview,
    Source,
)
from surveys.selectors import questionnaire_current
from surveys.services import (
    ReviewNotAllowed,
    SubmissionConflict,
    SubmissionInvalid,
    answers_decode,
    answers_encode,
    questionnaire_criteria,
    response_review,
    response_submit,
)
from tests.factories import ResponseFactory
from tests.surveys.helpers import all_answers


def submit(questionnaire, agency, **overrides):
    values = {
        "uid": uuid.uuid4(),
        "questionnaire": questionnaire,
        "agency": agency,
        "procedure": None,
        "channel": Channel.IN_PERSON,
        "source": Source.WEB,
        "answers": all_answers(questionnaire),
    }
    values.update(overrides)
    return response_submit(**values)


def test_answers_are_encoded_in_criterion_order(questionnaire):
    criteria = questionnaire_criteria(questionnaire)
    answers = {c.code: 5 for c in criteria}
    answers.update(ACCESS_1=1, ACCESS_2=0, FEEDBACK_4=None)
    encoded = answers_encode(criteria, answers)
    assert encoded == "10" + "5" * 20 + "-"
    assert answers_decode(criteria, encoded) == answers


def test_an_optional_criterion_may_be_left_out(questionnaire, son_la_centre):
    last = questionnaire.criteria.get(code="FEEDBACK_4")
    last.required = False
    last.save()
    questionnaire = questionnaire_current(questionnaire.code)
    answers = all_answers(questionnaire)
    del answers["FEEDBACK_4"]
    response, created = submit(questionnaire, son_la_centre, answers=answers)
    assert created and response.answers.endswith("4-")


def test_intake_status_follows_the_flags(questionnaire, son_la_centre):
    clean, _ = submit(questionnaire, son_la_centre)
    flagged, _ = submit(
        questionnaire,
        son_la_centre,
        flags=Response.Flag.TOO_FAST | Response.Flag.HONEYPOT,
    )
    assert (clean.flags, clean.status) == (0, Response.Status.ACCEPTED)
    flagged.refresh_from_db()
    assert flagged.status == Response.Status.SUSPICIOUS
    assert set(flagged.flag_labels) == {"honeypot field filled", "filled in too fast"}


def test_a_retry_without_a_date_matches_the_stored_response(
    questionnaire, son_la_centre
):
    uid = uuid.uuid4()
    first, created = submit(questionnaire, son_la_centre, uid=uid)
    again, created_again = submit(questionnaire, son_la_centre, uid=uid)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    with pytest.raises(SubmissionConflict):
        submit(questionnaire, son_la_centre, uid=uid, suggestion="khác")


def test_an_inactive_agency_takes_no_response(questionnaire, son_la_centre):
    Agency.objects.filter(pk=son_la_centre.pk).update(active=False)
    son_la_centre.refresh_from_db()
    with pytest.raises(SubmissionInvalid) as invalid:
        submit(questionnaire, son_la_centre)
    assert "agency" in invalid.value.errors


def test_a_review_records_each_real_change(
    questionnaire, son_la_centre, son_la_official
):
    response = ResponseFactory(questionnaire=questionnaire, agency=son_la_centre)
    review = response_review(
        response=response,
        to_status=Response.Status.SUSPICIOUS,
        user=son_la_official,
        note="same answers ten times",
    )
    assert (review.from_status, review.to_status) == (1, 2)
    assert (
        response_review(
            response=response,
            to_status=Response.Status.SUSPICIOUS,
            user=son_la_official,
        )
        is None
    )
    response_review(
        response=response, to_status=Response.Status.RESTORED, user=son_la_official
    )
    response.refresh_from_db()
    assert response.status == Response.Status.RESTORED
    assert list(
        ResponseReview.objects.order_by("id").values_list("from_status", "to_status")
    ) == [(1, 2), (2, 3)]
    with pytest.raises(ReviewNotAllowed):
        response_review(
            response=response, to_status=Response.Status.ACCEPTED, user=son_la_official
        )


def test_an_official_cannot_review_another_provinces_response(
    questionnaire, son_la_centre, quang_ninh_official
):
    response = ResponseFactory(questionnaire=questionnaire, agency=son_la_centre)
    with pytest.raises(PermissionDenied):
        response_review(
            response=response,
            to_status=Response.Status.SUSPICIOUS,
            user=quang_ninh_official,
        )
    assert not ResponseReview.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_uid_store_exactly_one(reference_data):
    questionnaire = questionnaire_current()
    agency = Agency.objects.get(code="14-centre")
    uid = uuid.uuid4()
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    outcomes: list = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            _response, created = submit(questionnaire, agency, uid=uid)
            outcomes.append(created)
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == [False] * (threads_count - 1) + [True]
    assert Response.objects.filter(uid=uid).count() == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_response_is_one_insert_and_retries_still_work(
    reference_data,
):
    questionnaire = questionnaire_current()
    agency = Agency.objects.get(code="14-centre")
    uid = uuid.uuid4()
    with CaptureQueriesContext(connection) as queries:
        _response, created = submit(questionnaire, agency, uid=uid)
    assert created
    statements = [q["sql"].split()[0] for q in queries]
    assert [s for s in statements if s != "SELECT"] == ["INSERT"]
    assert submit(questionnaire, agency, uid=uid)[1] is False
    with pytest.raises(SubmissionConflict):
        submit(questionnaire, agency, uid=uid, channel=Channel.ONLINE)
    assert Response.objects.filter(uid=uid).count() == 1


def test_a_taken_uid_leaves_the_callers_transaction_usable(
    questionnaire, son_la_centre
):
    uid = uuid.uuid4()
    with transaction.atomic():
        submit(questionnaire, son_la_centre, uid=uid)
        with pytest.raises(SubmissionConflict):
            submit(questionnaire, son_la_centre, uid=uid, channel=Channel.ONLINE)
        assert submit(questionnaire, son_la_centre, uid=uid)[1] is False
        assert Response.objects.filter(uid=uid).count() == 1


def test_a_response_is_stored_with_every_value_and_its_save_signals(
    questionnaire, son_la_centre
):
    seen = []

    def record(sender, **kwargs):
        seen.append((kwargs.get("created"), kwargs["instance"].pk))

    pre_save.connect(record, sender=Response, weak=False)
    post_save.connect(record, sender=Response, weak=False)
    try:
        response, created = submit(
            questionnaire,
            son_la_centre,
            procedure=Procedure.objects.get(code="HT-KS"),
            responded_on=dt.date(2025, 3, 4),
            respondent_type=1,
            gender=2,
            age_band=3,
            education=4,
            occupation=5,
            suggestion=" Thêm ghế. ",
            flags=Response.Flag.BURST,
        )
    finally:
        pre_save.disconnect(record, sender=Response)
        post_save.disconnect(record, sender=Response)
    assert created and response.pk is not None and not response._state.adding
    assert seen == [(None, None), (True, response.pk)]
    stored = Response.objects.get(pk=response.pk)
    fields = [f.attname for f in Response._meta.concrete_fields]
    assert {f: getattr(stored, f) for f in fields} == {
        f: getattr(response, f) for f in fields
    }
    assert stored.suggestion == "Thêm ghế."
    assert stored.status == Response.Status.SUSPICIOUS
