"""Printable reports of a publication, for the nation ("VN") or one province: a
PDF (WeasyPrint, from an HTML template) and an editable DOCX (python-docx), in
Vietnamese or English.

The PDF embeds the fonts it uses (DejaVu Sans, installed with the system's fonts
by bin/services), so diacritics print the same everywhere. Reports are stored
(`Report`) when built, by the task that runs after publishing or on demand.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm

from results import maps, pages, pictures, selectors
from results.models import Publication, PublishedFigure, Report
from results.snapshot import NATION_CODE
from results.templatetags.results_tags import pct, rank, signed
from surveys.models import Province

STYLESHEET = Path(__file__).resolve().parent / "static" / "results" / "report.css"
CONTENT_TYPES = {
    Report.Format.PDF: "application/pdf",
    Report.Format.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
}


def report_codes(publication: Publication) -> list[str]:
    """The nation and every published province."""
    provinces = publication.figures.filter(level=PublishedFigure.Level.PROVINCE)
    return [NATION_CODE, *provinces.order_by("code").values_list("code", flat=True)]


def _context(publication: Publication, code: str) -> dict:
    figures = selectors.figures_of(publication=publication)
    provinces = [f for f in figures if f.level == PublishedFigure.Level.PROVINCE]
    names = {p.code: p.name for p in Province.objects.filter(map=publication.map)}
    context = {
        "provinces": provinces,
        "map": maps.map_svg(
            publication=publication,
            figures=provinces,
            names=names,
            links=False,
            highlight=code,
        ),
        "legend": maps.legend(),
    }
    if code == NATION_CODE:
        ranked = sorted(provinces, key=lambda f: f.rank_national or 0)
        context |= pages.year_context(publication, "rank")
        context |= {"national": True, "top": ranked[:5], "bottom": ranked[-5:]}
        return context
    figure = selectors.province_figure(publication=publication, code=code)
    context |= pages.province_context(publication, figure)
    if context["chart"]:
        context["chart"] = _printable(context["chart"])
    context["national"] = False
    return context


# The trend chart is styled by the site's stylesheet; WeasyPrint draws SVG from
# its attributes only, so the print gets them written on the shapes.
_CHART_PAINT = [
    ('<line class="grid"', '<line class="grid" stroke="#ddd"'),
    (
        '<polyline class="unit"',
        '<polyline class="unit" fill="none" stroke="#0b4f8a" stroke-width="2.5"',
    ),
    ('<circle class="unit"', '<circle class="unit" fill="#0b4f8a"'),
    ('<line class="unit"', '<line class="unit" stroke="#0b4f8a" stroke-width="2.5"'),
    ('<text class="axis"', '<text class="axis" font-size="12" fill="#333"'),
    ('<text class="legend"', '<text class="legend" font-size="12" fill="#333"'),
]


def _printable(chart: str) -> SafeString:
    for plain, painted in _CHART_PAINT:
        chart = chart.replace(plain, painted)
    return mark_safe(chart)  # the chart's own markup, with constant attributes


def pdf_bytes(*, publication: Publication, code: str, language: str) -> bytes:
    from weasyprint import CSS, HTML  # noqa: PLC0415 (loads Pango: only when asked)

    with translation.override(language):
        html = render_to_string("results/report.html", _context(publication, code))
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def _table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _docx_map(document, context: dict, *, highlight: str | None) -> None:
    document.add_heading(_("Map"), level=1)
    picture = pictures.map_png(
        publication=context["publication"],
        figures=context["provinces"],
        highlight=highlight,
    )
    document.add_picture(io.BytesIO(picture), width=Cm(11))
    legend = ", ".join(label for _css, label in context["legend"])
    document.add_paragraph(f"{legend}; {_('Below target (hatched)')}.")


def _docx_province(document, context: dict) -> None:
    publication, figure = context["publication"], context["figure"]
    places = context["decimals"]
    document.add_heading(_("Summary"), level=1)
    summary = [
        (_("Satisfaction index"), f"{pct(figure.value, places)}%"),
        (_("National rank"), rank(figure.rank_national, figure.rank_national_of)),
        (_("Rank in region"), rank(figure.rank_region, figure.rank_region_of)),
        (_("Gap to the national mean"), signed(figure.gap_to_mean, places)),
        (_("Change since the previous year"), signed(figure.change, places)),
        (_("Target"), f"{pct(publication.threshold, places)}%"),
        (_("Respondents"), str(figure.respondents)),
    ]
    _table(document, [_("Figure"), _("Value")], [list(row) for row in summary])
    _docx_map(document, context, highlight=figure.code)
    if len(context["trend"]) > 1:
        document.add_heading(_("Trend over the published years"), level=1)
        trend = pictures.trend_png(context["trend"], decimals=places)
        document.add_picture(io.BytesIO(trend), width=Cm(15))
        _table(
            document,
            [_("Year"), _("Index (%)")],
            [[str(year), pct(value, places)] for year, value in context["trend"]],
        )
    document.add_heading(_("Elements"), level=1)
    _table(
        document,
        [_("Element"), _("Index (%)")],
        [[e["name"], pct(e["value"], places)] for e in context["elements"]],
    )
    document.add_heading(_("Weakest criteria"), level=1)
    for criterion in context["weakest"]:
        document.add_paragraph(
            f"{criterion['text']}: {pct(criterion['rate'], places)}%",
            style="List Number",
        )
    document.add_heading(_("Criteria"), level=1)
    for element in context["elements"]:
        document.add_heading(element["name"], level=2)
        _table(
            document,
            [_("Criterion"), _("Rate (%)"), _("Answers")],
            [
                [c["text"], pct(c["rate"], places), str(c["answered"])]
                for c in element["criteria"]
            ],
        )


def _docx_nation(document, context: dict) -> None:
    publication, places = context["publication"], context["decimals"]
    document.add_heading(_("Summary"), level=1)
    document.add_paragraph(
        f"{_('National mean of the provinces')}: "
        f"{pct(publication.national_mean, places)}%. "
        f"{_('Provinces meeting the target')}: "
        f"{context['meeting']}/{context['ranked']}."
    )
    _docx_map(document, context, highlight=None)
    document.add_heading(_("Provinces"), level=1)
    _table(
        document,
        [_("Rank"), _("Province"), _("Index (%)"), _("Status")],
        [
            [
                rank(f.rank_national, f.rank_national_of),
                f.name,
                pct(f.value, places),
                f.get_status_display(),
            ]
            for f in context["rows"]
        ],
    )


def docx_bytes(*, publication: Publication, code: str, language: str) -> bytes:

    with translation.override(language):
        context = _context(publication, code)
        document = Document()
        document.add_heading(context["title"], level=0)
        document.add_paragraph(
            _("Version %(version)s, published %(date)s.")
            % {
                "version": publication.version,
                "date": publication.published_at.strftime("%d/%m/%Y"),
            }
        )
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if context["national"]:
            _docx_nation(document, context)
        else:
            _docx_province(document, context)
        document.add_heading(_("How the index is computed"), level=1)
        method = strip_tags(render_to_string("results/_method.html", context))
        # The heading is the first line of the block, already written above.
        for paragraph in [p.strip() for p in method.split("\n") if p.strip()][1:]:
            document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_build(
    *, publication: Publication, code: str, language: str, format: str
) -> Report:
    """Build one report and store it, replacing the same one built before."""
    build = pdf_bytes if format == Report.Format.PDF else docx_bytes
    content = build(publication=publication, code=code, language=language)
    report, _created = Report.objects.update_or_create(
        publication=publication,
        code=code,
        language=language,
        format=format,
        defaults={"content": content},
    )
    return report


def report_for(
    *, publication: Publication, code: str, language: str, format: str
) -> Report:
    """The stored report, built now when the task has not built it yet."""
    stored = Report.objects.filter(
        publication=publication, code=code, language=language, format=format
    ).first()
    if stored is not None:
        return stored
    return report_build(
        publication=publication, code=code, language=language, format=format
    )
