from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re

import redis
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from dossiers.models import Dossier
from dossiers.records import dossier_number_hash
from surveys.hashing import keyed_hash
from surveys.models import Response
from surveys.services import invitation_batch_create, invitation_read
from tests.conftest import PASSWORD
from tests.dossiers.helpers import dossier, write_dossiers
from tests.surveys.helpers import api_payload
from tests.surveys.test_views import form_data

ADDRESS = "203.0.113.77"
AGENT = "SecretPhone/9.9 (citizen handset)"
# Identifies a citizen's file at a one-stop centre: never stored in the clear.
NUMBER = "000.00.14.H51-241103-0042"


def test_hashes_are_keyed_and_separated_by_purpose(settings):
    one = keyed_hash("client", ADDRESS)
    assert one == keyed_hash("client", ADDRESS)
    assert one != keyed_hash("invitation", ADDRESS)
    settings.HASH_KEY = "another key"
    assert keyed_hash("client", ADDRESS) != one


def test_a_hash_is_the_hmac_of_the_value_under_the_purposes_key(settings):
    # Stored hashes (dossier numbers, invitations) must keep their values.
    settings.HASH_KEY = "k" * 50
    purpose_key = hmac.new(b"k" * 50, b"sipas:client", hashlib.sha256).digest()
    expected = hmac.new(purpose_key, ADDRESS.encode(), hashlib.sha256).hexdigest()
    assert keyed_hash("client", ADDRESS) == expected


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('text', 'character varying', 'character',
                                'json', 'jsonb')
            """
        )
        return cursor.fetchall()


def occurrences(secret: str, *, ignore_case: bool = False) -> list[tuple[str, str]]:
    operator = "ILIKE" if ignore_case else "LIKE"
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text {operator} %s LIMIT 1',
                [f"%{secret}%"],
            )
            if cursor.fetchone():
                found.append((table, column))
    return found


def test_no_address_agent_or_token_is_stored_in_the_clear(
    client, questionnaire, son_la_centre, son_la_official, settings
):
    settings.SURVEY_MIN_FILL_SECONDS = 0
    cache.clear()
    identity = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT}
    _batch, tokens = invitation_batch_create(
        agency=son_la_centre, procedure=None, channel=1, count=1, user=son_la_official
    )
    url = f"/s/i/{tokens[0]}/"
    page = client.get(url, **identity).content.decode()
    assert (
        client.post(url, form_data(page, questionnaire), **identity).status_code == 302
    )
    page = client.get(f"/s/{son_la_centre.code}/", **identity).content.decode()
    posted = client.post(
        f"/s/{son_la_centre.code}/", form_data(page, questionnaire), **identity
    )
    assert posted.status_code == 302
    api = client.post(
        "/api/v1/responses/",
        api_payload(questionnaire, son_la_centre),
        content_type="application/json",
        **identity,
    )
    assert api.status_code == 201
    assert Response.objects.count() == 3

    nonce = invitation_read(tokens[0]).nonce
    assert len(text_columns()) > 20
    for secret in (ADDRESS, AGENT, "SecretPhone", tokens[0], nonce):
        assert occurrences(secret) == [], secret

    # Nor in the rate counters kept in Redis.
    keys = redis.Redis.from_url(settings.REDIS_URL).keys("*surveys:rate*")
    assert keys
    assert not [k for k in keys if ADDRESS.encode() in k or b"SecretPhone" in k]
    assert all(re.search(rb"[0-9a-f]{64}:[0-9]+$", k) for k in keys)


def redis_holding(url: str, secret: str) -> list[bytes]:
    """Keys of the Redis database at `url` whose name or value holds `secret`,
    whatever its letter case."""
    needle = secret.lower().encode()
    store = redis.Redis.from_url(url)
    found = []
    for key in store.scan_iter(count=1000):
        kind = store.type(key)
        if kind == b"string":
            values = [store.get(key) or b""]
        elif kind == b"list":
            values = store.lrange(key, 0, -1)
        elif kind == b"hash":
            values = [item for pair in store.hgetall(key).items() for item in pair]
        elif kind == b"set":
            values = list(store.smembers(key))
        elif kind == b"zset":
            values = store.zrange(key, 0, -1)
        else:
            values = []
        if any(needle in value.lower() for value in [key, *values]):
            found.append(key)
    return found


def _basic(user) -> dict:
    credentials = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {credentials}"}


def test_no_dossier_number_is_stored_in_the_clear(
    client, questionnaire, son_la_official, tmp_path, settings, caplog
):
    settings.SURVEY_MIN_FILL_SECONDS = 0
    settings.SURVEY_RATE_LIMIT = 1000
    caplog.set_level(logging.INFO)
    other = "000.00.14.H51-241103-0043"

    # A one-stop system's file, on the command line and in the admin.
    call_command(
        "import_dossiers",
        write_dossiers(tmp_path / "dossiers.csv", [dossier(NUMBER, channel="online")]),
    )
    path = write_dossiers(tmp_path / "again.csv", [dossier(NUMBER, paused_days="1")])
    client.login(username=son_la_official.username, password=PASSWORD)
    with open(path, "rb") as handle:
        page = client.post("/admin/dossiers/dossier/import/", {"file": handle})
    assert page.status_code == 200
    client.logout()

    # Pushed by the API: a later record of it, a new one, and a refused batch.
    staff = _basic(son_la_official)
    pushed = client.post(
        "/api/v1/dossiers/",
        [dossier(NUMBER, paused_days="2"), dossier(other)],
        content_type="application/json",
        **staff,
    )
    assert pushed.json() == {"received": 2, "created": 1, "updated": 1, "unchanged": 0}
    refused = client.post(
        "/api/v1/dossiers/",
        [dossier(NUMBER, agency="99-nowhere")],
        content_type="application/json",
        **staff,
    )
    assert refused.status_code == 400
    assert NUMBER not in refused.content.decode()

    # Its survey invitation, asked for as a receipt prints the number, and the
    # citizen's answer through it.
    invited = client.post(
        "/api/v1/dossiers/invitation/",
        {"number": f"  {NUMBER.lower()} "},
        content_type="application/json",
        **staff,
    )
    assert invited.status_code == 200
    url = re.sub(r"^https?://[^/]+", "", invited.json()["url"])
    page = client.get(url).content.decode()
    assert client.post(url, form_data(page, questionnaire)).status_code == 302
    assert Dossier.objects.count() == 2 and Response.objects.count() == 1

    for secret in (NUMBER, other, "241103-0042"):
        assert occurrences(secret, ignore_case=True) == [], secret
        assert not redis_holding(settings.REDIS_URL, secret), secret
        assert secret.lower() not in caplog.text.lower(), secret
    # Sessions are stored encoded, out of reach of the scan above.
    for session in Session.objects.all():
        assert "241103" not in str(session.get_decoded())
    # Its keyed hash is kept once, to recognise the dossier, and nowhere else.
    assert occurrences(dossier_number_hash(NUMBER)) == [
        ("surveys_dossier", "number_hash")
    ]
