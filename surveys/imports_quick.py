"""The quick check of a paper-survey row: set and dict look-ups on the cells as
written, for the rows a keyed-in file is almost all made of.

It only ever accepts: a row it is not sure of (any error, a cell with spaces
around it, a code written `04`, an uppercase date, ...) goes to the full check
(`surveys.imports._check_row`), which alone writes messages. What it accepts
is exactly what the full check would store, as the same spool line
(tests/surveys/test_imports_quick.py holds the two to that). Its rules are the
full check's, from `surveys.response_rules`: only the way of reading differs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter

from surveys.imports_load import NULL, ROW_FIELDS, copy_text
from surveys.models import Agency, Questionnaire
from surveys.response_rules import (
    CHANNEL_VALUES,
    NOT_ANSWERED,
    PROFILE_VALUES,
    SCALE_VALUES,
    criterion_answers,
    service_date_error,
    suggestion_error,
)
from surveys.services.responses import questionnaire_criteria
from surveys.suggestions import suggestion_stored

# Either case, as uuid.UUID reads them; the spool line has the lowercase of str(UUID).
_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_ANSWERS = {"": NOT_ANSWERED, **{str(v): str(v) for v in SCALE_VALUES}}

# (uid as 16 bytes, spool line), or None: the full check decides.
QuickRow = tuple[bytes, str] | None


def row_quick_check(
    *,
    header: Sequence[str],
    questionnaire: Questionnaire,
    agencies: Mapping[str, Agency],
    procedures: Mapping[str, int],
    channels: Mapping[str, int],
) -> Callable[[int, list[str]], QuickRow]:
    """The quick check for rows under `header` (the file's stripped column
    names, all of the questionnaire's columns), naming the agencies, procedures
    and channels the full check is given."""
    at = {name: index for index, name in enumerate(header)}
    width = len(header)
    uid_at, agency_at, procedure_at = at["uid"], at["agency"], at["procedure"]
    channel_at, date_at, suggestion_at = (
        at["channel"],
        at["responded_on"],
        at["suggestion"],
    )
    criteria = sorted(questionnaire_criteria(questionnaire), key=lambda c: c.position)
    answer_at = [at[criterion.code] for criterion in criteria]
    answer_cells = (
        itemgetter(*answer_at)
        if len(answer_at) > 1
        else lambda cells: (cells[answer_at[0]],)
    )
    required_at = [i for i, criterion in enumerate(criteria) if criterion.required]
    # Answers on the scale that some criteria do not take ("does not apply"
    # where it is not allowed), each with the places of those criteria.
    refused = []
    for value in SCALE_VALUES:
        places = [
            i for i, c in enumerate(criteria) if value not in criterion_answers(c)
        ]
        if places:
            refused.append((str(value), places))
    questionnaire_id = str(questionnaire.id)
    agency_ids = {code: str(a.id) for code, a in agencies.items() if a.active}
    procedure_ids = {"": NULL, **{code: str(id_) for code, id_ in procedures.items()}}
    channel_codes = {
        name: str(value) for name, value in channels.items() if value in CHANNEL_VALUES
    }
    # Profile cells in spool order, each with its codes as written.
    profile = [
        (
            at[name],
            {
                "": NULL,
                **{str(v): str(v) for v in PROFILE_VALUES[name]},
            },
        )
        for name in ROW_FIELDS
        if name in PROFILE_VALUES
    ]
    # Dates found good, each checked once: a date good once stays good (today
    # only moves on).
    dates_ok: set[str] = set()

    def date_ok(text: str) -> bool:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return False
        # Only the plain spelling: PostgreSQL reads it as Python does.
        if day.isoformat() != text or service_date_error(day) is not None:
            return False
        dates_ok.add(text)
        return True

    def check(number: int, cells: list[str]) -> QuickRow:
        if len(cells) != width:
            return None
        uid = cells[uid_at]
        agency = agency_ids.get(cells[agency_at])
        procedure = procedure_ids.get(cells[procedure_at])
        channel = channel_codes.get(cells[channel_at])
        date = cells[date_at]
        if (
            agency is None
            or procedure is None
            or channel is None
            or _UID.fullmatch(uid) is None
            or (date not in dates_ok and not date_ok(date))
        ):
            return None
        try:
            answers = "".join(map(_ANSWERS.__getitem__, answer_cells(cells)))
        except KeyError:
            return None
        if NOT_ANSWERED in answers and any(
            answers[i] == NOT_ANSWERED for i in required_at
        ):
            return None
        for value, places in refused:
            if value in answers and any(answers[i] == value for i in places):
                return None
        codes = []
        for index, allowed in profile:
            code = allowed.get(cells[index])
            if code is None:
                return None
            codes.append(code)
        suggestion = cells[suggestion_at].strip()
        if suggestion:
            if suggestion_error(suggestion) is not None:
                return None
            suggestion = copy_text(suggestion_stored(suggestion))
        line = "\t".join(
            (
                str(number),
                uid.lower(),
                questionnaire_id,
                agency,
                procedure,
                channel,
                date,
                answers,
                *codes,
                suggestion,
            )
        )
        return bytes.fromhex(uid.replace("-", "")), line + "\n"

    return check
