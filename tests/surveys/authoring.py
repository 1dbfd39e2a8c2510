"""Questionnaires built the way an administrator authors them."""

from __future__ import annotations

import datetime as dt
import uuid

from surveys.models import Channel, Criterion, Element, Questionnaire, Source
from surveys.reference import DEFAULT_SCALE
from surveys.services import response_submit
from surveys.services.questionnaires import questionnaire_draft_create


def submit(
    questionnaire: Questionnaire,
    agency,
    answers: dict,
    responded_on: dt.date | None = None,
) -> None:
    """One response sent through the API's service."""
    response_submit(
        uid=uuid.uuid4(),
        questionnaire=questionnaire,
        agency=agency,
        procedure=None,
        channel=Channel.IN_PERSON,
        source=Source.API,
        answers=answers,
        responded_on=responded_on,
    )


def draft_with(elements: dict[str, list[str]], code: str = "health") -> Questionnaire:
    """A draft whose elements hold criteria with these codes, worded in both
    languages."""
    draft = questionnaire_draft_create(
        code=code,
        title_vi="Khảo sát sự hài lòng về dịch vụ y tế",
        title_en="Satisfaction with health services",
        scale=DEFAULT_SCALE,
    )
    position = 0
    for index, (element_code, criteria) in enumerate(elements.items(), start=1):
        element = Element.objects.create(
            questionnaire=draft,
            code=element_code,
            position=index,
            name_vi=f"Yếu tố {element_code}",
            name_en=f"Element {element_code}",
        )
        for criterion_code in criteria:
            position += 1
            Criterion.objects.create(
                questionnaire=draft,
                element=element,
                code=criterion_code,
                position=position,
                text_vi=f"Câu hỏi {criterion_code}",
                text_en=f"Question {criterion_code}",
            )
    return draft
