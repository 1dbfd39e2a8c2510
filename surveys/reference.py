"""Loading the reference data shipped in `surveys/reference/`: regions, provinces in
both maps, the agency tree, procedures and the default questionnaire."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import (
    Agency,
    Criterion,
    Element,
    Procedure,
    Province,
    Questionnaire,
    Region,
)
from surveys.numbers import count_text

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEFAULT_QUESTIONNAIRE = "sipas-service"

DEFAULT_SCALE = [
    {"value": 1, "label_vi": "Rất không hài lòng", "label_en": "Very dissatisfied"},
    {"value": 2, "label_vi": "Không hài lòng", "label_en": "Dissatisfied"},
    {"value": 3, "label_vi": "Bình thường", "label_en": "Neutral"},
    {"value": 4, "label_vi": "Hài lòng", "label_en": "Satisfied"},
    {"value": 5, "label_vi": "Rất hài lòng", "label_en": "Very satisfied"},
    {"value": 0, "label_vi": "Không áp dụng", "label_en": "Does not apply"},
]

# English names of the provincial units; the CSVs carry the Vietnamese ones.
_EN_NAMES = {"Hồ Chí Minh": "Ho Chi Minh City", "Hà Nội": "Ha Noi", "Huế": "Hue"}


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def __str__(self) -> str:
        """What changed, in the active language."""
        kinds = sorted({*self.created, *self.updated}, key=str)
        if not self.changed:
            return _("The reference data is already up to date: nothing changed.")
        changes = "; ".join(
            _("%(kind)s: %(created)s new, %(updated)s updated")
            % {
                # Some kinds are plain names of models ("criteria"): translated
                # here, with the models' own messages.
                "kind": _(str(kind)),
                "created": count_text(self.created[kind]),
                "updated": count_text(self.updated[kind]),
            }
            for kind in kinds
            if self.created[kind] or self.updated[kind]
        )
        return _("Reference data loaded (%(changes)s).") % {"changes": changes}


def _rows(name: str, directory: Path) -> list[dict[str, str]]:
    with open(directory / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _sync(report: LoadReport, model, key: tuple[str, ...], rows: list[dict]) -> dict:
    """Make the rows of `model` identified by `key` match `rows`, touching only what
    differs: one read, then one bulk insert and one bulk update at the most.
    Foreign keys are given as `<name>_id`, so comparing them reads nothing more."""
    label = model._meta.verbose_name_plural

    def key_of(values) -> tuple | str:
        get = values.get if isinstance(values, dict) else values.__getattribute__
        found = tuple(get(name) for name in key)
        return found[0] if len(found) == 1 else found

    existing = {key_of(obj): obj for obj in model.objects.all()}
    created, updated, changed_fields = [], [], set()
    for row in rows:
        obj = existing.get(key_of(row))
        if obj is None:
            obj = model(**row)
            created.append(obj)
            existing[key_of(row)] = obj
            continue
        changed = [name for name, value in row.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, row[name])
        if changed:
            updated.append(obj)
            changed_fields.update(changed)
    if created:
        model.objects.bulk_create(created)
        report.created[label] += len(created)
    if updated:
        model.objects.bulk_update(updated, sorted(changed_fields))
        report.updated[label] += len(updated)
    return existing


def _english(name_vi: str) -> str:
    return _EN_NAMES.get(name_vi, name_vi)


@transaction.atomic
def reference_data_load(*, directory: Path = REFERENCE_DIR) -> LoadReport:
    """Bring the reference tables in line with the CSV files; a second run with the
    same files changes nothing. Questionnaire versions are never rewritten."""
    report = LoadReport()
    regions = _sync(report, Region, ("code",), _rows("regions.csv", directory))

    new_rows = _rows("provinces_2025.csv", directory)
    old_rows = _rows("provinces_2008.csv", directory)
    old_region = {row["code"]: row["region"] for row in old_rows}
    successor_code = {
        old: row["code"] for row in new_rows for old in row["predecessors"].split()
    }
    # Both maps share the table: the key is map and code together.
    new_units = _sync(
        report,
        Province,
        ("map", "code"),
        [
            {
                "map": Province.Map.MAP_2025,
                "code": row["code"],
                "name_vi": row["name_vi"],
                "name_en": _english(row["name_vi"]),
                "kind": row["kind"],
                # Region membership of the 2025 units is not settled; until it is,
                # a unit takes the region of the predecessor whose code it kept.
                "region_id": regions[
                    old_region.get(row["code"])
                    or old_region[row["predecessors"].split()[0]]
                ].id,
                "successor_id": None,
            }
            for row in new_rows
        ],
    )
    _sync(
        report,
        Province,
        ("map", "code"),
        [
            {
                "map": Province.Map.MAP_2008,
                "code": row["code"],
                "name_vi": row["name_vi"],
                "name_en": _english(row["name_vi"]),
                "kind": row["kind"],
                "region_id": regions[row["region"]].id,
                "successor_id": new_units[(2025, successor_code[row["code"]])].id,
            }
            for row in old_rows
        ],
    )
    old_units = {
        unit.code: unit for unit in Province.objects.filter(map=Province.Map.MAP_2008)
    }

    templates = _rows("agency_templates.csv", directory)
    agencies = [
        {
            "code": row["key"],
            "kind": row["kind"],
            "name_vi": row["name_vi"],
            "name_en": row["name_en"],
            "province_id": None,
            "parent_id": None,
        }
        for row in templates
        if row["scope"] == "ministry"
    ]
    agencies += [
        {
            "code": f"{code}-{row['key']}",
            "kind": row["kind"],
            "name_vi": f"{row['name_vi']} {province.name_vi}",
            "name_en": f"{row['name_en']}, {province.name_en}",
            "province_id": province.id,
            "parent_id": None,
        }
        for code, province in sorted(old_units.items())
        for row in templates
        if row["scope"] == "province"
    ]
    _sync(report, Agency, ("code",), agencies)
    _sync(
        report,
        Procedure,
        ("code",),
        [
            {
                "code": row["code"],
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "field": row["field"],
                "time_limit_days": int(row["time_limit_days"]),
            }
            for row in _rows("procedures.csv", directory)
        ],
    )

    questionnaire_load(
        report=report,
        code=DEFAULT_QUESTIONNAIRE,
        version=1,
        title_vi="Khảo sát sự hài lòng về cung ứng dịch vụ hành chính công",
        title_en="Satisfaction with public administrative services",
        rows=_rows("sipas_service_questionnaire.csv", directory),
    )
    return report


def questionnaire_load(
    *,
    report: LoadReport,
    code: str,
    version: int,
    title_vi: str,
    title_en: str,
    rows: list[dict[str, str]],
    scale: list[dict] | None = None,
) -> Questionnaire:
    """Create a questionnaire version from rows of (element, element_vi, element_en,
    criterion, text_vi, text_en); an existing version is left exactly as it is."""
    existing = Questionnaire.objects.filter(code=code, version=version).first()
    if existing is not None:
        return existing
    has_current = Questionnaire.objects.filter(code=code, is_current=True).exists()
    questionnaire = Questionnaire.objects.create(
        code=code,
        version=version,
        title_vi=title_vi,
        title_en=title_en,
        scale=scale or DEFAULT_SCALE,
        is_current=not has_current,
        published_at=timezone.now(),
    )
    report.created["questionnaires"] += 1
    elements: dict[str, Element] = {}
    for position, row in enumerate(rows, start=1):
        element = elements.get(row["element"])
        if element is None:
            element = Element.objects.create(
                questionnaire=questionnaire,
                code=row["element"],
                position=len(elements) + 1,
                name_vi=row["element_vi"],
                name_en=row["element_en"],
            )
            elements[row["element"]] = element
        Criterion.objects.create(
            questionnaire=questionnaire,
            element=element,
            code=row["criterion"],
            position=position,
            text_vi=row["text_vi"],
            text_en=row["text_en"],
            required=row.get("required", "1") not in {"0", "false", "no"},
        )
    report.created["criteria"] += len(rows)
    return questionnaire
