"""Debian's Chromium driven by Playwright, for the browser tests."""

from __future__ import annotations

import asyncio
import atexit
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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


_running: dict[str, object] = {}


def _browser():
    """The test process's Chromium, launched by its first browser test and kept
    for the others (each gets a fresh context): a launch with Playwright's driver
    costs most of a second."""
    from playwright.sync_api import sync_playwright

    _loop_resume()
    browser = _running.get("browser")
    if browser is None or not browser.is_connected():
        if "playwright" not in _running:
            _running["playwright"] = sync_playwright().start()
            atexit.register(_browser_stop)
        browser = _running["playwright"].chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        _running["browser"] = browser
    return browser


def _loop_pause() -> None:
    """Between its calls Playwright marks its event loop as running in this
    thread, and Django then keeps a second database connection for it. Between
    browser tests the loop is unmarked, so that other tests use the thread's
    connection; `_loop_resume` marks it again before Playwright's next call."""
    loop = asyncio._get_running_loop()
    if loop is not None:
        _running["loop"] = loop
        asyncio._set_running_loop(None)


def _loop_resume() -> None:
    loop = _running.pop("loop", None)
    if loop is not None:
        asyncio._set_running_loop(loop)


def _browser_stop() -> None:
    _loop_resume()
    browser = _running.pop("browser", None)
    playwright = _running.pop("playwright", None)
    with suppress(Exception):
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()


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
    ARTIFACTS.mkdir(exist_ok=True)
    context = _browser().new_context(
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
        # The test's queries since its first browser step went to the second
        # connection (`_loop_pause`): close it, or the test database cannot be
        # dropped.
        connections.close_all()
        _loop_pause()


def admin_sign_in(page, base: str, username: str) -> None:
    """Sign in to the admin at `base` as `username` (the tests' password)."""
    from tests.conftest import PASSWORD

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
