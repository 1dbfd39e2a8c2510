from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from surveys.models import (
    Agency,
    Criterion,
    Element,
    Procedure,
    Province,
    Questionnaire,
    Region,
)
from surveys.reference import reference_data_load

pytestmark = pytest.mark.django_db


def test_it_loads_the_six_regions():
    assert Region.objects.count() == 6


def test_it_loads_63_provinces_of_the_2008_map_by_region():
    old = Province.objects.filter(map=Province.Map.MAP_2008)
    assert old.count() == 63
    sizes = Counter(dict(old.values_list("region__code").annotate(n=Count("id"))))
    assert sizes == {
        "TDMNPB": 14,
        "DBSH": 11,
        "BTBDHMT": 14,
        "TN": 5,
        "DNB": 6,
        "DBSCL": 13,
    }


def test_it_loads_34_units_of_the_2025_map():
    assert Province.objects.filter(map=Province.Map.MAP_2025).count() == 34


def test_every_old_province_maps_to_exactly_one_new_unit():
    old = Province.objects.filter(map=Province.Map.MAP_2008)
    assert not old.filter(successor=None).exists()
    assert set(old.values_list("successor__map", flat=True)) == {2025}
    new_units = Province.objects.filter(map=Province.Map.MAP_2025).annotate(
        n=Count("predecessors")
    )
    assert all(unit.n >= 1 for unit in new_units)
    assert sum(unit.n for unit in new_units) == 63


def test_a_merged_province_points_to_its_successor():
    bac_kan = Province.objects.get(map=2008, code="06")
    assert bac_kan.successor.name_vi == "Thái Nguyên"
    assert bac_kan.successor.code == "19"
    assert set(bac_kan.successor.predecessors.values_list("code", flat=True)) == {
        "06",
        "19",
    }


def test_the_default_questionnaire_has_five_elements_and_a_scale_with_not_applicable():
    questionnaire = Questionnaire.objects.get(code="sipas-service", is_current=True)
    elements = list(questionnaire.elements.values_list("code", flat=True))
    assert elements == ["ACCESS", "PROCEDURE", "OFFICIAL", "RESULT", "FEEDBACK"]
    assert questionnaire.criteria.count() == 23
    assert [c.position for c in questionnaire.criteria.all()] == list(range(1, 24))
    assert sorted(level["value"] for level in questionnaire.scale) == [0, 1, 2, 3, 4, 5]
    first = questionnaire.criteria.get(code="ACCESS_1")
    assert first.text_vi and first.text_en and first.text_vi != first.text_en


def test_each_agency_belongs_to_at_most_one_province_and_ministries_to_none():
    assert (
        Agency.objects.filter(kind=Agency.Kind.MINISTRY, province__isnull=False).count()
        == 0
    )
    assert Agency.objects.filter(code="14-centre", province__code="14").exists()


def test_procedures_have_a_code_a_field_and_a_time_limit():
    assert Procedure.objects.count() >= 15
    assert not Procedure.objects.filter(field="").exists()
    assert not Procedure.objects.filter(time_limit_days=0).exists()


def test_loading_twice_changes_nothing():
    before = {
        model: list(model.objects.order_by("pk").values())
        for model in (
            Region,
            Province,
            Agency,
            Procedure,
            Questionnaire,
            Element,
            Criterion,
        )
    }
    report = reference_data_load()
    call_command("load_reference_data", verbosity=0)
    assert not report.changed
    after = {model: list(model.objects.order_by("pk").values()) for model in before}
    assert after == before


def test_a_changed_name_is_updated_and_a_questionnaire_version_is_never_rewritten():
    Province.objects.filter(map=2008, code="14").update(name_vi="Sai tên")
    Criterion.objects.filter(code="ACCESS_1").update(text_vi="Đã sửa")
    report = reference_data_load()
    assert report.updated["provinces"] == 1
    assert Province.objects.get(map=2008, code="14").name_vi == "Sơn La"
    assert Criterion.objects.get(code="ACCESS_1").text_vi == "Đã sửa"


def test_the_feedback_criteria_carry_the_commas_of_their_heading():
    feedback = Criterion.objects.filter(
        questionnaire__code="sipas-service", element__code="FEEDBACK"
    )
    heading = feedback.first().element.name_vi
    assert "góp ý, phản ánh, kiến nghị" in heading
    texts = [c.text_vi for c in feedback if "góp ý" in c.text_vi]
    assert len(texts) == 3
    assert all("góp ý, phản ánh, kiến nghị" in text for text in texts)


def test_a_database_loaded_before_the_commas_gets_them_from_the_migration():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("surveys.migrations.0007_criteria_punctuation")
    criterion = Criterion.objects.get(
        questionnaire__code="sipas-service", code="FEEDBACK_2"
    )
    criterion.text_vi = "Người dân dễ dàng thực hiện góp ý phản ánh kiến nghị"
    criterion.save()
    migration.punctuate(apps, None)
    criterion.refresh_from_db()
    assert criterion.text_vi == "Người dân dễ dàng thực hiện góp ý, phản ánh, kiến nghị"
