"""Building submissions the way clients send them."""

from __future__ import annotations

import csv
import io
import uuid

from surveys.models import Questionnaire


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
