"""The submission API reads a plainly valid payload without DRF's serializer
(`response_in_read`), from the same declared fields. It must be
indistinguishable from the serializer it stands in for: the reader accepts only
what ResponseInSerializer accepts, with the same validated data, and an invalid
payload gets the serializer's own error body."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from surveys import apis
from surveys.models import Response
from surveys.serializers import (
    ResponseInSerializer,
    ResponseOutSerializer,
    response_in_read,
)
from tests.surveys.test_hostile_api import CORPUS

URL = "/api/v1/responses/"


pytestmark = pytest.mark.usefixtures("roomy_rate_limit")


def serializer_read(data: object) -> dict | None:
    serializer = ResponseInSerializer(data=data)
    return dict(serializer.validated_data) if serializer.is_valid() else None


def variants(payload: dict) -> list[dict]:
    """Valid payloads in the shapes clients send: optional fields left out, null
    or blank, text with spaces around it, uids spelt in other ways."""
    bare = {
        k: payload[k] for k in ("uid", "questionnaire", "agency", "channel", "answers")
    }
    uid = payload["uid"]
    return [
        payload,
        bare,
        {**bare, "procedure": None, "gender": None, "occupation": None},
        {**bare, "procedure": ""},
        {**payload, "suggestion": "  Thêm chỗ ngồi chờ.\n"},
        {**payload, "suggestion": ""},
        {**payload, "suggestion": "   "},
        {**payload, "responded_on": str(timezone.localdate() - dt.timedelta(days=3))},
        {**payload, "channel": "online", "education": "university"},
        {**payload, "website": "", "extra": [1, 2]},
        {**payload, "uid": uid.upper()},
        {**payload, "uid": uid.replace("-", "")},
        {**payload, "uid": "{" + uid + "}"},
    ]


def test_the_reader_gives_the_serializers_validated_data(valid):
    for payload in variants(valid):
        expected = serializer_read(payload)
        assert expected is not None, payload
        assert response_in_read(payload) == expected, payload


def hostile(valid: dict) -> list[object]:
    """Every payload of the hostile corpus that is JSON at all, and more that the
    serializer refuses or reads differently from the raw value."""
    payloads: list[object] = []
    for _name, body, _status, _mentions in CORPUS:
        try:
            payloads.append(json.loads(body(valid)))
        except (ValueError, RecursionError):
            continue
    uid = valid["uid"]
    payloads += [
        {**valid, **change}
        for change in (
            {"uid": None},
            {"uid": ""},
            {"uid": " " + uid},
            {"uid": uid[:-1] + "g"},
            {"questionnaire": " sipas-service "},
            {"questionnaire": 12},
            {"questionnaire": "sipas service"},
            {"questionnaire": "nowhere"},
            {"agency": " " + valid["agency"]},
            {"agency": "nowhere"},
            {"agency": None},
            {"procedure": " HT-KS "},
            {"procedure": 12},
            {"procedure": "XX-NONE"},
            {"procedure": "x" * 33},
            {"procedure": "   "},
            {"channel": ""},
            {"channel": None},
            {"channel": "fax"},
            {"gender": ""},
            {"gender": 1},
            {"gender": "Female"},
            {"responded_on": None},
            {"responded_on": ""},
            {"responded_on": "2025-02-30"},
            {"responded_on": "20250101"},
            {"responded_on": "2025-01-01T10:00"},
            {"responded_on": "２０２５-０１-０１"},
            {"suggestion": None},
            {"suggestion": 12},
            {"suggestion": "a\x00b"},
            {"suggestion": "a\ud800b"},
            {"answers": None},
            {"answers": {}},
        )
    ]
    return payloads


def test_the_reader_accepts_nothing_the_serializer_refuses_or_reads_otherwise(
    valid,
):
    for payload in hostile(valid):
        read = response_in_read(payload)
        if read is not None:
            assert read == serializer_read(payload), payload


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize(
    ("body", "status"),
    [pytest.param(case[1], case[2], id=case[0]) for case in CORPUS],
)
def test_a_bad_payload_gets_the_serializers_answer_word_for_word(
    client, valid, monkeypatch, body, status, language
):
    def post():
        return client.post(
            URL, body(valid), content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        )  # fmt: skip

    with_reader = post()
    monkeypatch.setattr(apis, "response_in_read", lambda data: None)
    without_reader = post()
    assert with_reader.status_code == without_reader.status_code == status
    assert with_reader.content == without_reader.content
    assert not Response.objects.exists()


def test_a_stored_response_answers_as_the_serializer_would(client, valid):
    created = client.post(URL, valid, content_type="application/json")
    again = client.post(URL, valid, content_type="application/json")
    assert (created.status_code, again.status_code) == (201, 200)
    stored = Response.objects.get(uid=valid["uid"])
    assert created.json() == again.json() == ResponseOutSerializer(stored).data
