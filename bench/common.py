"""What the benchmark scripts share: Django setup, the result table, timing
statistics, peak memory of processes, and starting and stopping the servers and
workers they measure (always stopped again, by pid, also on failure)."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_SETTINGS = "bench.settings"
# Bench-only switches: no rate limit and no BURST flag for 32 clients at one address.
BENCH_ENV = {
    "SURVEY_RATE_LIMIT": "1000000000",
    "SURVEY_BURST_THRESHOLD": "1000000000",
    "LOG_LEVEL": "WARNING",
}


def setup() -> None:
    """Django, with the bench settings (the production settings plus the baseline
    endpoint) unless the caller chose others."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", BENCH_SETTINGS)
    for name, value in BENCH_ENV.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


@dataclass
class Row:
    """One figure of a benchmark, with the baseline it is judged against."""

    bench: str
    figure: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""
    data: str = ""  # the data set: 100k, 1M, 10M

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (the format docs/performance.md keeps)."""
    head = ["bench", "data", "figure", "value", "baseline", "ratio", "goal", "met"]
    lines = [head]
    for row in rows:
        baseline = (
            f"{_fmt(row.baseline)} ({row.baseline_name})"
            if row.baseline is not None
            else row.baseline_name or "-"
        )
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        met = {True: "yes", False: "**no**", None: "-"}[row.met]
        value = f"{_fmt(row.value)} {row.unit}".strip()
        if row.note:
            value += f" ({row.note})"
        lines.append(
            [
                row.bench,
                row.data or "-",
                row.figure,
                value,
                baseline,
                ratio,
                row.goal,
                met,
            ]
        )
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(line) + " |" for line in lines[1:]]
    return "\n".join(out)


def emit(rows: Sequence[Row], json_path: str | None) -> None:
    """Print the table; append the rows to `json_path` for bench/run.py."""
    print(table(rows), flush=True)
    if json_path:
        with open(json_path, "a", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(asdict(row)) + "\n")


def load_rows(json_path: str) -> list[Row]:
    if not os.path.exists(json_path):
        return []
    with open(json_path, encoding="utf-8") as handle:
        return [Row(**json.loads(line)) for line in handle if line.strip()]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: p99 of 100 samples is the 99th smallest."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


# --- processes -------------------------------------------------------------------


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a live process, in MB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc), e.g. a Celery worker's pool."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry))
    return found


class Process:
    """A server or worker started for a measurement, in its own process group, and
    stopped by its pid (then its group) however the measurement ends."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = self.proc.pid

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self, timeout: float = 20) -> None:
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                # Only the group this process leads: its own workers.
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()

    def tail(self, lines: int = 20) -> str:
        self._log.flush()
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def bench_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment of a server or worker under test: production settings over
    plain HTTP, the bench database and Redis."""
    env = dict(os.environ)
    env.update(BENCH_ENV)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
            "PRODUCTION": "1",
            "SECURE_SSL_REDIRECT": "0",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY", "bench-" + "x7Qp2Lm9Zr" * 6),
            "HASH_KEY": "bench-hash-" + "q8Wn3Kd5Ty" * 6,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def out_dir() -> Path:
    path = ROOT / "bench" / "out"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- data sets ---------------------------------------------------------------------


def server_url() -> str:
    """The PostgreSQL server of the bench databases, without a database name."""
    return os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def dataset_url(name: str) -> str:
    return f"{server_url()}/sipas_bench_{name}"


def _admin_connect():
    import psycopg

    return psycopg.connect(f"{server_url()}/postgres", autocommit=True)


# Server settings that move the figures: printed with every run's table.
SERVER_SETTINGS = (
    "server_version",
    "shared_buffers",
    "autovacuum",
    "synchronous_commit",
)


def server_settings() -> str:
    """The settings of SERVER_SETTINGS as "name value, ...": without autovacuum
    (some CI configurations turn it off) the rows a benchmark deletes stay as
    dead rows, which a production server would vacuum."""
    with _admin_connect() as conn:
        rows = conn.execute(
            "SELECT name, current_setting(name)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS s (name, position)"
            " ORDER BY position",
            [list(SERVER_SETTINGS)],
        ).fetchall()
    return ", ".join(f"{name} {value}" for name, value in rows)


def dataset_count(name: str) -> int | None:
    """Responses stored in the data set, None when its database does not exist."""
    import psycopg

    with _admin_connect() as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [f"sipas_bench_{name}"]
        ).fetchone()
    if not exists:
        return None
    with psycopg.connect(dataset_url(name)) as conn:
        try:
            return conn.execute("SELECT COUNT(*) FROM surveys_response").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


def dataset_ensure(name: str, responses: int, *, fresh: bool = False) -> str:
    """The URL of data set `name` holding `responses` responses (within 1%):
    reused when it does, (re)created and loaded with bench/generate.py otherwise."""
    count = dataset_count(name)
    if fresh or count is None or abs(count - responses) > responses // 100:
        database = f"sipas_bench_{name}"
        with _admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{database}"')
        env = dict(os.environ, DATABASE_URL=dataset_url(name))
        env.pop("DJANGO_SETTINGS_MODULE", None)
        print(f"loading {responses:,} responses into {database} ...", flush=True)
        subprocess.run(
            [PYTHON, "bench/generate.py", "--responses", str(responses)],
            cwd=ROOT,
            env=env,
            check=True,
        )
    else:
        # A data set loaded by an older checkout: bring its tables up to date.
        env = dict(os.environ, DATABASE_URL=dataset_url(name))
        env.pop("DJANGO_SETTINGS_MODULE", None)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    return dataset_url(name)
