"""QR codes of survey links, to print at counters, on receipts and letters."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse

from surveys.models import Agency
from surveys.reference import DEFAULT_QUESTIONNAIRE


def agency_survey_url(agency: Agency, questionnaire_code: str = "") -> str:
    """The absolute survey link of an agency, as printed under its QR code: the
    platform's questionnaire, or another one by its code."""
    if questionnaire_code and questionnaire_code != DEFAULT_QUESTIONNAIRE:
        path = reverse(
            "surveys:survey-questionnaire", args=[agency.code, questionnaire_code]
        )
    else:
        path = reverse("surveys:survey", args=[agency.code])
    return settings.SITE_URL + path


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    # Level M survives a scuffed or partly covered print at a counter.
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(url: str, *, scale: int = 10, inline: bool = False) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        scale=scale,
        border=4,
        xmldecl=not inline,
        svgns=True,
        title=url,
        unit=None,
    )
    return buffer.getvalue().decode()
