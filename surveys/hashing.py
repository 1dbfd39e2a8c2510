"""Keyed hashes of citizen identifiers (client addresses, tokens, dossier numbers).

Nothing that identifies a citizen is stored or used as a cache key in the clear:
a keyed hash lets us recognise the same value again without being able to recover
it, and without the key (settings.HASH_KEY) a table of guesses is useless.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under HASH_KEY, separated by `purpose` so that the
    same value hashed for two purposes gives two unrelated digests (hex, 64 chars)."""
    key = hmac.new(
        settings.HASH_KEY.encode(), f"sipas:{purpose}".encode(), hashlib.sha256
    ).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
