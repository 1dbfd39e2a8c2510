"""Suggestions keep no way back to their writer: contact details, ID-card and
dossier numbers are masked at intake on the page, the API and the paper import,
and invisible characters are removed. The corpus is what citizens write, one case
a line: (what was typed, what is stored)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.management import call_command

from surveys.models import Response
from surveys.suggestions import (
    DOSSIER_MASK,
    EMAIL_MASK,
    ID_MASK,
    PHONE_MASK,
    suggestion_clean,
)
from tests.surveys.helpers import api_payload, stamp
from tests.surveys.test_imports import paper_rows, write_csv

P, E, N, D = PHONE_MASK, EMAIL_MASK, ID_MASK, DOSSIER_MASK


def kept(text: str) -> list[tuple[str, str]]:
    return [(text, text)]


CORPUS = [
    # phone numbers, as people space and dot them
    ("Có gì gọi tôi số 0912 345 678 nhé", f"Có gì gọi tôi số {P} nhé"),
    ("SĐT: 0912.345.678", f"SĐT: {P}"),
    ("Liên hệ 091-234-5678 (anh Hùng)", f"Liên hệ {P} (anh Hùng)"),
    ("Zalo 0987654321, gọi sau 17h", f"Zalo {P}, gọi sau 17h"),
    ("ĐT: +84 912 345 678", f"ĐT: {P}"),
    ("ĐT (+84) 912.345.678", f"ĐT {P}"),
    ("số 84912345678 là của tôi", f"số {P} là của tôi"),
    ("Máy bàn nhà tôi 024 3825 1234", f"Máy bàn nhà tôi {P}"),
    ("Gọi 0236.3822.123 gặp chị Lan", f"Gọi {P} gặp chị Lan"),
    *kept("Hotline của trung tâm 1900 1234 hay bận"),
    # e-mail addresses
    ("Gửi kết quả vào nguyen.van.an@gmail.com giúp tôi",
     f"Gửi kết quả vào {E} giúp tôi"),
    ("email: tran_thi.b+hs@yahoo.com.vn", f"email: {E}"),
    ("Thư: le.c @ soctrang.gov.vn", f"Thư: {E}"),
    ("hoanganh (at) gmail (dot) com", E),
    # ID numbers: 12-digit citizen ID, 9-digit ID card
    ("CCCD của tôi 001098012345", f"CCCD của tôi {N}"),
    ("Căn cước 036 185 000 123 bị ghi sai", f"Căn cước {N} bị ghi sai"),
    ("CMND 123456789 cấp năm 2010", f"CMND {N} cấp năm 2010"),
    ("CMND: 171.234.567", f"CMND: {N}"),
    ("Mã định danh 079-203-001-234", f"Mã định danh {N}"),
    # dossier numbers
    ("Hồ sơ 000.00.14.H47-240304-0001 trễ hẹn 5 ngày",
     f"Hồ sơ {D} trễ hẹn 5 ngày"),
    ("mã hồ sơ: H47.22-240304-0001", f"mã hồ sơ: {D}"),
    ("Số biên nhận 240304-0012 chưa được trả", f"Số biên nhận {D} chưa được trả"),
    ("hồ sơ số 1234/2024 đã nộp đủ", f"hồ sơ số {D} đã nộp đủ"),
    # several at once
    ("Tên Nguyễn Văn An, CCCD 001098012345, ĐT 0912345678, nguyenan@gmail.com",
     f"Tên Nguyễn Văn An, CCCD {N}, ĐT {P}, {E}"),
    # invisible characters
    ("Cán bộ\u202e tận tình", "Cán bộ tận tình"),
    ("Thủ\u200b tục\u200c nhanh\u200d gọn\ufeff", "Thủ tục nhanh gọn"),
    ("\u2066Rất\u2069 hài lòng\u200f", "Rất hài lòng"),
    ("0912\u200b345\u200b678", P),
    # what must stay as written
    ("Lệ phí 1.500.000 đồng là quá cao", "Lệ phí 1.500.000 đồng là quá cao"),
    ("Phí 100.000.000đ cho đất nông nghiệp", "Phí 100.000.000đ cho đất nông nghiệp"),
    *kept("Ngày 12/03/2024 tôi chờ từ 7h30 đến 11h"),
    ("Chờ 45 phút, phòng 203 tầng 2", "Chờ 45 phút, phòng 203 tầng 2"),
    ("Năm 2024 tốt hơn năm 2023 khoảng 20%", "Năm 2024 tốt hơn năm 2023 khoảng 20%"),
    ("Cán bộ hướng dẫn tận tình, chu đáo.", "Cán bộ hướng dẫn tận tình, chu đáo."),
    ("Quầy số 5 đông quá", "Quầy số 5 đông quá"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "stored"), CORPUS)
def test_the_corpus_is_masked_as_expected(typed, stored):
    assert suggestion_clean(typed) == stored


def test_the_corpus_has_at_least_30_cases():
    assert len(CORPUS) >= 30


TYPED = " | ".join(typed for typed, _stored in CORPUS[:24])
STORED = " | ".join(stored for _typed, stored in CORPUS[:24])
SECRETS = ["0912", "345", "gmail", "001098012345", "H47", "240304", "171.234"]


def assert_clean(text: str) -> None:
    assert text == STORED
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.usefixtures("roomy_rate_limit")
def test_the_api_stores_the_masked_suggestion(client, questionnaire, son_la_centre):
    payload = api_payload(questionnaire, son_la_centre, suggestion=TYPED)
    answer = client.post("/api/v1/responses/", payload, content_type="application/json")
    assert answer.status_code == 201
    assert_clean(Response.objects.get(uid=payload["uid"]).suggestion)
    # A retry with the same text is the same response.
    again = client.post("/api/v1/responses/", payload, content_type="application/json")
    assert again.status_code == 200


@pytest.mark.usefixtures("roomy_rate_limit")
def test_the_page_stores_the_masked_suggestion(client, questionnaire, son_la_centre):
    page = client.get(f"/s/{son_la_centre.code}/").content.decode()
    uid = re.search(r'name="uid" value="([^"]*)"', page).group(1)
    data = {
        "uid": uid,
        "started": stamp(),
        "website": "",
        "suggestion": TYPED,
        "channel": "1",
        **{f"q-{c.code}": "4" for c in questionnaire.criteria.all()},
    }
    assert client.post(f"/s/{son_la_centre.code}/", data).status_code == 302
    assert_clean(Response.objects.get(uid=uid).suggestion)


def test_the_paper_import_stores_the_masked_suggestions(tmp_path, questionnaire):
    rows = paper_rows(questionnaire, len(CORPUS))
    for row, (typed, _stored) in zip(rows, CORPUS, strict=True):
        row["suggestion"] = typed
    call_command("import_responses", write_csv(tmp_path / "p.csv", questionnaire, rows))
    stored = dict(Response.objects.values_list("uid", "suggestion"))
    for row, (_typed, expected) in zip(rows, CORPUS, strict=True):
        assert stored[uuid.UUID(row["uid"])] == expected


@pytest.mark.usefixtures("roomy_rate_limit")
@pytest.mark.parametrize("value", [5, 5.5, True, ["Tốt"], {"a": 1}])
def test_a_suggestion_that_is_not_text_is_a_400(client, valid, value):
    answer = client.post(
        "/api/v1/responses/",
        {**valid, "suggestion": value},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 400
    assert answer.json() == {"suggestion": ["Expected text."]}
    assert not Response.objects.exists()
