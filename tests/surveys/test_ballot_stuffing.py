"""Ballot stuffing, as the audit tried it, and the honest crowds that must still
be counted. On the real Redis: the counters and spent stamps live there."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from surveys.models import Channel, KnownAddress, Response
from surveys.services import invitation_batch_create, response_review
from tests.conftest import PASSWORD
from tests.surveys.helpers import all_answers, api_payload, stamp

URL = "/api/v1/responses/"
ACCEPTED, SUSPICIOUS = Response.Status.ACCEPTED, Response.Status.SUSPICIOUS


@pytest.fixture(autouse=True)
def real_redis_counters(settings, clean_cache):
    """The limits production has (20 a window, flags above 10), and a person's
    reading time not asked, so that each check is seen on its own."""
    if not isinstance(caches["default"], RedisCache):
        pytest.skip("the counters under test live in Redis (REDIS_URL)")
    settings.SURVEY_RATE_LIMIT = 20
    settings.SURVEY_BURST_THRESHOLD = 0
    settings.SURVEY_PATTERN_THRESHOLD = 5
    settings.SURVEY_MIN_FILL_SECONDS = 0


def api_post(client, payload: dict, **headers):
    return client.post(URL, payload, content_type="application/json", **headers)


def fresh_stamp(client) -> str:
    questionnaire = client.get("/api/v1/questionnaires/sipas-service/")
    assert questionnaire["Cache-Control"] == "no-store"
    return questionnaire.json()["started"]


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def page_form(page: str, questionnaire, **extra) -> dict:
    data = {
        "uid": hidden(page, "uid"),
        "started": hidden(page, "started"),
        "website": "",
        "suggestion": "",
        "channel": "1",
        **{f"q-{c.code}": "4" for c in questionnaire.criteria.all()},
    }
    data.update(extra)
    return data


def test_the_audits_60_posts_with_a_new_user_agent_every_10_count_no_more_than_the_limit(  # noqa: E501
    client, questionnaire, son_la_centre
):
    statuses, uids = [], []
    for n in range(60):
        payload = api_payload(questionnaire, son_la_centre, started=fresh_stamp(client))
        agent = f"Mozilla/5.0 (audit {n // 10})"
        statuses.append(api_post(client, payload, HTTP_USER_AGENT=agent).status_code)
        uids.append(payload["uid"])
    assert statuses == [201] * 20 + [429] * 40
    assert not Response.objects.filter(uid__in=uids[20:]).exists()
    stored = list(Response.objects.order_by("id").values_list("status", "flags"))
    assert len(stored) == 20
    # The same answers each time: flagged after the fifth; the burst after the
    # tenth. None beyond the limit is stored, and few are counted.
    counted = [flags for status, flags in stored if status == ACCEPTED]
    assert len(counted) == 5
    assert all(status == SUSPICIOUS for status, _ in stored[5:])
    assert all(flags & Response.Flag.BURST for _, flags in stored[10:])


def test_varied_answers_from_one_address_are_still_refused_beyond_the_limit(
    client, questionnaire, son_la_centre
):
    statuses = []
    for n in range(30):
        answers = {**all_answers(questionnaire), "ACCESS_1": 1 + n % 5}
        answers["ACCESS_3"] = 1 + (n // 5) % 5
        payload = api_payload(
            questionnaire, son_la_centre, answers=answers, started=fresh_stamp(client)
        )
        agent = f"agent-{n}"
        statuses.append(api_post(client, payload, HTTP_USER_AGENT=agent).status_code)
    assert statuses == [201] * 20 + [429] * 10
    counted = Response.objects.filter(status=ACCEPTED).count()
    assert counted == 10  # above the burst threshold (half the limit): flagged


def test_one_page_stamp_reused_with_5_new_uids_counts_once(
    client, questionnaire, son_la_centre
):
    page = client.get(f"/s/{son_la_centre.code}/").content.decode()
    started = hidden(page, "started")
    uids = [
        "5b0c3c43-3c54-4f0e-9c1a-00000000000" + str(n) for n in range(6)
    ]  # the page's own uid first, then 5 new ones
    uids[0] = hidden(page, "uid")
    for uid in uids:
        data = page_form(page, questionnaire, uid=uid, started=started)
        assert client.post(f"/s/{son_la_centre.code}/", data).status_code == 302
    flags = [Response.objects.get(uid=uid).flags for uid in uids]
    assert flags[0] == 0
    assert all(f & Response.Flag.STAMP for f in flags[1:])  # the sixth: PATTERN too
    assert Response.objects.filter(status=ACCEPTED).count() == 1


def test_on_the_api_a_missing_forged_or_spent_stamp_flags_but_stores(
    client, questionnaire, son_la_centre
):
    started = fresh_stamp(client)
    cases = {
        "fresh": api_payload(questionnaire, son_la_centre, started=started),
        "spent": api_payload(questionnaire, son_la_centre, started=started),
        "missing": {
            k: v
            for k, v in api_payload(questionnaire, son_la_centre).items()
            if k != "started"
        },
        "forged": api_payload(
            questionnaire, son_la_centre, started=started[:-3] + "AAA"
        ),
    }
    for payload in cases.values():
        payload["answers"] = {**payload["answers"], "ACCESS_1": len(payload["uid"]) % 5}
    for name, payload in cases.items():
        assert api_post(client, payload).status_code == 201, name
    flags = {
        name: Response.objects.get(uid=payload["uid"]).flags
        for name, payload in cases.items()
    }
    stamp_flag = Response.Flag.STAMP
    assert flags == {"fresh": 0, "spent": stamp_flag, "missing": stamp_flag,
                     "forged": stamp_flag}  # fmt: skip
    # A retry of the fresh one shows its stamp again: still one, unflagged row.
    assert api_post(client, cases["fresh"]).status_code == 200
    assert Response.objects.get(uid=cases["fresh"]["uid"]).flags == 0


def test_on_the_api_the_honeypot_and_the_minimum_time_apply_as_on_the_page(
    client, questionnaire, son_la_centre, settings
):
    settings.SURVEY_MIN_FILL_SECONDS = 20
    filled = api_payload(questionnaire, son_la_centre, website="http://spam.example")
    quick = api_payload(questionnaire, son_la_centre, started=stamp(age=3))
    quick["answers"] = all_answers(questionnaire, 3)
    assert api_post(client, filled).status_code == 201
    assert api_post(client, quick).status_code == 201
    assert Response.objects.get(uid=filled["uid"]).flags == Response.Flag.HONEYPOT
    assert Response.objects.get(uid=quick["uid"]).flags == Response.Flag.TOO_FAST
    assert not Response.objects.filter(status=ACCEPTED).exists()


def test_a_burst_of_identical_answers_to_one_agency_from_one_address_is_flagged(
    client, questionnaire, son_la_centre, quang_ninh_centre, settings
):
    settings.SURVEY_RATE_LIMIT = 100
    same = [api_payload(questionnaire, son_la_centre) for _ in range(7)]
    for payload in same:
        assert api_post(client, payload).status_code == 201
    other_agency = api_payload(questionnaire, quang_ninh_centre)
    other_answers = api_payload(
        questionnaire, son_la_centre, answers=all_answers(questionnaire, 5)
    )
    other_address = api_payload(questionnaire, son_la_centre)
    assert api_post(client, other_agency).status_code == 201
    assert api_post(client, other_answers).status_code == 201
    assert (
        api_post(client, other_address, REMOTE_ADDR="198.51.100.4").status_code == 201
    )
    flags = [Response.objects.get(uid=p["uid"]).flags for p in same]
    assert flags == [0] * 5 + [Response.Flag.PATTERN] * 2
    for payload in (other_agency, other_answers, other_address):
        assert Response.objects.get(uid=payload["uid"]).flags == 0


def test_60_invitation_responses_from_one_address_are_all_counted(
    client, questionnaire, son_la_centre, son_la_official
):
    _batch, tokens = invitation_batch_create(
        agency=son_la_centre,
        procedure=None,
        channel=Channel.IN_PERSON,
        count=60,
        user=son_la_official,
    )
    for token in tokens:
        url = f"/s/i/{token}/"
        page = client.get(url, HTTP_USER_AGENT="counter tablet").content.decode()
        answered = client.post(
            url, page_form(page, questionnaire), HTTP_USER_AGENT="counter tablet"
        )
        assert answered.status_code == 302
    assert Response.objects.filter(status=ACCEPTED, flags=0).count() == 60


def test_a_known_kiosk_address_has_its_own_quota_and_no_pattern_flag(
    client, questionnaire, son_la_centre, quang_ninh_centre
):
    KnownAddress.objects.create(
        agency=son_la_centre, network="203.0.113.0/28", label="Kiosk", quota=50
    )
    kiosk = {"REMOTE_ADDR": "203.0.113.5"}
    statuses = [
        api_post(client, api_payload(questionnaire, son_la_centre), **kiosk).status_code
        for _ in range(52)
    ]
    assert statuses == [201] * 50 + [429] * 2
    assert Response.objects.filter(status=ACCEPTED, flags=0).count() == 50
    # To another agency, or from outside the network, the ordinary rules hold.
    elsewhere = [
        api_post(client, api_payload(questionnaire, quang_ninh_centre), **kiosk)
        for _ in range(21)
    ]
    assert [r.status_code for r in elsewhere] == [201] * 20 + [429]
    outside = {"REMOTE_ADDR": "203.0.113.16"}
    assert [
        api_post(
            client, api_payload(questionnaire, son_la_centre), **outside
        ).status_code
        for _ in range(21)
    ][-1] == 429


def test_flagged_responses_stay_in_the_officials_review_and_can_be_restored(
    client, questionnaire, son_la_centre, son_la_official
):
    payload = api_payload(questionnaire, son_la_centre, started="")
    assert api_post(client, payload).status_code == 201
    flagged = Response.objects.get(uid=payload["uid"])
    assert flagged.status == SUSPICIOUS and not flagged.counted
    client.login(username=son_la_official.username, password=PASSWORD)
    listing = client.get(
        "/admin/surveys/response/", {"status__exact": SUSPICIOUS}
    ).content.decode()
    assert payload["uid"] in listing
    response_review(response=flagged, to_status=Response.Status.RESTORED,
                    user=son_la_official)  # fmt: skip
    flagged.refresh_from_db()
    assert flagged.counted


def test_only_a_national_administrator_registers_a_known_address(
    client, son_la_centre, son_la_official, national_admin
):
    data = {"agency": son_la_centre.pk, "network": "203.0.113.9", "label": "Quầy 1",
            "quota": 100, "active": "on"}  # fmt: skip
    client.login(username=son_la_official.username, password=PASSWORD)
    assert client.post("/admin/surveys/knownaddress/add/", data).status_code == 403
    client.login(username=national_admin.username, password=PASSWORD)
    added = client.post("/admin/surveys/knownaddress/add/", data)
    assert added.status_code == 302, added.content.decode()[:2000]
    assert KnownAddress.objects.get().network == "203.0.113.9/32"
    bad = client.post("/admin/surveys/knownaddress/add/", {**data, "network": "kiosk"})
    assert bad.status_code == 200
    assert KnownAddress.objects.count() == 1
