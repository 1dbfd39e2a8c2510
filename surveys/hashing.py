"""Keyed hashes of citizen identifiers (client addresses, tokens, dossier numbers).

Nothing that identifies a citizen is stored or used as a cache key in the clear:
a keyed hash lets us recognise the same value again without being able to recover
it, and without the key (settings.HASH_KEY) a table of guesses is useless.
"""

from __future__ import annotations

import functools
import hmac

from django.conf import settings


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under HASH_KEY, separated by `purpose` so that the
    same value hashed for two purposes gives two unrelated digests (hex, 64 chars)."""
    key = _purpose_key(settings.HASH_KEY, purpose)
    return hmac.digest(key, value.encode(), "sha256").hex()


@functools.lru_cache(maxsize=64)
def _purpose_key(hash_key: str, purpose: str) -> bytes:
    """HMAC-SHA256 of "sipas:<purpose>" under HASH_KEY: derived once per process,
    not for every submission's client key."""
    return hmac.digest(hash_key.encode(), f"sipas:{purpose}".encode(), "sha256")
