"""Shapes of the public survey API. The payload's fields are declared in
`surveys.response_rules` and the rules of a response live in the service; these
only read the payload and resolve codes to rows."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from surveys.models import Agency, Procedure, Questionnaire
from surveys.response_rules import API_FIELDS, ApiField, Kind
from surveys.selectors import (
    agency_for_survey,
    procedure_by_code,
    questionnaire_current,
)


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


def _serializer_field(spec: ApiField) -> serializers.Field:
    """The DRF field of a declared payload field."""
    common = {"required": spec.required, "help_text": spec.help_text or None}
    if spec.kind is Kind.UID:
        return StrictUUIDField(**common)
    if spec.kind is Kind.SLUG:
        return serializers.SlugField(**common)
    if spec.kind is Kind.CODE:
        return serializers.CharField(
            allow_null=spec.null, allow_blank=True, max_length=spec.max_length, **common
        )
    if spec.kind is Kind.CHOICE:
        return serializers.ChoiceField(
            choices=list(spec.codes), allow_null=spec.null, **common
        )
    if spec.kind is Kind.DATE:
        return serializers.DateField(**common)
    if spec.kind is Kind.ANSWERS:
        return AnswersField(**common)
    return StrictCharField(allow_blank=True, trim_whitespace=spec.trim, **common)


# The rows a payload's codes name, each found the same way by the serializer and
# by the fast reader.
_LOOKUPS = {
    "questionnaire": (questionnaire_current, _("Unknown questionnaire.")),
    "agency": (agency_for_survey, _("Unknown agency.")),
    "procedure": (procedure_by_code, _("Unknown procedure.")),
}


def _looked_up(name: str, code: str | None) -> object | None:
    """The row `code` names, None for no code; ValidationError for an unknown
    one."""
    if not code:
        return None
    lookup, message = _LOOKUPS[name]
    row = lookup(code)
    if row is None:
        raise serializers.ValidationError(message)
    return row


class ResponseInSerializer(serializers.Serializer):
    """The payload of a submission, its fields as `surveys.response_rules`
    declares them."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {spec.name: _serializer_field(spec) for spec in API_FIELDS}

    def validate_questionnaire(self, code: str) -> Questionnaire:
        return _looked_up("questionnaire", code)

    def validate_agency(self, code: str) -> Agency:
        return _looked_up("agency", code)

    def validate_procedure(self, code: str | None) -> Procedure | None:
        return _looked_up("procedure", code)

    def validate(self, attrs: dict) -> dict:
        for spec in _CHOICES:
            value = attrs.get(spec.name)
            attrs[spec.name] = spec.codes[value] if value else None
        return attrs


_CHOICES = [spec for spec in API_FIELDS if spec.kind is Kind.CHOICE]

# What the fast reader takes as it comes: a slug (nothing for DRF to strip or
# refuse), a code of printable ASCII within its length, an ISO date. Anything
# else goes to the serializer.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_PRINTABLE = re.compile(r"[!-~]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _NotPlain(Exception):
    """The value is not one the fast reader is sure the serializer reads as is."""


def _read_value(spec: ApiField, value: object) -> object:
    """A present value of a declared field as the serializer's field gives it,
    or _NotPlain."""
    kind = spec.kind
    if value is None:
        if spec.null:
            return None
        raise _NotPlain
    if kind is Kind.ANSWERS:
        if type(value) is not dict:
            raise _NotPlain
        return dict(value)
    if type(value) is not str:
        raise _NotPlain
    if kind is Kind.UID:
        try:
            return uuid.UUID(hex=value)
        except ValueError:
            raise _NotPlain from None
    if kind is Kind.SLUG:
        if not _SLUG.fullmatch(value):
            raise _NotPlain
        return value
    if kind is Kind.CODE:
        if value and (len(value) > spec.max_length or not _PRINTABLE.fullmatch(value)):
            raise _NotPlain
        return value
    if kind is Kind.CHOICE:
        if value not in spec.codes:
            raise _NotPlain
        return value
    if kind is Kind.DATE:
        if not _ISO_DATE.fullmatch(value):
            raise _NotPlain
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _NotPlain from None
    if "\x00" in value or (not value.isascii() and _SURROGATE.search(value)):
        raise _NotPlain
    return value.strip() if spec.trim else value


def response_in_read(data: object) -> dict | None:
    """The validated data ResponseInSerializer gives for `data`, read in one pass
    over the same declared fields without DRF's field objects (copied and bound
    for every request, they were half the CPU of a submission); None when `data`
    is anything but a plainly valid submission. The caller then runs the
    serializer, whose error messages are the API's: this reader refuses nothing
    itself, it only accepts, and only what the serializer accepts
    (tests/surveys/test_api_reader.py)."""
    if type(data) is not dict:
        return None
    read = {}
    try:
        for spec in API_FIELDS:
            if spec.name in data:
                read[spec.name] = _read_value(spec, data[spec.name])
            elif spec.required:
                return None
    except _NotPlain:
        return None
    for name, (lookup, _message) in _LOOKUPS.items():
        if name in read:
            code = read[name]
            read[name] = lookup(code) if code else None
            if code and read[name] is None:
                return None
    for spec in _CHOICES:
        value = read.get(spec.name)
        read[spec.name] = spec.codes[value] if value else None
    return read


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
