"""The clients of `bench/faults.py`: phones, apps and kiosks that submit like the
survey page (one uid per response, the same uid again after a network error, a 503
or a 429), and what they saw."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.faults import Run

QUESTIONNAIRE = "sipas-service"
SUGGESTIONS = ("", "", "", "Thêm chỗ ngồi chờ.", "Cán bộ tận tình <b>&</b> chu đáo")


@dataclass
class Tally:
    """What the clients saw; shared by their threads under `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    network_errors: int = 0
    dropped_on_purpose: int = 0
    retries: int = 0
    missing_retry_after: int = 0
    given_up: int = 0
    unexpected: list[str] = field(default_factory=list)
    started: int = 0

    def note(self, **changes: int) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, getattr(self, name) + value)


class Pacer:
    """Spreads the submissions evenly over time (0: as fast as they go)."""

    def __init__(self, rate: float):
        self.interval = 1 / rate if rate else 0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            slot = max(self.next, time.monotonic())
            self.next = slot + self.interval
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class Client(threading.Thread):
    """One phone, app or kiosk. A kiosk keeps one address and browser and sends
    without pause, so it meets the rate limit; the others are many citizens behind
    a trusted proxy, each with an address of their own."""

    def __init__(self, number: int, run: Run, *, kiosk: bool):
        super().__init__(name=f"client-{number}", daemon=True)
        self.run_ = run
        self.kiosk = kiosk
        self.random = random.Random(run.seed * 1000 + number)
        self.agent = f"Mozilla/5.0 (faults client {number})"
        self.address = f"198.51.100.{number % 250 + 1}"
        self.connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        run = self.run_
        while True:
            with run.tally.lock:
                if run.tally.started >= run.args.submissions:
                    return
                run.tally.started += 1
            run.pacer.wait()
            self.submit(run.payloads.make(self.random))

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.run_.web_port, timeout=self.run_.args.timeout
            )
        return self.connection

    def _reset(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def submit(self, payload: dict) -> None:
        run, tally = self.run_, self.run_.tally
        uid = payload["uid"]
        body = json.dumps(payload).encode()
        with tally.lock:
            tally.sent.add(uid)
        address = self.address if self.kiosk else self._citizen_address()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": self.agent,
            "X-Forwarded-For": address,
            "Accept-Language": "vi",
        }
        give_up_at = time.monotonic() + run.args.give_up
        attempt = 0
        while time.monotonic() < give_up_at:
            attempt += 1
            if attempt > 1:
                tally.note(retries=1)
            try:
                connection = self._connection()
                connection.request("POST", "/api/v1/responses/", body, headers)
                if self.random.random() < run.args.drop_rate:
                    # The response is lost on the way back (a phone leaving the
                    # Wi-Fi): the server may have stored it, the client cannot know.
                    tally.note(dropped_on_purpose=1)
                    self._reset()
                    time.sleep(0.05)
                    continue
                answer = connection.getresponse()
                data = answer.read()
            except (OSError, http.client.HTTPException):
                tally.note(network_errors=1)
                self._reset()
                time.sleep(0.2 + self.random.random() * 0.5)
                continue
            status = answer.status
            with tally.lock:
                tally.statuses[status] += 1
            if status in (200, 201):
                with tally.lock:
                    tally.acknowledged.add(uid)
                return
            if status in (429, 503):
                retry_after = answer.getheader("Retry-After")
                if not retry_after or not retry_after.isdigit():
                    tally.note(missing_retry_after=1)
                    retry_after = "5"
                wait = min(int(retry_after), run.args.max_retry_after)
                time.sleep(wait * (0.8 + 0.4 * self.random.random()))
                continue
            if answer.getheader("Connection", "").lower() == "close":
                self._reset()
            with tally.lock:
                if len(tally.unexpected) < 20:
                    tally.unexpected.append(f"{status}: {data[:300]!r}")
            if status >= 500:
                time.sleep(0.5)
                continue
            return  # a 4xx other than 429 will not get better by sending it again
        tally.note(given_up=1)

    def _citizen_address(self) -> str:
        r = self.random
        return f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"


class Payloads:
    """Submissions as the survey page sends them: the questionnaire's criteria as
    the API describes them, and the agencies citizens answer about."""

    def __init__(self, web_port: int):
        connection = http.client.HTTPConnection("127.0.0.1", web_port, 10)
        connection.request("GET", f"/api/v1/questionnaires/{QUESTIONNAIRE}/?lang=en")
        layout = json.loads(connection.getresponse().read())
        self.criteria = [
            (c["code"], c["required"])
            for element in layout["elements"]
            for c in element["criteria"]
        ]
        from surveys.models import Agency

        self.agencies = list(
            Agency.objects.filter(active=True).values_list("code", flat=True)
        )

    def make(self, r: random.Random) -> dict:
        answers: dict[str, int | None] = {}
        mood = r.choice((2, 3, 4, 4, 5, 5))
        for code, required in self.criteria:
            if not required and r.random() < 0.2:
                answers[code] = None
            elif r.random() < 0.05:
                answers[code] = 0
            else:
                answers[code] = max(1, min(5, mood + r.choice((-1, 0, 0, 1))))
        responded_on = dt.date.today() - dt.timedelta(days=r.randrange(0, 400))
        return {
            "uid": str(uuid.UUID(int=r.getrandbits(128), version=4)),
            "questionnaire": QUESTIONNAIRE,
            "agency": r.choice(self.agencies),
            "channel": r.choice(("in_person", "online", "post")),
            "responded_on": responded_on.isoformat(),
            "answers": answers,
            "gender": r.choice(("female", "male", None)),
            "suggestion": r.choice(SUGGESTIONS),
        }
