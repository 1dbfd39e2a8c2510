from __future__ import annotations

from surveys.models import Agency, Channel
from surveys.selectors import agencies_visible, agency_for_survey, invitation_rates
from surveys.services import (
    Invitation,
    invitation_batch_create,
    invitation_read,
    response_submit,
)
from tests.surveys.helpers import all_answers


def test_invitation_rates_count_issued_and_answered_within_scope(
    son_la_official, quang_ninh_official, son_la_centre, questionnaire
):
    _batch, tokens = invitation_batch_create(
        agency=son_la_centre,
        procedure=None,
        channel=Channel.POST,
        count=4,
        user=son_la_official,
    )
    invitation: Invitation = invitation_read(tokens[0])
    response_submit(
        uid="0b8d7e52-8a51-4c11-9a43-0e2f3d1c9b10",
        questionnaire=questionnaire,
        agency=son_la_centre,
        procedure=None,
        channel=invitation.channel,
        source=1,
        answers=all_answers(questionnaire),
        invitation=invitation,
    )
    assert invitation_rates(son_la_official) == [
        {"agency_id": son_la_centre.id, "issued": 4, "answered": 1}
    ]
    assert invitation_rates(quang_ninh_official) == []


def test_officials_see_only_the_agencies_of_their_province(
    son_la_official, quang_ninh_official, son_la_centre, quang_ninh_centre
):
    assert agencies_visible(son_la_official).filter(pk=son_la_centre.pk).exists()
    assert (
        not agencies_visible(quang_ninh_official).filter(pk=son_la_centre.pk).exists()
    )
    assert (
        agencies_visible(quang_ninh_official).filter(pk=quang_ninh_centre.pk).exists()
    )


def test_one_read_finds_every_active_agency_and_no_inactive_one(
    son_la_centre, quang_ninh_centre, django_assert_num_queries
):
    quang_ninh_centre.active = False
    quang_ninh_centre.save()
    with django_assert_num_queries(1):
        assert agency_for_survey(son_la_centre.code) == son_la_centre
    other = Agency.objects.filter(active=True).exclude(pk=son_la_centre.pk).first()
    with django_assert_num_queries(0):
        assert agency_for_survey(other.code) == other
        assert agency_for_survey(quang_ninh_centre.code) is None
        assert agency_for_survey("nowhere") is None
