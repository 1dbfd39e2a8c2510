from __future__ import annotations

import re
import time

import pytest
from django.core import signing
from django.core.cache import cache

from surveys.intake import STARTED_SALT
from surveys.models import Channel, Response, Source, UsedInvitation
from surveys.services import invitation_batch_create
from tests.surveys.helpers import stamp


@pytest.fixture(autouse=True)
def quick_and_unlimited(settings):
    settings.SURVEY_MIN_FILL_SECONDS = 5
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def form_data(page: str, questionnaire, value: int = 4, **extra) -> dict:
    """What a browser sends back: the hidden fields of the page, every criterion
    answered, the form shown long enough ago."""
    data = {
        "uid": hidden(page, "uid"),
        "started": stamp(),
        "website": "",
        "suggestion": "",
        "channel": "1",
    }
    for criterion in questionnaire.criteria.all():
        data[f"q-{criterion.code}"] = str(value)
    data.update(extra)
    return data


def test_the_page_asks_every_criterion_in_vietnamese_by_default(
    client, questionnaire, son_la_centre
):
    page = client.get(f"/s/{son_la_centre.code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert "Nơi tiếp nhận và trả kết quả dễ tìm" in html
    assert "Rất hài lòng" in html and "Không áp dụng" in html
    assert html.count('class="criterion') == 23
    assert html.count("<legend>") >= 23 + 5
    honeypot = re.search(r'<input[^>]*name="website"[^>]*>', html).group(0)
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot
    assert 'class="hp" aria-hidden="true"' in html


def test_the_page_reads_in_english_after_the_switch(
    client, questionnaire, son_la_centre
):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/s/{son_la_centre.code}/").content.decode()
    assert '<html lang="en">' in html
    assert "The reception and result counter is easy to find" in html
    assert "Very satisfied" in html and "Does not apply" in html


def test_a_completed_form_is_stored_and_thanked(client, questionnaire, son_la_centre):
    page = client.get(f"/s/{son_la_centre.code}/?procedure=HT-KS&channel=online")
    data = form_data(page.content.decode(), questionnaire, gender="1", age_band="2")
    data["q-ACCESS_3"] = "0"
    result = client.post(
        f"/s/{son_la_centre.code}/?procedure=HT-KS&channel=online", data
    )
    assert result.status_code == 302
    assert result["Location"] == f"/s/{son_la_centre.code}/thanks/"
    stored = Response.objects.get(uid=data["uid"])
    assert stored.answers == "440" + "4" * 20
    assert stored.channel == Channel.ONLINE and stored.source == Source.WEB
    assert stored.procedure.code == "HT-KS"
    assert (stored.gender, stored.age_band, stored.flags) == (1, 2, 0)
    assert stored.status == Response.Status.ACCEPTED
    assert client.get(result["Location"]).status_code == 200


def test_sending_the_form_twice_stores_it_once(client, questionnaire, son_la_centre):
    page = client.get(f"/s/{son_la_centre.code}/").content.decode()
    data = form_data(page, questionnaire)
    first = client.post(f"/s/{son_la_centre.code}/", data)
    second = client.post(f"/s/{son_la_centre.code}/", data)
    assert first.status_code == second.status_code == 302
    assert Response.objects.filter(uid=data["uid"]).count() == 1


def test_a_missing_answer_is_shown_beside_its_criterion_and_other_answers_are_kept(
    client, questionnaire, son_la_centre
):
    page = client.get(f"/s/{son_la_centre.code}/").content.decode()
    data = form_data(page, questionnaire, value=5, suggestion="Tốt lắm", gender="2")
    del data["q-OFFICIAL_3"]
    data["q-ACCESS_1"] = "2"
    result = client.post(f"/s/{son_la_centre.code}/", data)
    html = result.content.decode()
    assert result.status_code == 400
    assert not Response.objects.exists()
    block = re.search(
        r'<fieldset class="criterion has-error" '
        r'id="criterion-OFFICIAL_3".*?</fieldset>',
        html,
        re.S,
    ).group(0)
    assert 'aria-describedby="error-OFFICIAL_3"' in block
    assert 'id="error-OFFICIAL_3"' in block
    assert html.count("has-error") == 1
    assert re.search(r'id="q-ACCESS_1-2" value="2" checked', html)
    assert re.search(r'id="q-RESULT_4-5" value="5" checked', html)
    assert "Tốt lắm" in html
    assert re.search(
        r'<input[^>]*value="2"[^>]*name="gender"|name="gender" value="2"[^>]*checked',
        html,
    )
    assert hidden(html, "uid") == data["uid"]


def test_a_filled_honeypot_is_stored_flagged(client, questionnaire, son_la_centre):
    page = client.get(f"/s/{son_la_centre.code}/").content.decode()
    data = form_data(page, questionnaire, website="http://spam.example")
    assert client.post(f"/s/{son_la_centre.code}/", data).status_code == 302
    stored = Response.objects.get(uid=data["uid"])
    assert stored.flags == Response.Flag.HONEYPOT
    assert stored.status == Response.Status.SUSPICIOUS


def test_a_form_sent_too_fast_is_stored_flagged(client, questionnaire, son_la_centre):
    page = client.get(f"/s/{son_la_centre.code}/").content.decode()
    data = form_data(page, questionnaire, started=hidden(page, "started"))
    assert client.post(f"/s/{son_la_centre.code}/", data).status_code == 302
    stored = Response.objects.get(uid=data["uid"])
    assert stored.flags == Response.Flag.TOO_FAST
    assert stored.status == Response.Status.SUSPICIOUS


@pytest.mark.parametrize(
    "started",
    [
        "",
        "1700000000",
        signing.dumps(time.time() - 60, salt=STARTED_SALT),  # the old, reusable kind
        signing.dumps({"t": time.time() - 60, "n": "x"}, salt="another.salt"),
        stamp(age=10 * 86400),  # expired
    ],
    ids=["missing", "unsigned", "old-kind", "other-salt", "expired"],
)
def test_a_missing_forged_or_expired_start_stamp_flags_the_response(
    client, questionnaire, son_la_centre, started
):
    page = client.get(f"/s/{son_la_centre.code}/").content.decode()
    data = form_data(page, questionnaire, started=started)
    client.post(f"/s/{son_la_centre.code}/", data)
    stored = Response.objects.get(uid=data["uid"])
    assert stored.flags == Response.Flag.STAMP
    assert stored.status == Response.Status.SUSPICIOUS


def test_above_the_hard_limit_the_page_says_nothing_was_received(
    client, questionnaire, son_la_centre, settings
):
    settings.SURVEY_RATE_LIMIT = 1
    url = f"/s/{son_la_centre.code}/"
    client.post(url, form_data(client.get(url).content.decode(), questionnaire))
    data = form_data(client.get(url).content.decode(), questionnaire, value=3)
    result = client.post(url, data)
    assert result.status_code == 429
    assert "CHƯA được ghi nhận" in result.content.decode()
    assert "Retry-After" in result
    assert Response.objects.count() == 1
    assert re.search(r'id="q-ACCESS_1-3" value="3" checked', result.content.decode())


def test_an_unknown_agency_or_procedure_is_404(client, questionnaire, son_la_centre):
    assert client.get("/s/nowhere/").status_code == 404
    assert client.get(f"/s/{son_la_centre.code}/?procedure=NONE").status_code == 404


def test_an_invitation_is_answered_once(
    client, questionnaire, son_la_centre, son_la_official
):
    _batch, tokens = invitation_batch_create(
        agency=son_la_centre,
        procedure=None,
        channel=Channel.POST,
        count=2,
        user=son_la_official,
    )
    url = f"/s/i/{tokens[0]}/"
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), questionnaire)
    assert client.post(url, data).status_code == 302
    stored = Response.objects.get(uid=data["uid"])
    assert stored.agency == son_la_centre and stored.channel == Channel.POST
    assert UsedInvitation.objects.filter(batch=_batch).count() == 1

    # Again, from a fresh form: refused, nothing stored.
    assert client.get(url).status_code == 409
    second = form_data(page.content.decode(), questionnaire)
    second["uid"] = "5b0c3c43-3c54-4f0e-9c1a-000000000001"
    refused = client.post(url, second)
    assert refused.status_code == 409
    assert "Thư mời này đã được sử dụng" in refused.content.decode()
    assert Response.objects.count() == 1
    # The other invitation of the batch still works.
    assert client.get(f"/s/i/{tokens[1]}/").status_code == 200


def test_an_altered_invitation_is_refused(
    client, questionnaire, son_la_centre, son_la_official
):
    _batch, tokens = invitation_batch_create(
        agency=son_la_centre, procedure=None, channel=1, count=1, user=son_la_official
    )
    assert client.get(f"/s/i/{tokens[0][:-2]}xx/").status_code == 404


def test_officials_cannot_issue_invitations_outside_their_province(
    quang_ninh_official, son_la_centre
):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        invitation_batch_create(
            agency=son_la_centre,
            procedure=None,
            channel=1,
            count=1,
            user=quang_ninh_official,
        )
