"""How hard the property and schema tests try. `bin/test` runs them with enough
examples to exercise every operation and path on each run; `bin/test-long`
(SIPAS_TEST_PROFILE=long) runs the same tests with several times as many, as
before a release or after a change of the API or of the rollup."""

from __future__ import annotations

import os

LONG = os.environ.get("SIPAS_TEST_PROFILE", "").lower() == "long"


def examples(*, quick: int, long: int) -> int:
    """The number of examples a property or schema test generates."""
    return long if LONG else quick
