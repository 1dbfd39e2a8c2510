from __future__ import annotations

import re

import redis
from django.core.cache import cache
from django.db import connection

from surveys.hashing import keyed_hash
from surveys.models import Response
from surveys.services import invitation_batch_create, invitation_read
from tests.surveys.helpers import api_payload
from tests.surveys.test_views import form_data

ADDRESS = "203.0.113.77"
AGENT = "SecretPhone/9.9 (citizen handset)"


def test_hashes_are_keyed_and_separated_by_purpose(settings):
    one = keyed_hash("client", ADDRESS)
    assert one == keyed_hash("client", ADDRESS)
    assert one != keyed_hash("invitation", ADDRESS)
    settings.HASH_KEY = "another key"
    assert keyed_hash("client", ADDRESS) != one


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


def occurrences(secret: str) -> list[tuple[str, str]]:
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1',
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
