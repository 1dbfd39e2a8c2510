"""Building submissions the way clients send them."""

from __future__ import annotations

import csv
import io
import secrets
import time
import uuid

from django.core import signing

from surveys.intake import STARTED_SALT
from surveys.models import Questionnaire


def stamp(age: float = 60) -> str:
    """A start stamp as the page or the questionnaire API hands out, `age`
    seconds ago: long enough for a person to answer by default."""
    return signing.dumps(
        {"t": time.time() - age, "n": secrets.token_urlsafe(12)}, salt=STARTED_SALT
    )


def all_answers(questionnaire: Questionnaire, value: int = 4) -> dict[str, int]:
    return {c.code: value for c in questionnaire.criteria.order_by("position")}


def api_payload(questionnaire: Questionnaire, agency, **overrides) -> dict:
    payload = {
        "uid": str(uuid.uuid4()),
        "questionnaire": questionnaire.code,
        "agency": agency.code,
        "procedure": "HT-KS",
        "channel": "in_person",
        "answers": all_answers(questionnaire),
        "respondent_type": "citizen",
        "gender": "female",
        "age_band": "from_35_to_49",
        "suggestion": "Thêm chỗ ngồi chờ.",
        "started": stamp(),
    }
    payload.update(overrides)
    return payload


def as_csv(columns, rows) -> str:
    """Rows (dicts) as the text of a CSV file with a header of `columns`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
