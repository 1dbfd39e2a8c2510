"""The first run as a new user meets it, in Chromium: answer and submit the survey
that bin/demo printed, then sign in with each login it printed and open every page
linked from the admin index and from the indicator review (a unit page, the
below-target overview, the scorecard, both exports, the responses list) and the
paper-import page. Fails when a page answers 5xx or a step cannot be done.

Not a pytest module: bin/firstrun-check runs it against a demo it started.

    python tests/firstrun/journey.py http://127.0.0.1:8123 demo.log
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Pages that must open for every login, beyond what the links lead to.
REQUIRED = [
    "/admin/indicators/indicatorvalue/",
    "/admin/indicators/indicatorvalue/below-target/",
    "/admin/indicators/scorecard/",
    "/admin/surveys/response/",
    "/admin/surveys/response/import/",
]
# Links a journey does not follow: they end the session or change data by GET.
SKIPPED = re.compile(r"/logout/|/delete/|/password/|/refresh/")


def printed_survey_and_logins(log: str) -> tuple[str, list[tuple[str, str]]]:
    """The survey address and the (user, password) pairs bin/demo printed, in
    whatever language: a login line reads "<role>: <word> USER, <word> PASSWORD"."""
    survey = re.search(r"(https?://\S+/s/[^/\s]+/)", log)
    if survey is None:
        raise SystemExit("bin/demo printed no survey address")
    logins = re.findall(r"^  [^\n]*: [^\n,]* (\S+), [^\n]* (\S+)$", log, re.M)
    if len(logins) < 3:
        raise SystemExit(f"bin/demo printed {len(logins)} logins, 3 expected")
    return survey.group(1), logins


class Journey:
    def __init__(self, browser, base: str) -> None:
        self.browser = browser
        self.base = base.rstrip("/")
        self.failures: list[str] = []
        self.opened = 0

    def watch(self, page) -> None:
        def seen(response) -> None:
            if response.status >= 500:
                self.failures.append(f"{response.status} {response.url}")

        page.on("response", seen)

    def survey(self, url: str) -> None:
        """Answer every question with a choice (4 where the scale has it), submit,
        and land on the thanks page."""
        context = self.browser.new_context(locale="vi-VN")
        page = context.new_page()
        self.watch(page)
        page.goto(url)
        names = page.eval_on_selector_all(
            "form input[type=radio]", "els => [...new Set(els.map(e => e.name))]"
        )
        for name in names:
            four = page.locator(f"input[type=radio][name='{name}'][value='4']")
            choice = (
                four
                if four.count()
                else page.locator(f"input[type=radio][name='{name}']").first
            )
            choice.check()
        with page.expect_navigation():
            page.locator("form .submit").click()
        if "/thanks/" not in page.url:
            self.failures.append(f"the survey was not accepted: ended on {page.url}")
        context.close()

    def official(self, user: str, password: str) -> None:
        context = self.browser.new_context(locale="vi-VN")
        page = context.new_page()
        self.watch(page)
        page.goto(f"{self.base}/admin/login/")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.locator("input[type=submit], button[type=submit]").first.click()
        if "/admin/login/" in page.url:
            self.failures.append(f"{user} could not sign in")
            context.close()
            return
        pages = {urlsplit(page.url).path}
        index = self.links(page, "#content-main a[href]")
        review = f"{self.base}/admin/indicators/indicatorvalue/"
        queue = [*index, *(urljoin(self.base, path) for path in REQUIRED)]
        for url in queue:
            path = urlsplit(url).path
            if path in pages or SKIPPED.search(path):
                continue
            pages.add(path)
            self.open(page, context, url)
            if url.split("?")[0] == review or path.endswith("/scorecard/"):
                # The review's and the scorecard's own links: exports, overview,
                # and the first unit page.
                for link in [
                    *self.links(page, ".object-tools a[href]"),
                    *self.links(page, "#result_list tbody a[href]")[:1],
                ]:
                    if urlsplit(link).path not in pages:
                        pages.add(urlsplit(link).path)
                        self.open(page, context, link)
        print(f"{user}: {len(pages)} pages opened")
        self.opened += len(pages)
        context.close()

    def links(self, page, selector: str) -> list[str]:
        hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.href)")
        return [h for h in hrefs if h.startswith(self.base + "/admin/")]

    def open(self, page, context, url: str) -> None:
        """A page in the browser; a download (the exports) by a request that
        carries the session."""
        if "/export" in urlsplit(url).path:
            answer = context.request.get(url)
            if answer.status >= 500:
                self.failures.append(f"{answer.status} {url}")
            elif "attachment" not in answer.headers.get("content-disposition", ""):
                self.failures.append(f"{url} is no download ({answer.status})")
            return
        page.goto(url)


def main(base: str, log_path: str) -> int:
    from playwright.sync_api import sync_playwright

    survey, logins = printed_survey_and_logins(Path(log_path).read_text())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        journey = Journey(browser, base)
        journey.survey(survey)
        for user, password in logins:
            journey.official(user, password)
        browser.close()
    for failure in journey.failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    print(f"survey submitted; {len(logins)} logins; {journey.opened} pages opened")
    return 1 if journey.failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
