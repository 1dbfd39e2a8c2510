"""Settings of the benchmarks: the platform's own settings (production ones when
PRODUCTION=1) with the URL module that adds the baseline endpoint. Only the bench
selects this module, so the baseline endpoint is never served in production."""

from __future__ import annotations

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
