"""Shapes of the public survey API. The rules of a response live in the service;
these only read the payload and resolve codes to rows."""

from __future__ import annotations

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


class ScaleItemSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="0 means 'does not apply'.")
    label = serializers.CharField()


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    position = serializers.IntegerField()
    text = serializers.CharField()
    required = serializers.BooleanField()


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
    suggestion = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=True
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


class ResponseOutSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    questionnaire = serializers.CharField(source="questionnaire.code")
    version = serializers.IntegerField(source="questionnaire.version")
    agency = serializers.CharField(source="agency.code")
    received_at = serializers.DateTimeField()
    responded_on = serializers.DateField()


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
