"""The open data of a publication: one JSON document and one CSV table, with the
counts per criterion and level (n0 to n5) behind every figure, and the JSON Schema
the document follows.

Figures are given at full precision; published pages round them to the
definition's `decimals`, and ranks compare the rounded figures.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext_lazy as _

from results.models import Publication, PublishedFigure

SCHEMA_ID = "/results/schema.json"
LEVELS = [choice for choice, _ in PublishedFigure.Level.choices]

_FIGURE_FIELDS = [
    "level",
    "code",
    "name_vi",
    "name_en",
    "region_code",
    "province_code",
    "respondents",
    "index",
    "status",
    "rank_national",
    "rank_national_of",
    "rank_region",
    "rank_region_of",
    "change",
    "gap_to_mean",
]


def _criterion_codes(publication: Publication) -> list[str]:
    return [
        criterion["code"]
        for element in publication.definition["elements"]
        for criterion in element["criteria"]
    ]


def _element_codes(publication: Publication) -> list[str]:
    return [element["code"] for element in publication.definition["elements"]]


def figure_document(figure: PublishedFigure, criteria: list[str]) -> dict:
    return {
        "level": figure.level,
        "code": figure.code,
        "name_vi": figure.name_vi,
        "name_en": figure.name_en,
        "region_code": figure.region_code,
        "province_code": figure.province_code,
        "respondents": figure.respondents,
        "index": figure.value,
        "status": figure.status,
        "rank_national": figure.rank_national,
        "rank_national_of": figure.rank_national_of,
        "rank_region": figure.rank_region,
        "rank_region_of": figure.rank_region_of,
        "change": figure.change,
        "gap_to_mean": figure.gap_to_mean,
        "elements": figure.elements,
        "criteria": {
            code: {"rate": figure.criteria.get(code), "counts": figure.counts[code]}
            for code in criteria
            if code in figure.counts
        },
    }


def publication_document(
    publication: Publication, figures: list[PublishedFigure]
) -> dict:
    """The whole publication as one JSON-ready document (see `SCHEMA`)."""
    criteria = _criterion_codes(publication)
    return {
        "$schema": SCHEMA_ID,
        "year": publication.year,
        "version": publication.version,
        "published_at": publication.published_at.isoformat(),
        "responses_cutoff": publication.cutoff.isoformat()
        if publication.cutoff
        else None,
        "licence": publication.licence,
        "map": publication.map,
        "min_respondents": publication.min_respondents,
        "target": publication.threshold,
        "national_mean": publication.national_mean,
        "definition": publication.definition,
        "changes": publication.changes,
        "figures": [figure_document(f, criteria) for f in figures],
    }


def _number(value: float | int | None) -> str:
    """Full precision, so that figures read back exactly; empty when missing."""
    return "" if value is None else repr(value)


def _cell(value) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def publication_csv(publication: Publication, figures: list[PublishedFigure]) -> str:
    """One row per unit: the figures, then each element's index, then each
    criterion's rate and counts n0..n5. Empty cells are missing values."""
    criteria = _criterion_codes(publication)
    elements = _element_codes(publication)
    header = list(_FIGURE_FIELDS)
    header += [f"element_{code}" for code in elements]
    for code in criteria:
        header += [f"{code}_rate"] + [f"{code}_n{level}" for level in range(6)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for figure in figures:
        document = figure_document(figure, criteria)
        row = [_cell(document[name]) for name in _FIGURE_FIELDS]
        row += [_number(figure.elements.get(code)) for code in elements]
        for code in criteria:
            counts = figure.counts.get(code)
            if counts is None:
                row += [""] * 7
            else:
                row += [_number(figure.criteria.get(code))] + counts
        writer.writerow(row)
    return out.getvalue()


_NUMBER = {"type": ["number", "null"]}
_INTEGER = {"type": ["integer", "null"]}
_COUNTS = {
    "type": "array",
    "items": {"type": "integer", "minimum": 0},
    "minItems": 6,
    "maxItems": 6,
    "description": "Answers per level: does not apply (n0), then 1 to 5.",
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Published satisfaction results of one year",
    "type": "object",
    "required": [
        "year",
        "version",
        "published_at",
        "licence",
        "map",
        "min_respondents",
        "definition",
        "figures",
    ],
    "properties": {
        "$schema": {"type": "string"},
        "year": {"type": "integer"},
        "version": {"type": "integer", "minimum": 1},
        "published_at": {"type": "string", "format": "date-time"},
        "responses_cutoff": {"type": ["string", "null"], "format": "date-time"},
        "licence": {"type": "string"},
        "map": {"enum": [2008, 2025]},
        "min_respondents": {"type": "integer"},
        "target": _NUMBER,
        "national_mean": _NUMBER,
        "definition": {
            "type": "object",
            "required": ["satisfied_levels", "decimals", "elements"],
            "properties": {
                "code": {"type": "string"},
                "version": {"type": "integer"},
                "satisfied_levels": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 1, "maximum": 5},
                },
                "element_weights": {
                    "type": "object",
                    "additionalProperties": {"type": "number"},
                },
                "criterion_weights": {
                    "type": "object",
                    "additionalProperties": {"type": "number"},
                },
                "decimals": {"type": "integer"},
                "elements": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["code", "criteria"],
                        "properties": {
                            "code": {"type": "string"},
                            "name_vi": {"type": "string"},
                            "name_en": {"type": "string"},
                            "criteria": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["code"],
                                    "properties": {"code": {"type": "string"}},
                                },
                            },
                        },
                    },
                },
            },
        },
        "changes": {"type": "array", "items": {"type": "object"}},
        "figures": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["level", "code", "respondents", "index", "criteria"],
                "properties": {
                    "level": {"enum": LEVELS},
                    "code": {"type": "string"},
                    "name_vi": {"type": "string"},
                    "name_en": {"type": "string"},
                    "region_code": {"type": "string"},
                    "province_code": {"type": "string"},
                    "respondents": {"type": "integer", "minimum": 0},
                    "index": _NUMBER,
                    "status": {"enum": ["meets", "below", "no_target"]},
                    "rank_national": _INTEGER,
                    "rank_national_of": _INTEGER,
                    "rank_region": _INTEGER,
                    "rank_region_of": _INTEGER,
                    "change": _NUMBER,
                    "gap_to_mean": _NUMBER,
                    "elements": {"type": "object", "additionalProperties": _NUMBER},
                    "criteria": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["counts"],
                            "properties": {"rate": _NUMBER, "counts": _COUNTS},
                        },
                    },
                },
            },
        },
    },
}

# The data dictionary: (column, description). Shown on the data page, translated.
COLUMNS = [
    ("level", _("nation, region, province or agency")),
    ("code", _("statistical code of the province, region code, agency code; VN")),
    ("name_vi, name_en", _("name in Vietnamese and English")),
    ("region_code", _("region of the province (or of the agency's province)")),
    ("province_code", _("province of an agency")),
    ("respondents", _("responses counted for the unit in the year")),
    ("index", _("satisfaction index (%), full precision")),
    ("status", _("meets (index at least the target), below, or no_target")),
    ("rank_national, rank_national_of", _("rank among the provinces, and of how many")),
    ("rank_region, rank_region_of", _("rank among the provinces of the region")),
    ("change", _("points since the previous published year on the same map")),
    ("gap_to_mean", _("points above (or below) the national mean of provinces")),
    ("element_CODE", _("index of one element (%)")),
    ("CODE_rate", _("rate of one criterion (%)")),
    ("CODE_n0 … CODE_n5", _("answers: n0 does not apply, n1 to n5 the scale")),
]
