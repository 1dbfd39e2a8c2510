"""The rules of a response's fields, declared once: the columns a response is
stored with, the codes and ranges each field takes, and the fields of the API's
payload with their types and whether they are required.

The service (`surveys.services.responses.response_errors`), the API's serializer
and its fast reader (`surveys.serializers`), and the paper import's full and
quick checks (`surveys.imports`, `surveys.imports_quick`) all read them from
here: a rule changed here changes for every way a response arrives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import (
    AgeBand,
    Channel,
    Criterion,
    Education,
    Gender,
    Occupation,
    Procedure,
    RespondentType,
    Response,
    Source,
)

# Every column of a response row but its id, in the table's order: the bulk
# loaders write them in this order, and each list below is this one less some.
RESPONSE_COLUMNS = tuple(
    f.attname for f in Response._meta.local_concrete_fields if not f.primary_key
)
# Set by the platform when it takes a response in, never sent.
INTAKE_COLUMNS = ("source", "received_at", "flags", "status")
# What makes two submissions with the same uid "the same response": a retry must
# repeat all of it. `responded_on` is compared only when the client gave it.
CONTENT_FIELDS = tuple(
    c for c in RESPONSE_COLUMNS if c not in {"uid", "responded_on", *INTAKE_COLUMNS}
)

NOT_ANSWERED = "-"
SCALE_VALUES = range(0, 6)
EARLIEST_SERVICE_DATE = dt.date(2000, 1, 1)
# Control characters other than tab and line breaks: no keyboard types them, and
# they garble exports and terminals (an ESC sequence recolours a reader's screen).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
PROCEDURE_CODE_LENGTH = Procedure._meta.get_field("code").max_length

PROFILE_CHOICES = {
    "respondent_type": RespondentType,
    "gender": Gender,
    "age_band": AgeBand,
    "education": Education,
    "occupation": Occupation,
}


def _codes(choices: type[Enum]) -> dict[str, int]:
    """A choice's code as clients write it: its name in lowercase."""
    return {member.name.lower(): member.value for member in choices}


CHANNEL_CODES = _codes(Channel)
PROFILE_CODES = {name: _codes(choices) for name, choices in PROFILE_CHOICES.items()}
# Django rebuilds `Choices.values` on every access; a paper import checks each of
# these on every row (a quarter of its time, measured in docs/performance.md).
CHANNEL_VALUES = frozenset(Channel.values)
SOURCE_VALUES = frozenset(Source.values)
PROFILE_VALUES = {name: frozenset(c.values) for name, c in PROFILE_CHOICES.items()}


def criterion_answers(criterion: Criterion) -> frozenset[int]:
    """The answers a criterion takes: the scale, and 0 ("does not apply") where
    the criterion allows it."""
    return frozenset(v for v in SCALE_VALUES if v or criterion.allows_not_applicable)


def answer_error(criterion: Criterion, value: object) -> str | None:
    """What is wrong with one answer given to a criterion, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return _("Give a whole number from 0 to 5.")
    if value not in SCALE_VALUES:
        return _(
            "%(value)s is not on the scale: choose 1 to 5, or 0 when the "
            "question does not apply."
        ) % {"value": value}
    if value not in criterion_answers(criterion):
        return _("This question has no “does not apply” answer: choose 1 to 5.")
    return None


def service_date_error(day: dt.date) -> str | None:
    """What is wrong with the date of the service, or None."""
    if day > timezone.localdate():
        return _("The date cannot be in the future.")
    if day < EARLIEST_SERVICE_DATE:
        return _("The date is too far in the past.")
    return None


def suggestion_error(text: str) -> str | None:
    """What is wrong with a suggestion (already stripped), or None."""
    limit = settings.SURVEY_SUGGESTION_MAX_LENGTH
    if CONTROL_CHARACTERS.search(text):
        return _("The suggestion contains control characters; remove them.")
    if len(text) > limit:
        return _("Keep the suggestion to %(limit)d characters (it has %(length)d).") % {
            "limit": limit,
            "length": len(text),
        }
    return None


class Kind(Enum):
    """How a field of the API's payload is written."""

    UID = "uid"  # a UUID as text
    SLUG = "slug"  # a code of letters, digits, - and _
    CODE = "code"  # a procedure code: printable text, empty or null for none
    CHOICE = "choice"  # one of `codes`
    DATE = "date"  # YYYY-MM-DD
    ANSWERS = "answers"  # an object of criterion code -> answer
    TEXT = "text"  # free text


@dataclass(frozen=True)
class ApiField:
    """One field of the API's payload: its kind, whether it must be there, and
    whether null stands for "left out"."""

    name: str
    kind: Kind
    required: bool = False
    null: bool = False
    codes: Mapping[str, int] = field(default_factory=dict)
    max_length: int | None = None
    # Text only: spaces around it are not part of it.
    trim: bool = True
    help_text: str = ""


API_FIELDS = (
    ApiField(
        "uid",
        Kind.UID,
        required=True,
        help_text="Chosen by the client, once per response; retrying with the "
        "same uid and content answers 200 with the stored response.",
    ),
    ApiField(
        "questionnaire",
        Kind.SLUG,
        required=True,
        help_text="Code; its current version.",
    ),
    ApiField("agency", Kind.SLUG, required=True, help_text="Agency code."),
    ApiField("procedure", Kind.CODE, null=True, max_length=PROCEDURE_CODE_LENGTH),
    ApiField("channel", Kind.CHOICE, required=True, codes=CHANNEL_CODES),
    ApiField(
        "responded_on",
        Kind.DATE,
        help_text="Date of the service; today when left out.",
    ),
    ApiField(
        "answers",
        Kind.ANSWERS,
        required=True,
        help_text="Criterion code -> 1..5, 0 (does not apply) or null (optional "
        "criterion left out).",
    ),
    *(
        ApiField(name, Kind.CHOICE, null=True, codes=codes)
        for name, codes in PROFILE_CODES.items()
    ),
    ApiField(
        "suggestion",
        Kind.TEXT,
        help_text="Free text. E-mail addresses, phone numbers, ID and dossier "
        "numbers are masked before it is stored.",
    ),
    ApiField(
        "started",
        Kind.TEXT,
        help_text="The `started` stamp of the questionnaire read for this "
        "response: single-use. A response without it, with a forged one or with "
        "one spent before, or sent sooner than a person can read the questions, "
        "is stored but flagged and not counted until an official restores it.",
    ),
    ApiField(
        "website",
        Kind.TEXT,
        trim=False,
        help_text="Leave out or empty (a response that fills it is flagged).",
    ),
)
