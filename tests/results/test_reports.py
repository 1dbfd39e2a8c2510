"""Printable reports: the PDF read back as text (figures and diacritics) and drawn
to PNG, the DOCX opened again, built by the task and downloaded from the pages."""

from __future__ import annotations

import io
import subprocess
import time

import pytest
from django.test import Client

from results.models import Report
from results.reports import docx_bytes, pdf_bytes
from results.tasks import reports_build
from tests.browser import ARTIFACTS


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    run = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout


def _pdf_png(content: bytes, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)],
        check=True,
    )


def test_a_province_pdf_has_its_figures_and_vietnamese_text(published, tmp_path):
    started = time.perf_counter()
    content = pdf_bytes(publication=published, code="14", language="vi")
    elapsed = time.perf_counter() - started
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    for expected in [
        "Sơn La",
        "Chỉ số hài lòng năm 2022",
        "82,18%",
        "17/63",
        "5/14",
        "+2,10",
        "Tiếp cận dịch vụ",
        "Các tiêu chí có tỷ lệ hài lòng thấp nhất",
        "Cách tính chỉ số",
    ]:
        assert expected in text, expected
    _pdf_png(content, "report-14-vi")
    assert elapsed < 5, f"{elapsed:.1f} s"


def test_the_national_pdf_in_english_lists_the_provinces(published, tmp_path):
    content = pdf_bytes(publication=published, code="VN", language="en")
    text = _pdf_text(content, tmp_path)
    assert "Satisfaction index 2022" in text
    assert "80.08%" in text
    assert "Quảng Ninh" in text or "Quang Ninh" in text
    _pdf_png(content, "report-VN-en")


def test_the_docx_is_editable_and_has_the_figures(published):
    from docx import Document

    content = docx_bytes(publication=published, code="14", language="vi")
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [row for table in document.tables for row in table.rows]
    cells = "\n".join(cell.text for row in rows for cell in row.cells)
    assert "Sơn La" in text
    assert "82,18%" in cells and "17/63" in cells
    pictures = [
        part for part in document.part.package.parts if part.partname.endswith(".png")
    ]
    assert len(pictures) == 2  # the map and the trend
    for number, picture in enumerate(pictures):
        (ARTIFACTS / f"report-14-vi-docx-{number}.png").write_bytes(picture.blob)
    assert "Cách tính chỉ số" in text


def test_the_task_builds_every_report_of_a_publication(published, settings):
    reports_build.run(published.id, ["VN", "14"])
    built = set(Report.objects.values_list("code", "language", "format"))
    assert built == {
        (code, language, fmt)
        for code in ["VN", "14"]
        for language in ["vi", "en"]
        for fmt in ["pdf", "docx"]
    }
    reports_build.run(published.id, ["14"])
    assert Report.objects.count() == 8


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_reports_download_from_the_public_page(published, client: Client, fmt):
    response = client.get(f"/results/2022/14/report.{fmt}")
    assert response.status_code == 200
    assert f"sipas-2022-14-vi.{fmt}" in response["Content-Disposition"]
    html = client.get("/results/2022/14/").content.decode()
    assert f"/results/2022/14/report.{fmt}" in html
    assert client.get(f"/results/2022/99/report.{fmt}").status_code == 404


def test_publishing_queues_the_reports_once_the_publication_commits(
    sipas, settings, django_capture_on_commit_callbacks
):
    from results.services import publication_create

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publication_create(year=2022)
    assert len(callbacks) == 1
    assert not Report.objects.exists()
