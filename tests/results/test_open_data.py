"""Open data: CSV and JSON per level with the counts behind every figure, the
JSON Schema, the data dictionary, and every figure recomputed from them alone."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from results.models import PublishedFigure
from results.services import open_data_licence_set, publication_create

RECOMPUTE = Path(__file__).with_name("recompute.py")


def test_an_independent_script_recomputes_every_published_figure(
    published, client, tmp_path
):
    document = tmp_path / "2022.json"
    document.write_bytes(client.get("/results/2022.json").content)
    run = subprocess.run(
        [sys.executable, "-I", str(RECOMPUTE), str(document)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout
    checked = int(run.stdout.split()[-5])
    assert checked > 63 * 30


def test_the_json_follows_its_schema_and_carries_the_counts(published, client):
    schema = client.get("/results/schema.json").json()
    document = client.get("/results/2022.json").json()
    jsonschema.validate(document, schema)
    son_la = next(f for f in document["figures"] if f["code"] == "14")
    counts = son_la["criteria"]["ACCESS_1"]["counts"]
    assert len(counts) == 6 and sum(counts) == 5000
    assert document["definition"]["satisfied_levels"] == [4, 5]
    assert document["version"] == 1
    assert document["licence"].startswith("CC BY 4.0")


def test_the_csv_has_one_row_per_unit_with_counts_and_figures(published, client):
    response = client.get("/results/2022.csv?level=province")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 63
    son_la = next(row for row in rows if row["code"] == "14")
    assert son_la["name_vi"] == "Sơn La"
    assert round(float(son_la["index"]), 2) == 82.18
    assert son_la["rank_national"] == "17"
    figure = PublishedFigure.objects.get(publication=published, code="14")
    assert float(son_la["index"]) == figure.value
    counts = [int(son_la[f"ACCESS_1_n{level}"]) for level in range(6)]
    assert counts == figure.counts["ACCESS_1"]


def test_each_version_keeps_its_own_stable_address(published, client):
    publication_create(year=2022)
    assert client.get("/results/2022.json").json()["version"] == 2
    assert client.get("/results/2022/v1.json").json()["version"] == 1
    assert client.get("/results/2022/v1.csv").status_code == 200
    assert client.get("/results/2022/v9.json").status_code == 404
    assert client.get("/results/2022.csv?level=planet").status_code == 404


def test_the_licence_line_set_by_the_administrator_goes_with_the_data(sipas, client):
    open_data_licence_set(licence="CC0 1.0")
    publication_create(year=2022)
    assert client.get("/results/2022.json").json()["licence"] == "CC0 1.0"


def test_the_data_dictionary_explains_every_column(published, client):
    html = client.get("/results/data/").content.decode()
    assert "Dữ liệu mở: từ điển dữ liệu" in html
    for column in ["respondents", "rank_national", "CODE_n0"]:
        assert column in html
    client.cookies["django_language"] = "en"
    english = client.get("/results/data/")
    assert "Open data: data dictionary" in english.content.decode()


def test_open_data_need_no_login_and_say_what_they_are(published, client):
    response = client.get("/results/2022.json")
    assert response.status_code == 200
    assert "sipas-2022-v1.json" in response["Content-Disposition"]
    assert json.loads(response.content)["year"] == 2022
