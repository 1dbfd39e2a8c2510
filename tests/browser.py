"""Debian's Chromium driven by Playwright, for the browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in the test's thread; the ORM calls a
# test makes between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# Without the background-networking flags Chromium keeps calling home, and a
# closed network refuses it again and again.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"Chromium not found at {CHROMIUM} (install it or set CHROMIUM)",
    ),
]


@contextmanager
def browser_page(
    *,
    width: int,
    height: int,
    timeout_ms: int,
    locale: str = "vi-VN",
    javascript: bool = True,
) -> Iterator:
    """A page in a fresh browser context (a Vietnamese-language one by default)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            java_script_enabled=javascript,
        )
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # The test's queries ran in Playwright's greenlet, which has its own
            # database connection: close it, or the test database cannot be dropped.
            connections.close_all()
