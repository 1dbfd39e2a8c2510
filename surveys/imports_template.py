"""The paper-import template a clerk downloads: the columns in order with one
example row, as CSV or as a workbook whose second sheet explains every column
and its codes. Built from the questionnaire and the choices the import checks,
so that the template cannot drift from what the import accepts."""

from __future__ import annotations

import csv
import io
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.imports import CHANNELS, csv_columns, csv_required_columns
from surveys.models import Questionnaire
from surveys.response_rules import PROFILE_CHOICES
from surveys.selectors import scale_labels
from surveys.services.responses import questionnaire_criteria


def template_example(questionnaire: Questionnaire, agency_code: str) -> list[str]:
    """One example row: every criterion "very satisfied", no profile given."""
    example = {
        "uid": str(uuid.uuid4()),
        "agency": agency_code,
        "procedure": "",
        "channel": "in_person",
        "responded_on": timezone.localdate().isoformat(),
    }
    for criterion in questionnaire_criteria(questionnaire):
        example[criterion.code] = "5"
    return [example.get(column, "") for column in csv_columns(questionnaire)]


def template_codes(questionnaire: Questionnaire, language: str) -> list[list[str]]:
    """Rows (column, required, meaning, codes) explaining every column."""
    required = set(csv_required_columns(questionnaire))
    yes, no = _("required"), _("may be left out")
    scale = "; ".join(
        f"{item['value']} = {item['label']}"
        for item in scale_labels(questionnaire, language)
    )
    rows = [
        ["uid", yes, _("A new identifier for each paper form (UUID)."), ""],
        ["agency", yes, _("The agency's code, as on its survey link."), ""],
        ["procedure", no, _("The procedure's national code."), ""],
        ["channel", yes, _("How the form was received."), ", ".join(CHANNELS)],
        ["responded_on", yes, _("The date written on the form."), "YYYY-MM-DD"],
    ]
    english = (language or "vi").startswith("en")
    not_answered = _("empty = not answered")
    optional_scale = f"{scale}; {not_answered}"
    for criterion in questionnaire_criteria(questionnaire):
        text = (english and criterion.text_en) or criterion.text_vi
        rows.append(
            [
                criterion.code,
                yes if criterion.code in required else no,
                text,
                scale if criterion.required else optional_scale,
            ]
        )
    for name, choices in PROFILE_CHOICES.items():
        if not questionnaire.asks_about_respondent:
            break
        codes = "; ".join(f"{value} = {label}" for value, label in choices.choices)
        rows.append([name, no, _("The respondent's profile, when given."), codes])
    rows.append(["suggestion", no, _("The respondent's suggestion, as written."), ""])
    return rows


def template_csv(questionnaire: Questionnaire, agency_code: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_columns(questionnaire))
    writer.writerow(template_example(questionnaire, agency_code))
    return "\ufeff" + buffer.getvalue()


def template_xlsx(
    questionnaire: Questionnaire, agency_code: str, language: str
) -> bytes:
    """A workbook: the responses sheet (header frozen, one example row) and the
    codes sheet. The import itself reads CSV: the clerk saves the first sheet
    as CSV (UTF-8)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("responses")[:31]
    sheet.append(csv_columns(questionnaire))
    sheet.append(template_example(questionnaire, agency_code))
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(cell.value) + 2)
    sheet.column_dimensions["A"].width = 38
    codes = workbook.create_sheet(_("codes")[:31])
    codes.append([_("column"), _("required"), _("meaning"), _("codes")])
    for row in template_codes(questionnaire, language):
        codes.append(row)
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (18, 16, 60, 80), strict=True):
        codes.column_dimensions[letter].width = width
    for row in codes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    codes.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
