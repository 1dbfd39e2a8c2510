from __future__ import annotations

import logging

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from surveys.intake import _count_submission, _window, client_address, client_key
from surveys.models import Response
from tests.surveys.helpers import api_payload

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens here: the shared Redis keeps running for everyone else.
        "LOCATION": "redis://127.0.0.1:6390/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_a_submission_succeeds_while_redis_is_unreachable(
    client, questionnaire, son_la_centre, settings, caplog
):
    settings.CACHES = UNREACHABLE_REDIS
    with pytest.raises(Exception):  # noqa: B017 - proves the cache is really down
        cache.get("anything")
    payload = api_payload(questionnaire, son_la_centre)
    with caplog.at_level(logging.WARNING, logger="surveys.intake"):
        result = client.post(
            "/api/v1/responses/", payload, content_type="application/json"
        )
    assert result.status_code == 201
    assert Response.objects.filter(uid=payload["uid"], flags=0).exists()
    assert "cache unavailable" in caplog.text


def test_the_client_key_hides_the_address_and_ignores_the_browser(rf, settings):
    """The User-Agent is the client's to change: the audit changed it every ten
    posts and had each ten counted afresh."""
    one = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Phone A")
    other = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Phone B")
    elsewhere = rf.get("/", REMOTE_ADDR="203.0.113.8", HTTP_USER_AGENT="Phone A")
    assert client_key(one) == client_key(other) != client_key(elsewhere)
    assert "203.0.113.7" not in client_key(one)
    assert len(client_key(one)) == 64


def test_forwarded_addresses_count_only_behind_trusted_proxies(rf, settings):
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9"
    )
    assert client_address(request) == "10.0.0.2"
    settings.SURVEY_TRUSTED_PROXIES = 1
    assert client_address(request) == "203.0.113.9"


LOCAL_MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.mark.parametrize("backend", ["configured", "local memory"])
def test_each_submission_counts_once_in_a_window_that_expires(
    backend, settings, clean_cache
):
    if backend == "local memory":
        settings.CACHES = LOCAL_MEMORY
    settings.SURVEY_RATE_WINDOW_SECONDS = 600
    assert [_count_submission("client-a") for _ in range(3)] == [1, 2, 3]
    assert _count_submission("client-b") == 1
    window, _left = _window()
    key = f"surveys:rate:client-a:{window}"
    assert cache.get(key) == 3
    if isinstance(caches["default"], RedisCache):
        client = caches["default"]._cache.get_client(write=True)
        assert 600 < client.ttl(cache.make_key(key)) <= 1200
    cache.delete(key)
    assert _count_submission("client-a") == 1
