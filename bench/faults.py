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
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults_clients import Client, Pacer, Payloads, Tally  # noqa: E402
from bench.faults_report import ok, print_report, report_make  # noqa: E402
from bench.faults_stack import (  # noqa: E402
    PROJECT,
    PrivatePostgres,
    PrivateRedis,
    Process,
    free_port,
    log,
    port_open,
    wait_until,
)


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
        for command in (
            ["migrate", "-v", "0"],
            ["load_reference_data", "-v", "0"],
            ["load_indicator_defaults", "-v", "0"],
        ):
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
        self.payloads = Payloads(self.web_port)
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
        "rate": 80,
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
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        log(f"load: {args.submissions} submissions from {args.clients} clients")
        elapsed = run.load()
        run.final_refresh()
        report = report_make(run, elapsed)
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
