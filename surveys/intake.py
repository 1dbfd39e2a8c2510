"""Abuse checks at intake: rate limits per client, minimum fill time, honeypot.

A check that fires marks the response (`Response.flags`) rather than dropping it:
officials review flagged responses, and a citizen is never silently ignored. Only
the hard rate limit refuses, and then the client is told so (429). The counters
live in the cache (Redis); a cache failure is logged and the check is skipped, so
that an outage of Redis never costs a submission.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from typing import TYPE_CHECKING

import redis
from django.conf import settings
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from surveys.hashing import keyed_hash
from surveys.models import Response

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
    """A keyed hash of address and browser: people sharing a service centre's
    connection on different phones count apart, and neither is kept in the clear."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return keyed_hash("client", f"{client_address(request)}|{agent}")


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


def rate_flags(request: HttpRequest, *, uid: uuid.UUID | None) -> int:
    """Count this submission; BURST above the burst threshold, RateLimited above
    the hard limit (except for a retry of a response already stored, which must
    get its answer)."""
    count = _count_submission(client_key(request))
    if count is None:
        return 0
    if count > settings.SURVEY_RATE_LIMIT:
        if uid is not None and Response.objects.filter(uid=uid).exists():
            return 0
        raise RateLimited(retry_after=_window()[1])
    if count > burst_threshold():
        return Response.Flag.BURST
    return 0


def started_token() -> str:
    """A signed stamp of when the form was shown, for its hidden field."""
    return signing.dumps(time.time(), salt=STARTED_SALT)


def form_flags(*, started: str, honeypot: str) -> int:
    """HONEYPOT when the hidden field was filled; TOO_FAST when the form came back
    sooner than a person can read it, or without a valid stamp."""
    flags = 0
    if honeypot.strip():
        flags |= Response.Flag.HONEYPOT
    try:
        shown_at = float(signing.loads(started, salt=STARTED_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        shown_at = None
    if shown_at is None or time.time() - shown_at < settings.SURVEY_MIN_FILL_SECONDS:
        flags |= Response.Flag.TOO_FAST
    return flags
