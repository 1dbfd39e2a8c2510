"""Load with faults: the real stack under citizens' traffic while its services fail.

Starts a private PostgreSQL cluster, a private Redis, gunicorn and a Celery worker
(never the machine's shared services), then sends submissions from concurrent
clients that behave like the survey page and apps: one uid per response, and the
same uid again after a network error, a 503 or a 429. During the run it

- stops Redis for a while and starts it again,
- kills the Celery worker (SIGKILL) in the middle of an indicator refresh and
  starts a new one,
- restarts PostgreSQL (immediate shutdown, i.e. a crash): meanwhile submissions
  must get 503 with Retry-After, never 500.

Afterwards it prints responses acknowledged, stored, duplicates and lost, and
whether the indicator counts and values equal a full rebuild; `--json` writes the
same as JSON. Exit status 0 only when nothing was lost or doubled, no request got
a 500 and the indicators match.

    python bench/faults.py                       # 20,000 submissions, 50 clients
    python bench/faults.py --quick               # 1,500 / 10, shorter outages

Run as root it runs PostgreSQL as the `postgres` user (initdb refuses root).
`PG_BINDIR` names PostgreSQL's bin directory when `pg_config` is not on PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE = "sipas-service"
SUGGESTIONS = ("", "", "", "Thêm chỗ ngồi chờ.", "Cán bộ tận tình <b>&</b> chu đáo")


# --- private services ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f} s] {message}", flush=True)


class Process:
    """A child in its own process group, so that stopping it stops its children
    (gunicorn's and Celery's workers) and nothing else."""

    def __init__(self, name: str, argv: list[str], *, env: dict, logdir: Path):
        self.name = name
        self.log_path = logdir / f"{name}-{int(time.time() * 1000)}.log"
        with open(self.log_path, "w") as handle:
            self.popen = subprocess.Popen(
                argv,
                cwd=PROJECT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=15)

    def stop(self, timeout: float = 20) -> None:
        if not self.alive():
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""


def pg_bindir() -> Path:
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    if shutil.which("pg_config"):
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        )
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("PostgreSQL's initdb not found: set PG_BINDIR")


class PrivatePostgres:
    """A throw-away cluster in a temporary directory, on a port of its own."""

    def __init__(self, workdir: Path):
        self.bindir = pg_bindir()
        self.dir = workdir / "pg"
        self.dir.mkdir()
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(workdir, "postgres")
            shutil.chown(self.dir, "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False

    def _run(self, tool: str, *args: str) -> None:
        argv = [str(self.bindir / tool), *args]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, cwd=self.dir)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
            " -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "postgres.log"),
            "-w",
            "start",
        )
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
            self.running = False


class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        argv = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ]
        self.process = Process("redis", argv, env=dict(os.environ), logdir=self.workdir)
        wait_until(lambda: port_open(self.port), 15, "Redis")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


# --- the clients -----------------------------------------------------------------


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
            self.submit(run.payload(self.random))

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


# --- the run ---------------------------------------------------------------------


class Run:
    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.seed = args.seed
        self.workdir = workdir
        self.tally = Tally()
        self.pacer = Pacer(args.rate)
        self.cleanups: list[Callable[[], None]] = []
        self.faults: list[dict] = []
        self.web_port = free_port()
        self.worker: Process | None = None
        self.refreshes_sent = 0
        self.refresh_errors = 0

    # services

    def child_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": os.environ.get("SECRET_KEY", "faults-" + "x1y2z3" * 10),
            "HASH_KEY": os.environ.get("HASH_KEY", "faults-hash-" + "a4b5c6" * 10),
            "DEBUG": "0",
            "PRODUCTION": "0",
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "60",
            "SURVEY_TRUSTED_PROXIES": "1",
            "SURVEY_RATE_LIMIT": str(self.args.rate_limit),
            "SURVEY_RATE_WINDOW_SECONDS": str(self.args.rate_window),
            "PYTHONUNBUFFERED": "1",
        }

    def start_services(self) -> None:
        self.pg = PrivatePostgres(self.workdir)
        self.cleanups.append(lambda: self.pg.stop("immediate"))
        self.pg.start()
        subprocess.run(
            [
                str(self.pg.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.pg.port),
                "-U",
                "postgres",
                "sipas",
            ],
            check=True,
            capture_output=True,
        )
        self.db_url = f"postgres://postgres@127.0.0.1:{self.pg.port}/sipas"
        self.redis = PrivateRedis(self.workdir)
        self.cleanups.append(self.redis.stop)
        self.redis.start()
        log(f"PostgreSQL on {self.pg.port}, Redis on {self.redis.port}")

        os.environ.update(
            {
                k: v
                for k, v in self.child_env().items()
                if k
                in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "HASH_KEY", "LOG_LEVEL"}
            }
        )
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "-v", "0"], ["load_reference_data", "-v", "0"]):
            subprocess.run(
                manage + command, cwd=PROJECT, env=self.child_env(), check=True
            )

        web = Process(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "-w",
                str(self.args.web_workers),
                "-k",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            env=self.child_env(),
            logdir=self.workdir,
        )
        self.cleanups.append(web.stop)
        self.web = web
        wait_until(lambda: self._healthy(), 60, "gunicorn")
        self.start_worker()
        log(f"gunicorn on {self.web_port}, worker pid {self.worker.popen.pid}")

    def _healthy(self) -> bool:
        if not self.web.alive():
            raise RuntimeError("gunicorn died:\n" + self.web.tail())
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.web_port, 2)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def start_worker(self) -> None:
        worker = Process(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            env={**self.child_env(), "DB_CONN_MAX_AGE": "0"},
            logdir=self.workdir,
        )
        self.cleanups.append(worker.stop)
        self.worker = worker

    def cleanup(self) -> None:
        for action in reversed(self.cleanups):
            try:
                action()
            except Exception as error:  # noqa: BLE001 - clean up the rest anyway
                log(f"cleanup: {error!r}")
        self.cleanups.clear()

    # the load

    def prepare_payloads(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.web_port, 10)
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

    def payload(self, r: random.Random) -> dict:
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

    def progress(self) -> float:
        with self.tally.lock:
            return len(self.tally.acknowledged) / self.args.submissions

    # the faults

    def send_refresh(self, **kwargs) -> object | None:
        from indicators import tasks

        try:
            result = tasks.refresh_incremental.apply_async(kwargs=kwargs)
        except Exception as error:  # noqa: BLE001 - the broker may be the fault
            self.refresh_errors += 1
            log(f"refresh not sent: {type(error).__name__}")
            return None
        self.refreshes_sent += 1
        return result

    def refresher(self, stop: threading.Event) -> None:
        """Stands in for beat: an incremental refresh every few seconds."""
        pending = None
        while not stop.wait(self.args.refresh_every):
            # Like beat with a lock: no backlog of folds behind a slow one, so
            # that the fault's own refresh starts soon after it is sent.
            with suppress(Exception):
                if pending is not None and not pending.ready():
                    continue
            pending = self.send_refresh()

    def fault_redis(self) -> None:
        log(f"fault: Redis stopped for {self.args.redis_outage} s")
        started = time.monotonic()
        self.redis.stop()
        time.sleep(self.args.redis_outage)
        self.redis.start()
        self.faults.append(
            {"fault": "redis stopped", "seconds": round(time.monotonic() - started, 1)}
        )
        log("fault: Redis back")

    def fault_worker(self) -> None:
        from django.db import connection

        log("fault: refresh sent with a pause, to kill its worker mid-fold")
        deadline = time.monotonic() + 60
        in_fold = False
        while not in_fold and time.monotonic() < deadline:
            if self.send_refresh(pause_seconds=self.args.fold_pause) is None:
                time.sleep(1)
                continue
            until = time.monotonic() + 20
            while time.monotonic() < until:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                        " AND query LIKE 'SELECT pg_sleep%%'"
                    )
                    if cursor.fetchone()[0]:
                        in_fold = True
                        break
                time.sleep(0.05)
        old = self.worker
        old.kill()
        log(f"fault: worker {old.popen.pid} killed (SIGKILL) mid-fold={in_fold}")
        self.start_worker()
        self.faults.append({"fault": "worker killed", "mid_fold": in_fold})

    def fault_postgres(self) -> None:
        from django.db import connections

        log(f"fault: PostgreSQL down (immediate) for {self.args.pg_outage} s")
        started = time.monotonic()
        with self.tally.lock:
            before = self.tally.statuses[503]
        self.pg.stop("immediate")
        time.sleep(self.args.pg_outage)
        self.pg.start()
        connections.close_all()
        with self.tally.lock:
            during = self.tally.statuses[503] - before
        self.faults.append(
            {
                "fault": "postgresql restarted",
                "seconds": round(time.monotonic() - started, 1),
                "503_during": during,
            }
        )
        log(f"fault: PostgreSQL back ({during} answers 503 meanwhile)")

    def fault_plan(self, done: threading.Event) -> None:
        plan = [
            (0.2, self.fault_redis),
            (0.45, self.fault_worker),
            (0.7, self.fault_postgres),
        ]
        for at, fault in plan:
            while self.progress() < at and not done.is_set():
                time.sleep(0.2)
            if done.is_set():
                log(f"load ended before {fault.__name__}: raise --submissions")
                self.faults.append({"fault": fault.__name__, "skipped": True})
                continue
            try:
                fault()
            except Exception as error:  # noqa: BLE001 - reported, then cleaned up
                self.faults.append({"fault": fault.__name__, "error": repr(error)})
                log(f"fault {fault.__name__} failed: {error!r}")

    def load(self) -> float:
        self.prepare_payloads()
        clients = [
            Client(n, self, kiosk=n < self.args.kiosks)
            for n in range(self.args.clients)
        ]
        started = time.monotonic()
        done, stop = threading.Event(), threading.Event()
        faults = threading.Thread(target=self.fault_plan, args=(done,), daemon=True)
        refresher = threading.Thread(target=self.refresher, args=(stop,), daemon=True)
        faults.start()
        refresher.start()
        last = 0.0
        for client in clients:
            client.start()
        while any(c.is_alive() for c in clients):
            time.sleep(0.5)
            if time.monotonic() - last > 10:
                last = time.monotonic()
                t = self.tally
                log(
                    f"{len(t.acknowledged):>6} acknowledged, {sum(t.statuses.values())}"
                    f" answers {dict(sorted(t.statuses.items()))},"
                    f" {t.network_errors} network errors"
                )
        done.set()
        faults.join()
        stop.set()
        refresher.join()
        return time.monotonic() - started

    # the checks

    def final_refresh(self) -> None:
        """Fold everything with a live worker, as beat would, then stop it so that
        the checks below compare a quiet database."""
        wait_until(lambda: port_open(self.redis.port), 10, "Redis")
        for attempt in range(3):
            result = self.send_refresh()
            try:
                if result is not None:
                    outcome = result.get(timeout=180)
                    log(f"final refresh: {outcome}")
                    if outcome.get("folded"):
                        break
            except Exception as error:  # noqa: BLE001 - retried below
                log(f"final refresh attempt {attempt + 1}: {error!r}")
        self.worker.stop()

    def check(self, elapsed: float) -> dict:
        from django.db import connection, connections

        from indicators.engine import figures, pipeline, reconcile

        connections.close_all()
        tally = self.tally
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(DISTINCT uid) FROM surveys_response")
            stored, distinct = cursor.fetchone()
            cursor.execute("SELECT uid::text FROM surveys_response")
            stored_uids = {uid for (uid,) in cursor.fetchall()}
            cursor.execute("SELECT count(*) FROM surveys_response WHERE flags <> 0")
            (flagged,) = cursor.fetchone()
        reconciled = reconcile.rollup_reconcile()
        live_values = value_rows()
        pipeline.rollup_rebuild()
        figures.figures_rebuild()
        rebuilt_values = value_rows()
        differing_values = len(set(live_values.items()) ^ set(rebuilt_values.items()))
        return {
            "submissions": self.args.submissions,
            "clients": self.args.clients,
            "seconds": round(elapsed, 1),
            "per_second": round(len(tally.acknowledged) / elapsed, 1),
            "acknowledged": len(tally.acknowledged),
            "stored": stored,
            "flagged_at_intake": flagged,
            "duplicates": stored - distinct,
            "lost": len(tally.acknowledged - stored_uids),
            "stored_never_sent": len(stored_uids - tally.sent),
            "never_acknowledged": len(tally.sent - tally.acknowledged),
            "given_up": tally.given_up,
            "answers": {str(k): v for k, v in sorted(tally.statuses.items())},
            "server_errors": sum(v for k, v in tally.statuses.items() if k >= 500)
            - tally.statuses.get(503, 0),
            "missing_retry_after": tally.missing_retry_after,
            "retries": tally.retries,
            "network_errors": tally.network_errors,
            "responses_dropped_on_purpose": tally.dropped_on_purpose,
            "unexpected_answers": tally.unexpected,
            "refreshes_sent": self.refreshes_sent,
            "refreshes_not_sent": self.refresh_errors,
            "faults": self.faults,
            "rollup_matches_rebuild": reconciled.matched,
            "rollup_differing_rows": reconciled.differing_rows,
            "indicator_values": len(live_values),
            "values_match_rebuild": differing_values == 0,
            "values_differing_rows": differing_values,
        }


def value_rows() -> dict[tuple, tuple]:
    """Every indicator value, keyed by what it is about, with what it says
    (floats rounded: a sum in another order may differ in the last bit)."""
    from indicators.models import IndicatorValue

    skip = {"id", "computed_at"}
    names = [f.attname for f in IndicatorValue._meta.concrete_fields]
    key = (
        "indicator",
        "definition_id",
        "level",
        "unit_id",
        "period_kind",
        "period_key",
    )

    def plain(value):
        if isinstance(value, float):
            return round(value, 9)
        if isinstance(value, dict):
            return tuple(sorted((k, plain(v)) for k, v in value.items()))
        if isinstance(value, list):
            return tuple(plain(v) for v in value)
        return value

    rows = {}
    for row in IndicatorValue.objects.values_list(*names):
        record = dict(zip(names, row, strict=True))
        rows[tuple(record[k] for k in key)] = tuple(
            (n, plain(record[n])) for n in names if n not in skip
        )
    return rows


def ok(report: dict) -> bool:
    return (
        report["lost"] == 0
        and report["duplicates"] == 0
        and report["stored_never_sent"] == 0
        and report["server_errors"] == 0
        and report["missing_retry_after"] == 0
        and report["acknowledged"] == report["submissions"]
        and report["stored"] == report["acknowledged"]
        and report["rollup_matches_rebuild"]
        and report["values_match_rebuild"]
        and not any("error" in f or f.get("skipped") for f in report["faults"])
    )


def print_report(report: dict) -> None:
    lines = [
        ("submissions sent", report["submissions"]),
        ("concurrent clients", report["clients"]),
        ("duration (s)", report["seconds"]),
        ("acknowledged per second", report["per_second"]),
        ("responses acknowledged", report["acknowledged"]),
        ("responses stored", report["stored"]),
        ("duplicates", report["duplicates"]),
        ("lost", report["lost"]),
        ("stored but never sent", report["stored_never_sent"]),
        ("never acknowledged", report["never_acknowledged"]),
        ("answers by status", report["answers"]),
        ("server errors (5xx other than 503)", report["server_errors"]),
        ("503/429 without Retry-After", report["missing_retry_after"]),
        ("retries (same uid)", report["retries"]),
        ("network errors seen by clients", report["network_errors"]),
        ("responses dropped on purpose", report["responses_dropped_on_purpose"]),
        (
            "refreshes sent / not sent",
            (report["refreshes_sent"], report["refreshes_not_sent"]),
        ),
        ("rollup equals a full rebuild", report["rollup_matches_rebuild"]),
        ("indicator values", report["indicator_values"]),
        ("indicator values equal a full rebuild", report["values_match_rebuild"]),
    ]
    width = max(len(name) for name, _ in lines)
    for name, value in lines:
        print(f"{name:<{width}}  {value}")
    for fault in report["faults"]:
        print(f"fault: {fault}")
    for answer in report["unexpected_answers"]:
        print(f"unexpected answer: {answer}")
    print("RESULT:", "PASS" if ok(report) else "FAIL")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1,500 submissions, 10 clients, short outages",
    )
    parser.add_argument("--submissions", type=int)
    parser.add_argument("--clients", type=int)
    parser.add_argument("--kiosks", type=int, help="clients that meet the rate limit")
    parser.add_argument(
        "--rate", type=float, help="submissions per second in all (0: no pacing)"
    )
    parser.add_argument("--redis-outage", type=float)
    parser.add_argument("--pg-outage", type=float)
    parser.add_argument("--fold-pause", type=float, default=3)
    parser.add_argument("--refresh-every", type=float)
    parser.add_argument(
        "--max-retry-after", type=float, help="longest wait a client honours (s)"
    )
    parser.add_argument("--rate-limit", type=int, default=20)
    parser.add_argument("--rate-window", type=int, default=5)
    parser.add_argument("--drop-rate", type=float, default=0.01)
    parser.add_argument("--timeout", type=float, default=15)
    parser.add_argument("--give-up", type=float, default=300)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20250701)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    full = {
        "submissions": 20000,
        "clients": 50,
        "kiosks": 2,
        "rate": 0,
        "redis_outage": 20,
        "pg_outage": 15,
        "refresh_every": 5,
        "max_retry_after": 30,
    }
    quick = {
        "submissions": 1500,
        "clients": 10,
        "kiosks": 1,
        "rate": 40,
        "redis_outage": 4,
        "pg_outage": 4,
        "refresh_every": 2,
        "max_retry_after": 2,
    }
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="sipas-faults-"))
    run = Run(args, workdir)

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    passed = False
    try:
        run.start_services()
        sys.path.insert(0, str(PROJECT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        log(f"load: {args.submissions} submissions from {args.clients} clients")
        elapsed = run.load()
        run.final_refresh()
        report = run.check(elapsed)
        print_report(report)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2))
        passed = ok(report)
    except BaseException:
        for process in (getattr(run, "web", None), run.worker):
            if process is not None:
                print(f"--- {process.name} log ---\n{process.tail()}", file=sys.stderr)
        raise
    finally:
        with suppress(Exception):
            from django.db import connections

            connections.close_all()
        run.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
