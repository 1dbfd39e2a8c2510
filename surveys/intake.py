"""Abuse checks at intake, alike on the page and the API: a quota per client
address, a signed single-use start stamp with a minimum fill time, a honeypot,
and a flag on a burst of identical answers to one agency from one address.

A check that fires marks the response (`Response.flags`) rather than dropping it:
officials review flagged responses, and a citizen is never silently ignored. Only
the hard rate limit refuses, and then the client is told so (429). The counters
live in the cache (Redis); a cache failure is logged and the check is skipped, so
that an outage of Redis never costs a submission.

The quota counts the address alone: the audit changed its User-Agent every ten
posts and had 60 of 60 counted when the key held the browser too. Many honest
citizens share one address (a service centre's Wi-Fi, a tablet at the counter):
a response with a valid invitation is not limited by address, and an agency's
kiosk or known addresses (`KnownAddress`) have a quota of their own.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

import redis
from django.conf import settings
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from surveys.hashing import keyed_hash
from surveys.models import Response
from surveys.selectors import known_address_for

if TYPE_CHECKING:
    from redis.commands.core import Script

logger = logging.getLogger(__name__)

STARTED_SALT = "surveys.form-started"
# Name of the honeypot field: plausible enough that form-filling bots fill it.
HONEYPOT_FIELD = "website"


class RateLimited(Exception):
    """Too many submissions from one client: refuse, and say when to retry."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_address(request: HttpRequest) -> str:
    """The client's address; behind N trusted proxies, the Nth address from the
    right of X-Forwarded-For (addresses further left can be forged)."""
    proxies = getattr(settings, "SURVEY_TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address, never of anything else the client
    sends (a header is the client's to change); not kept in the clear."""
    return keyed_hash("client", client_address(request))


def burst_threshold() -> int:
    return getattr(settings, "SURVEY_BURST_THRESHOLD", 0) or max(
        1, settings.SURVEY_RATE_LIMIT // 2
    )


def _window() -> tuple[int, int]:
    """The current rate window (its number) and the seconds left in it."""
    length = settings.SURVEY_RATE_WINDOW_SECONDS
    now = time.time()
    return int(now // length), max(1, math.ceil(length - now % length))


# INCR, and a timeout for a key it created, in one atomic round trip.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


# Options of Django's RedisCache that are its own, not the connection pool's.
_DJANGO_ONLY_OPTIONS = frozenset({"parser_class", "pool_class", "serializer"})
_scripts: dict[tuple[str, str], Script] = {}


def _redis_count_script() -> Script | None:
    """The counting script for the default cache's Redis server (its first, where
    Django's cache writes), on a client of the script's own with the cache's
    connection options; None when the cache is not Redis. Django's RedisCache
    exposes no client, and builds one for every call: that cost more CPU than
    the round trip. One client per server and options, per process."""
    if not isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCache):
        return None
    config = settings.CACHES[DEFAULT_CACHE_ALIAS]
    location = config["LOCATION"]
    if not isinstance(location, str):
        location = location[0]
    location = location.split(",")[0].strip()
    options = {
        name: value
        for name, value in config.get("OPTIONS", {}).items()
        if name not in _DJANGO_ONLY_OPTIONS
    }
    key = (location, repr(sorted(options.items())))
    script = _scripts.get(key)
    if script is None:
        client = redis.Redis.from_url(location, **options)
        script = _scripts[key] = client.register_script(_COUNT_SCRIPT)
    return script


def _increment(cache_key: str, timeout: int) -> int:
    """Add 1 to the counter under `cache_key`, created with `timeout` seconds."""
    script = _redis_count_script()
    if script is None:
        cache.add(cache_key, 0, timeout=timeout)
        return cache.incr(cache_key)
    return int(script(keys=[cache.make_key(cache_key)], args=[timeout]))


def _count_submission(key: str) -> int | None:
    """Count one submission in the client's current window; None when the cache
    cannot be reached.

    Each window has a key of its own that outlives it: incrementing a single key
    that expires raced with its expiry (Redis's INCR then recreates it without a
    timeout), and the client was refused for good. On Redis, a window's key gets
    its timeout in the same atomic step that creates it."""
    window, _left = _window()
    cache_key = f"surveys:rate:{key}:{window}"
    try:
        return _increment(cache_key, 2 * settings.SURVEY_RATE_WINDOW_SECONDS)
    except ValueError:
        # Other caches: evicted between add and incr (memory pressure); count it
        # as the first.
        return 1
    except Exception:  # noqa: BLE001 - any cache failure must not cost a response
        logger.warning("survey rate limit skipped: cache unavailable", exc_info=True)
        return None


def rate_flags(
    request: HttpRequest,
    *,
    uid: uuid.UUID | None,
    agency_id: int | None = None,
    answers: Mapping[str, object] | None = None,
) -> int:
    """Count this submission against its address's quota: BURST above the burst
    threshold, PATTERN for the same answers to one agency repeated from one
    address, RateLimited above the hard limit (except for a retry of a response
    already stored, which must get its answer). An agency's known address counts
    against its own quota, and is never flagged BURST or PATTERN."""
    address = client_address(request)
    known = known_address_for(address, agency_id) if agency_id else None
    if known is not None:
        key, limit = f"known:{known.id}", known.quota
    else:
        key, limit = keyed_hash("client", address), settings.SURVEY_RATE_LIMIT
    count = _count_submission(key)
    if count is None:
        return 0
    if count > limit:
        if uid is not None and Response.objects.filter(uid=uid).exists():
            return 0
        raise RateLimited(retry_after=_window()[1])
    if known is not None:
        return 0
    flags = Response.Flag.BURST if count > burst_threshold() else 0
    if answers is not None and agency_id is not None:
        flags |= _pattern_flag(address, agency_id, answers)
    return flags


def _pattern_flag(address: str, agency_id: int, answers: Mapping[str, object]) -> int:
    """PATTERN once the same answers to one agency come from one address more than
    SURVEY_PATTERN_THRESHOLD times in a window."""
    threshold = settings.SURVEY_PATTERN_THRESHOLD
    if threshold <= 0:
        return 0
    pattern = json.dumps(sorted(answers.items(), key=lambda item: str(item[0])))
    count = _count_submission(
        "pattern:" + keyed_hash("pattern", f"{address}|{agency_id}|{pattern}")
    )
    return Response.Flag.PATTERN if count is not None and count > threshold else 0


def started_token() -> str:
    """A signed stamp of when the form or questionnaire was handed out, with a
    nonce that makes it single-use."""
    return signing.dumps(
        {"t": round(time.time(), 3), "n": secrets.token_urlsafe(12)},
        salt=STARTED_SALT,
    )


def form_flags(*, started: str, honeypot: str, uid: uuid.UUID) -> int:
    """HONEYPOT when the hidden field was filled; STAMP when the start stamp is
    missing, forged, expired or was spent by another response (the audit reused
    one with 5 new uids); TOO_FAST when it came back sooner than a person can
    read the questions. A retry of the same response may show its stamp again."""
    flags = 0
    if honeypot.strip():
        flags |= Response.Flag.HONEYPOT
    max_age = settings.SURVEY_STAMP_MAX_AGE_SECONDS
    try:
        payload = signing.loads(started, salt=STARTED_SALT, max_age=max_age)
        shown_at, nonce = float(payload["t"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return flags | Response.Flag.STAMP
    if time.time() - shown_at > max_age:
        return flags | Response.Flag.STAMP
    if not _stamp_spend(nonce, uid, max_age):
        flags |= Response.Flag.STAMP
    if time.time() - shown_at < settings.SURVEY_MIN_FILL_SECONDS:
        flags |= Response.Flag.TOO_FAST
    return flags


def _stamp_spend(nonce: str, uid: uuid.UUID, max_age: int) -> bool:
    """Spend the stamp on this response: True the first time, and again for the
    same uid (a retry); False when another response spent it. True when the cache
    cannot be reached (a Redis outage must not flag honest citizens)."""
    key = f"surveys:stamp:{nonce}"
    try:
        if cache.add(key, str(uid), timeout=max_age):
            return True
        return cache.get(key) == str(uid)
    except Exception:  # noqa: BLE001 - any cache failure must not cost a response
        logger.warning("survey stamp check skipped: cache unavailable", exc_info=True)
        return True
