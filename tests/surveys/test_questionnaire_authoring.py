"""Authoring questionnaires: the guard rails, publishing that freezes a version,
new draft versions and what changed between them, retiring."""

from __future__ import annotations

import pytest
from django.utils import translation

from surveys import selectors
from surveys.models import Criterion, Element, Questionnaire
from surveys.reference import DEFAULT_SCALE
from surveys.services import SubmissionInvalid
from surveys.services.questionnaires import (
    QuestionnaireRefused,
    criteria_limit,
    questionnaire_frozen,
    questionnaire_new_draft,
    questionnaire_problems,
    questionnaire_publish,
    questionnaire_retire,
)
from tests.factories import ResponseFactory
from tests.surveys.authoring import draft_with, submit


def test_a_new_questionnaire_starts_as_a_draft_that_no_link_serves(db):
    draft = draft_with({"A": ["A1"]})
    assert (draft.version, draft.status) == (1, Questionnaire.Status.DRAFT)
    assert not draft.is_current
    assert selectors.questionnaire_current("health") is None
    assert not questionnaire_frozen(draft)


def test_publishing_makes_the_draft_current_and_frozen(db, son_la_centre):
    draft = draft_with({"A": ["A1", "A2"], "B": ["B1"]})
    published = questionnaire_publish(questionnaire=draft)
    assert published.status == Questionnaire.Status.PUBLISHED
    assert published.is_current and published.published_at is not None
    assert questionnaire_frozen(published)
    current = selectors.questionnaire_current("health")
    assert current.pk == draft.pk
    submit(current, son_la_centre, {"A1": 4, "A2": 5, "B1": 3})
    with pytest.raises(QuestionnaireRefused):
        questionnaire_publish(questionnaire=published)


def test_a_draft_with_responses_is_frozen(db, son_la_centre):
    draft = draft_with({"A": ["A1"]})
    ResponseFactory(questionnaire=draft, agency=son_la_centre, answers="4")
    assert questionnaire_frozen(draft)


def test_publishing_numbers_criteria_in_the_order_they_are_asked(db):
    draft = draft_with({"A": ["A1"], "B": ["B1"]})
    # An author moved element B first and left gaps in the criteria's positions.
    Element.objects.filter(questionnaire=draft, code="A").update(position=7)
    Element.objects.filter(questionnaire=draft, code="B").update(position=3)
    Criterion.objects.filter(questionnaire=draft, code="B1").update(position=40)
    Criterion.objects.filter(questionnaire=draft, code="A1").update(position=2)
    questionnaire_publish(questionnaire=draft)
    assert list(draft.elements.values_list("code", "position")) == [
        ("B", 1),
        ("A", 2),
    ]
    assert list(draft.criteria.values_list("code", "position")) == [
        ("B1", 1),
        ("A1", 2),
    ]


def test_it_refuses_a_questionnaire_without_vietnamese_wording(db):
    draft = draft_with({"A": ["A1"]})
    Questionnaire.objects.filter(pk=draft.pk).update(title_vi=" ")
    Criterion.objects.filter(code="A1").update(text_vi="")
    Element.objects.filter(code="A").update(name_vi="")
    with pytest.raises(QuestionnaireRefused) as refused:
        questionnaire_publish(questionnaire=draft)
    assert refused.value.problems == [
        "The questionnaire has no Vietnamese title.",
        "Element A has no Vietnamese name.",
        "Criterion A1 has no Vietnamese wording.",
    ]
    draft.refresh_from_db()
    assert draft.status == Questionnaire.Status.DRAFT and not draft.is_current


def test_it_refuses_an_element_without_criteria_and_a_repeated_code(db):
    draft = draft_with({"A": ["A1", "a1"], "B": []})
    problems = questionnaire_problems(draft)
    assert "Element B has no criterion." in problems
    assert "The criterion code A1 is used more than once." in problems
    assert "The criterion code a1 is used more than once." in problems


def test_it_refuses_codes_that_cannot_name_a_field_or_a_column(db):
    draft = draft_with({"Tiếp cận": ["A 1", "A_2"]})
    assert questionnaire_problems(draft) == [
        "The code A 1 may hold only unaccented letters, digits, “_” and “-”.",
        "The code Tiếp cận may hold only unaccented letters, digits, “_” and “-”.",
    ]


def test_it_refuses_more_criteria_than_a_response_can_store(db):
    limit = criteria_limit()
    assert limit == 200  # Response.answers: one character per criterion
    draft = draft_with({"A": [f"C{i}" for i in range(limit + 1)]})
    assert questionnaire_problems(draft) == [
        "The questionnaire has 201 criteria; a response can store at most 200."
    ]


def test_it_refuses_a_scale_scoring_cannot_count(db):
    draft = draft_with({"A": ["A1"]})
    draft.scale = [*DEFAULT_SCALE, {"value": 6, "label_vi": "Tuyệt vời"}]
    assert questionnaire_problems(draft)[0].startswith(
        "The answer scale must have the levels 1 to 5"
    )
    draft.scale = [{**DEFAULT_SCALE[0], "label_vi": ""}, *DEFAULT_SCALE[1:]]
    assert questionnaire_problems(draft) == [
        "Level 1 of the answer scale has no Vietnamese label."
    ]


def test_the_refusal_is_said_in_vietnamese(db):
    draft = draft_with({"A": ["A1"], "B": []})
    with translation.override("vi"):
        problems = questionnaire_problems(draft)
    assert problems == ["Yếu tố B chưa có tiêu chí nào."]


def test_a_new_draft_copies_the_version_and_lists_what_changed(db):
    first = draft_with({"A": ["A1", "A2"], "B": ["B1"]})
    questionnaire_publish(questionnaire=first)
    second = questionnaire_new_draft(questionnaire=first)
    assert (second.version, second.status) == (2, Questionnaire.Status.DRAFT)
    assert list(second.criteria.values_list("code", flat=True)) == ["A1", "A2", "B1"]
    assert selectors.questionnaire_changes(second) == {
        "previous": first,
        "added": [],
        "removed": [],
        "reworded": [],
        "changed": [],
    }
    with pytest.raises(QuestionnaireRefused, match="already a draft"):
        questionnaire_new_draft(questionnaire=first)

    second.criteria.filter(code="A2").update(text_vi="Câu hỏi A2 đã sửa")
    second.criteria.filter(code="B1").delete()
    second.criteria.filter(code="A1").update(allows_not_applicable=False)
    Criterion.objects.create(
        questionnaire=second,
        element=second.elements.get(code="B"),
        code="B2",
        position=9,
        text_vi="Câu hỏi B2",
    )
    changes = selectors.questionnaire_changes(second)
    assert changes["added"] == ["B2"]
    assert changes["removed"] == ["B1"]
    assert changes["reworded"] == ["A2"]
    assert changes["changed"] == ["A1"]

    questionnaire_publish(questionnaire=second)
    first.refresh_from_db()
    assert not first.is_current and first.status == Questionnaire.Status.PUBLISHED
    assert first.criteria.get(code="A2").text_vi == "Câu hỏi A2"
    assert selectors.questionnaire_current("health").version == 2


def test_retiring_stops_new_responses_and_keeps_the_old_ones(db, son_la_centre):
    published = questionnaire_publish(questionnaire=draft_with({"A": ["A1"]}))
    ResponseFactory(questionnaire=published, agency=son_la_centre, answers="5")
    questionnaire_retire(questionnaire=published)
    published.refresh_from_db()
    assert published.status == Questionnaire.Status.RETIRED
    assert selectors.questionnaire_current("health") is None
    assert published.response_set.count() == 1
    with pytest.raises(QuestionnaireRefused):
        questionnaire_retire(questionnaire=draft_with({"A": ["A1"]}, code="other"))


def test_a_criterion_without_does_not_apply_refuses_that_answer(db, son_la_centre):
    draft = draft_with({"A": ["A1", "A2"]})
    draft.criteria.filter(code="A1").update(allows_not_applicable=False)
    questionnaire_publish(questionnaire=draft)
    current = selectors.questionnaire_current("health")
    with pytest.raises(SubmissionInvalid) as invalid:
        submit(current, son_la_centre, {"A1": 0, "A2": 0})
    assert list(invalid.value.errors["answers"]) == ["A1"]
    submit(current, son_la_centre, {"A1": 2, "A2": 0})
