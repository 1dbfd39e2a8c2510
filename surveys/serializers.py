"""Shapes of the public survey API. The rules of a response live in the service;
these only read the payload and resolve codes to rows."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from surveys.forms import CHANNEL_CODES
from surveys.models import (
    AgeBand,
    Agency,
    Education,
    Gender,
    Occupation,
    Procedure,
    Questionnaire,
    RespondentType,
    Response,
)
from surveys.selectors import (
    agency_for_survey,
    procedure_by_code,
    questionnaire_current,
)


def _named_choices(choices) -> dict[str, int]:
    return {member.name.lower(): member.value for member in choices}


PROFILE_CODES = {
    "respondent_type": _named_choices(RespondentType),
    "gender": _named_choices(Gender),
    "age_band": _named_choices(AgeBand),
    "education": _named_choices(Education),
    "occupation": _named_choices(Occupation),
}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "integer",
            "minimum": 0,
            "maximum": 5,
            "nullable": True,
        },
        "example": {"ACCESS_1": 5, "ACCESS_2": 0, "ACCESS_3": 4},
    }
)
class AnswersField(serializers.Field):
    """{"ACCESS_1": 5, ...}: values are checked against the questionnaire by the
    service; here only that it is an object with text keys."""

    default_error_messages = {
        "not_a_dict": _("Expected an object mapping criterion codes to answers.")
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict")
        return dict(data)

    def to_representation(self, value):
        return value


class StrictUUIDField(serializers.UUIDField):
    """DRF's takes an integer for a uid (12 becomes 00000000-...-00000000000c): a
    client sending a number has a bug, and two such clients would collide."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """DRF's takes a number for text (`"suggestion": 5` was stored as "5"): a
    client sending a number where text belongs has a bug, and is told so."""

    default_error_messages = {"not_a_string": _("Expected text.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class ScaleItemSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="0 means 'does not apply'.")
    label = serializers.CharField()


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    position = serializers.IntegerField()
    text = serializers.CharField()
    required = serializers.BooleanField()
    not_applicable = serializers.BooleanField(
        help_text="Whether 0 ('does not apply') is an accepted answer."
    )


class ElementSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    criteria = CriterionSerializer(many=True)


class QuestionnaireSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    language = serializers.CharField()
    title = serializers.CharField()
    scale = ScaleItemSerializer(many=True)
    elements = ElementSerializer(many=True)
    optional_questions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Codes accepted for each optional question of the respondent.",
    )
    started = serializers.CharField(
        help_text="A signed, single-use stamp of this reading: send it back as the "
        "response's `started`. Read the questionnaire again for each response."
    )


class ResponseInSerializer(serializers.Serializer):
    uid = StrictUUIDField(
        help_text="Chosen by the client, once per response; retrying with the same "
        "uid and content answers 200 with the stored response."
    )
    questionnaire = serializers.SlugField(help_text="Code; its current version.")
    agency = serializers.SlugField(help_text="Agency code.")
    procedure = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=32
    )
    channel = serializers.ChoiceField(choices=list(CHANNEL_CODES))
    responded_on = serializers.DateField(
        required=False, help_text="Date of the service; today when left out."
    )
    answers = AnswersField(
        help_text="Criterion code -> 1..5, 0 (does not apply) or null (optional "
        "criterion left out)."
    )
    respondent_type = serializers.ChoiceField(
        choices=list(PROFILE_CODES["respondent_type"]), required=False, allow_null=True
    )
    gender = serializers.ChoiceField(
        choices=list(PROFILE_CODES["gender"]), required=False, allow_null=True
    )
    age_band = serializers.ChoiceField(
        choices=list(PROFILE_CODES["age_band"]), required=False, allow_null=True
    )
    education = serializers.ChoiceField(
        choices=list(PROFILE_CODES["education"]), required=False, allow_null=True
    )
    occupation = serializers.ChoiceField(
        choices=list(PROFILE_CODES["occupation"]), required=False, allow_null=True
    )
    suggestion = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text="Free text. E-mail addresses, phone numbers, ID and dossier "
        "numbers are masked before it is stored.",
    )
    started = StrictCharField(
        required=False,
        allow_blank=True,
        help_text="The `started` stamp of the questionnaire read for this response: "
        "single-use. A response without it, with a forged one or with one spent "
        "before, or sent sooner than a person can read the questions, is stored "
        "but flagged and not counted until an official restores it.",
    )
    website = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Leave out or empty (a response that fills it is flagged).",
    )

    def validate_questionnaire(self, code: str) -> Questionnaire:
        questionnaire = questionnaire_current(code)
        if questionnaire is None:
            raise serializers.ValidationError(_("Unknown questionnaire."))
        return questionnaire

    def validate_agency(self, code: str) -> Agency:
        agency = agency_for_survey(code)
        if agency is None:
            raise serializers.ValidationError(_("Unknown agency."))
        return agency

    def validate_procedure(self, code: str | None) -> Procedure | None:
        if not code:
            return None
        procedure = procedure_by_code(code)
        if procedure is None:
            raise serializers.ValidationError(_("Unknown procedure."))
        return procedure

    def validate(self, attrs: dict) -> dict:
        attrs["channel"] = CHANNEL_CODES[attrs["channel"]]
        for name, codes in PROFILE_CODES.items():
            value = attrs.get(name)
            attrs[name] = codes[value] if value else None
        return attrs


# What the fast reader takes as it comes: a slug (nothing for DRF to strip or
# refuse), a procedure code of printable ASCII within its 32 characters, an ISO
# date. Anything else goes to the serializer.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_PROCEDURE = re.compile(r"[!-~]{1,32}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def response_in_read(data: object) -> dict | None:
    """The validated data ResponseInSerializer gives for `data`, read in one pass
    without DRF's field objects (copied and bound for every request, they were
    half the CPU of a submission); None when `data` is anything but a plainly
    valid submission. The caller then runs the serializer, whose error messages
    are the API's: this reader refuses nothing itself, it only accepts, and only
    what the serializer accepts (tests/surveys/test_api_reader.py)."""
    if type(data) is not dict:
        return None
    get = data.get
    uid, answers, channel = get("uid"), get("answers"), get("channel")
    if type(uid) is not str or type(answers) is not dict or type(channel) is not str:
        return None
    if channel not in CHANNEL_CODES:
        return None
    try:
        uid = uuid.UUID(hex=uid)
    except ValueError:
        return None
    read = {
        "uid": uid,
        "channel": CHANNEL_CODES[channel],
        "answers": dict(answers),
    }
    for name, codes in PROFILE_CODES.items():
        value = get(name)
        if value is None:
            read[name] = None
        elif type(value) is str and value in codes:
            read[name] = codes[value]
        else:
            return None
    if "suggestion" in data:
        suggestion = data["suggestion"]
        if (
            type(suggestion) is not str
            or "\x00" in suggestion
            or (not suggestion.isascii() and _SURROGATE.search(suggestion))
        ):
            return None
        read["suggestion"] = suggestion.strip()
    for name in ("started", "website"):
        if name in data:
            value = data[name]
            if type(value) is not str or "\x00" in value or _SURROGATE.search(value):
                return None
            read[name] = value.strip() if name == "started" else value
    if "responded_on" in data:
        day = data["responded_on"]
        if type(day) is not str or not _ISO_DATE.fullmatch(day):
            return None
        try:
            read["responded_on"] = dt.date.fromisoformat(day)
        except ValueError:
            return None
    procedure = get("procedure")
    if procedure is None or procedure == "":
        procedure = None
    elif type(procedure) is str and _PROCEDURE.fullmatch(procedure):
        procedure = procedure_by_code(procedure)
        if procedure is None:
            return None
    else:
        return None
    if "procedure" in data:
        read["procedure"] = procedure
    questionnaire, agency = get("questionnaire"), get("agency")
    if type(questionnaire) is not str or not _SLUG.fullmatch(questionnaire):
        return None
    if type(agency) is not str or not _SLUG.fullmatch(agency):
        return None
    read["questionnaire"] = questionnaire_current(questionnaire)
    read["agency"] = agency_for_survey(agency)
    if read["questionnaire"] is None or read["agency"] is None:
        return None
    return read


class ResponseOutSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    questionnaire = serializers.CharField(source="questionnaire.code")
    version = serializers.IntegerField(source="questionnaire.version")
    agency = serializers.CharField(source="agency.code")
    received_at = serializers.DateTimeField()
    responded_on = serializers.DateField()


def response_out(response: Response) -> dict:
    """ResponseOutSerializer(response).data, without building its field objects
    on every submission (tests/surveys/test_api_reader.py compares the two)."""
    received_at = response.received_at.astimezone(timezone.get_current_timezone())
    received = received_at.isoformat()
    if received.endswith("+00:00"):
        received = received[:-6] + "Z"
    return {
        "uid": str(response.uid),
        "questionnaire": response.questionnaire.code,
        "version": response.questionnaire.version,
        "agency": response.agency.code,
        "received_at": received,
        "responded_on": response.responded_on.isoformat(),
    }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_MESSAGES = {"type": "array", "items": {"type": "string"}}


@extend_schema_field(
    {
        "oneOf": [
            _MESSAGES,
            {"type": "object", "additionalProperties": _MESSAGES},
        ]
    }
)
class AnswersErrorsField(serializers.JSONField):
    """Messages about the answers as a whole (missing, not an object), or per
    criterion code."""


class FieldErrorsSerializer(serializers.Serializer):
    """Each bad field with its messages; `answers` maps criterion codes to
    messages, or holds messages about the answers as a whole."""

    answers = AnswersErrorsField(required=False)
    questionnaire = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='e.g. ["Unknown questionnaire."] for a code that is not current.',
    )
    agency = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='e.g. ["Unknown agency."] for a code of no agency surveyed.',
    )
    suggestion = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='e.g. ["Expected text."] for a suggestion that is not a string.',
    )
