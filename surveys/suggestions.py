"""What a suggestion may keep: no way back to the person who wrote it.

Citizens type their contact details into the free text ("gọi tôi 0912 345 678"),
their ID-card number or the number of their dossier: stored verbatim, any of these
links an anonymous response to a person. They are masked at intake, on the page,
the API and the paper import alike, before anything is stored; characters that
make a text read otherwise than it is stored (bidi overrides, zero-width
characters) are removed. Migration 0005 applied the same to the rows stored
before.
"""

from __future__ import annotations

import re

from django.conf import settings

EMAIL_MASK = "[email đã ẩn]"
PHONE_MASK = "[số điện thoại đã ẩn]"
ID_MASK = "[số giấy tờ đã ẩn]"
DOSSIER_MASK = "[số hồ sơ đã ẩn]"

# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the
# implicit marks (U+200E, U+200F, U+061C), zero-width characters (U+200B-U+200D,
# U+2060-U+2064) and the byte order mark: invisible, and able to make a
# suggestion show otherwise than it reads.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

EMAIL = re.compile(
    r"[\w.+%-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\s?(?:\.|\(dot\)|\[dot\])\s?[\w-]+)+",
    re.IGNORECASE,
)

# A dossier number of the one-stop systems: 000.00.14.H47-240304-0001, and
# shorter forms such as H47.22-240304-0001: groups of letters and digits joined
# by dots, dashes or slashes, with at least one letter and six digits.
DOSSIER = re.compile(
    r"(?<![\w])(?=[\w.\-/]*[A-Za-z])(?=(?:[^\d\s]*\d){6})"
    r"[A-Za-z0-9]+(?:[.\-/][A-Za-z0-9]+){2,}(?![\w])"
)
# "mã hồ sơ", "số hồ sơ", "hồ sơ số", "biên nhận số": the token after it.
DOSSIER_NAMED = re.compile(
    r"((?:mã|số)\s+(?:hồ\s+sơ|biên\s+nhận)|(?:hồ\s+sơ|biên\s+nhận)\s+(?:số|mã))"
    r"(\s*(?:là|:|#)?\s*)(?=[A-Za-z0-9.\-/]*\d)([A-Za-z0-9][A-Za-z0-9.\-/]{3,})",
    re.IGNORECASE,
)

# Digits with the spaces, dots, dashes and brackets people put inside numbers.
NUMBER = re.compile(r"(?<![\w+])\(?\+?\d[\d\s.\-()]{6,}\d(?![\w])")
# An amount of money is not an identifier: 100.000.000 đồng stays.
MONEY_AFTER = re.compile(
    r"\s?(?:đ\b|đồng|vnđ|vnd|k\b|nghìn|ngàn|triệu|tỷ|tỉ|%)", re.IGNORECASE
)


def _number_mask(digits: str) -> str | None:
    """The mask for a run of digits, or None to keep it."""
    if digits.startswith("84") and len(digits) in (11, 12):
        return PHONE_MASK
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE_MASK
    if len(digits) in (9, 12):
        return ID_MASK
    if len(digits) >= 9:
        return ID_MASK
    return None


def _numbers_masked(text: str) -> str:
    parts: list[str] = []
    position = 0
    for match in NUMBER.finditer(text):
        raw = match.group()
        # Brackets and separators at the edges are the sentence's, not the number's.
        stripped = raw.rstrip(" .-")
        digits = re.sub(r"\D", "", stripped)
        mask = _number_mask(digits)
        if mask is None or MONEY_AFTER.match(text, match.start() + len(stripped)):
            continue
        parts.append(text[position : match.start()])
        parts.append(mask)
        position = match.start() + len(stripped)
    parts.append(text[position:])
    return "".join(parts)


def suggestion_clean(text: str) -> str:
    """The suggestion as it may be stored: invisible characters removed, e-mail
    addresses, phone numbers, 9- and 12-digit ID numbers and dossier numbers
    replaced by a bracketed note of what was there."""
    if not text:
        return text
    text = INVISIBLE.sub("", text)
    text = EMAIL.sub(EMAIL_MASK, text)
    text = DOSSIER_NAMED.sub(lambda m: m.group(1) + m.group(2) + DOSSIER_MASK, text)
    text = DOSSIER.sub(DOSSIER_MASK, text)
    return _numbers_masked(text)


def suggestion_stored(text: str) -> str:
    """The cleaned suggestion, cut to the length a suggestion may have (a mask
    can be longer than what it hides)."""
    return suggestion_clean(text)[: settings.SURVEY_SUGGESTION_MAX_LENGTH]
