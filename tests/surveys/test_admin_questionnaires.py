"""Authoring questionnaires in the admin: national administrators only, drafts
editable, published versions frozen, a preview of the citizen page, actions
that publish, copy and retire."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.models import Criterion, Element, Questionnaire
from surveys.services.questionnaires import questionnaire_publish
from tests.conftest import PASSWORD
from tests.factories import ResponseFactory
from tests.surveys.authoring import draft_with


@pytest.fixture
def login(client, settings):
    def as_user(user):
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        # Messages are asserted in English; the Vietnamese ones have their test.
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return as_user


def inline_management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_officials_see_nothing_of_the_questionnaires(
    login, son_la_official, agency_official, questionnaire
):
    for user in (son_la_official, agency_official):
        client = login(user)
        index = client.get(reverse("admin:index")).content.decode()
        assert reverse("admin:surveys_questionnaire_changelist") not in index
        for url in (
            reverse("admin:surveys_questionnaire_changelist"),
            reverse("admin:surveys_questionnaire_add"),
            reverse("admin:surveys_questionnaire_change", args=[questionnaire.pk]),
            reverse("admin:surveys_questionnaire_preview", args=[questionnaire.pk]),
        ):
            assert client.get(url).status_code in (403, 404), url


def test_a_national_administrator_creates_a_draft_with_elements_and_criteria(
    login, national_admin
):
    client = login(national_admin)
    page = client.get(reverse("admin:surveys_questionnaire_add"))
    assert page.status_code == 200
    assert "Rất hài lòng" in page.content.decode()  # the default scale
    added = client.post(
        reverse("admin:surveys_questionnaire_add"),
        {
            "code": "health",
            "title_vi": "Khảo sát dịch vụ y tế",
            "title_en": "Health services",
            "scale": page.context["adminform"].form["scale"].value(),
            **inline_management("elements", 1),
            "elements-0-position": "1",
            "elements-0-code": "ACCESS",
            "elements-0-name_vi": "Tiếp cận dịch vụ",
            "elements-0-name_en": "Access",
            **inline_management("criteria", 0),
        },
    )
    assert added.status_code == 302, added.context["adminform"].form.errors
    draft = Questionnaire.objects.get(code="health")
    assert (draft.version, draft.status, draft.is_current) == (1, "draft", False)
    element = draft.elements.get()

    change = reverse("admin:surveys_questionnaire_change", args=[draft.pk])
    html = client.get(change).content.decode()
    assert "Element ACCESS has no criterion." in html
    saved = client.post(
        change,
        {
            "title_vi": "Khảo sát dịch vụ y tế",
            "title_en": "Health services",
            "scale": page.context["adminform"].form["scale"].value(),
            **inline_management("elements", 1, 1),
            "elements-0-id": str(element.pk),
            "elements-0-questionnaire": str(draft.pk),
            "elements-0-position": "1",
            "elements-0-code": "ACCESS",
            "elements-0-name_vi": "Tiếp cận dịch vụ",
            "elements-0-name_en": "Access",
            **inline_management("criteria", 2),
            "criteria-0-position": "1",
            "criteria-0-element": str(element.pk),
            "criteria-0-code": "ACCESS_1",
            "criteria-0-text_vi": "Nơi đón tiếp có đủ chỗ ngồi",
            "criteria-0-required": "on",
            "criteria-0-allows_not_applicable": "on",
            "criteria-1-position": "2",
            "criteria-1-element": str(element.pk),
            "criteria-1-code": "ACCESS_1",
            "criteria-1-text_vi": "Trùng mã",
        },
    )
    assert saved.status_code == 200  # the repeated code is refused
    assert not Criterion.objects.filter(questionnaire=draft).exists()


def test_a_published_version_is_read_only_and_cannot_be_deleted(
    login, national_admin, questionnaire, son_la_centre
):
    client = login(national_admin)
    change = reverse("admin:surveys_questionnaire_change", args=[questionnaire.pk])
    html = client.get(change).content.decode()
    assert 'name="_save"' not in html
    assert 'name="criteria-0-text_vi"' not in html
    ResponseFactory(questionnaire=questionnaire, agency=son_la_centre)
    assert "First version." in html
    delete = reverse("admin:surveys_questionnaire_delete", args=[questionnaire.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Questionnaire.objects.filter(pk=questionnaire.pk).exists()


def test_the_delete_action_leaves_published_versions(login, national_admin):
    client = login(national_admin)
    kept = questionnaire_publish(questionnaire=draft_with({"A": ["A1"]}))
    gone = draft_with({"A": ["A1"]}, code="gone")
    client.post(
        reverse("admin:surveys_questionnaire_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [kept.pk, gone.pk],
            "post": "yes",
        },
    )
    # Django refuses the whole selection when one row may not be deleted.
    assert Questionnaire.objects.filter(pk__in=[kept.pk, gone.pk]).count() == 2
    client.post(
        reverse("admin:surveys_questionnaire_changelist"),
        {"action": "delete_selected", "_selected_action": [gone.pk], "post": "yes"},
    )
    assert Questionnaire.objects.filter(pk=kept.pk).exists()
    assert not Questionnaire.objects.filter(pk=gone.pk).exists()


def test_the_actions_publish_copy_and_retire(login, national_admin):
    client = login(national_admin)
    changelist = reverse("admin:surveys_questionnaire_changelist")
    empty = draft_with({"A": []}, code="empty")
    draft = draft_with({"A": ["A1"], "B": ["B1"]})

    def act(action: str, *rows: Questionnaire) -> str:
        page = client.post(
            changelist,
            {"action": action, "_selected_action": [q.pk for q in rows]},
            follow=True,
        )
        return page.content.decode()

    html = act("publish", empty, draft)
    assert "Element A has no criterion." in html
    assert "Version 1 of health is published" in html
    draft.refresh_from_db()
    assert draft.is_current and draft.status == "published"

    act("new_draft", draft)
    second = Questionnaire.objects.get(code="health", version=2)
    assert second.status == "draft"
    assert "already a draft" in act("new_draft", draft)

    changed = client.get(
        reverse("admin:surveys_questionnaire_change", args=[second.pk])
    ).content.decode()
    assert "Compared with version 1." in changed
    assert "only the current version" in changed
    assert (
        "/s/agency-code/q/health/"
        in client.get(
            reverse("admin:surveys_questionnaire_change", args=[draft.pk])
        ).content.decode()
    )
    assert 'name="_save"' in changed

    act("retire", draft)
    draft.refresh_from_db()
    assert draft.status == "retired" and not draft.is_current


def test_the_preview_is_the_citizen_page_and_stores_nothing(
    login, national_admin, son_la_centre
):
    client = login(national_admin)
    draft = draft_with({"A": ["A1", "A2"]})
    Criterion.objects.filter(code="A2").update(allows_not_applicable=False)
    Element.objects.filter(code="A").update(name_vi="Tiếp cận dịch vụ")
    url = reverse("admin:surveys_questionnaire_preview", args=[draft.pk])
    client.cookies.pop("django_language")
    page = client.get(url)
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "surveys/survey.html"
    html = page.content.decode()
    assert "Khảo sát sự hài lòng về dịch vụ y tế" in html
    assert "Tiếp cận dịch vụ" in html
    assert 'id="q-A1-0"' in html and 'id="q-A2-0"' not in html
    assert "Xem trước" in html

    uid = page.context["form"]["uid"].value()
    sent = client.post(url, {"uid": uid, "channel": "1", "q-A1": "4", "q-A2": "0"})
    assert sent.status_code == 400
    assert "q-A2" in dict(sent.context["form"].errors)
    assert not draft.response_set.exists()


def test_adding_a_code_that_exists_points_to_a_new_draft_version(
    login, national_admin, questionnaire
):
    client = login(national_admin)
    page = client.post(
        reverse("admin:surveys_questionnaire_add"),
        {
            "code": questionnaire.code,
            "title_vi": "Bản khác",
            "scale": "[]",
            **inline_management("elements", 0),
            **inline_management("criteria", 0),
        },
    )
    assert page.status_code == 200
    assert "create a new draft version" in page.content.decode()
    assert Questionnaire.objects.filter(code=questionnaire.code).count() == 1
