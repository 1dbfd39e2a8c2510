"""Run the benchmarks and print every figure with its baseline and ratio.

    python bench/run.py --quick    # make bench: 100k and 1M responses
    python bench/run.py --full     # make bench-full: adds the 10M-response cases

Data sets are PostgreSQL databases sipas_bench_<size> on the server of BENCH_PG
(default postgres://postgres@127.0.0.1:5432), loaded by bench/generate.py when
missing and reused otherwise (--fresh reloads them). Celery uses REDIS_URL.
Each script runs in its own process; the table at the end gathers them, and adds
the comparisons between data sets. Exits non-zero only when a benchmark could not
run; missed goals are figures, not failures.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PYTHON,
    ROOT,
    Row,
    dataset_ensure,
    load_rows,
    out_dir,
    server_settings,
    table,
)

SIZES = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}


def plan(full: bool, import_rows: int, seconds: float) -> list[tuple[str, list[str]]]:
    """(data set, script and arguments), in order. Refresh runs before the rebuild
    of the same data set: it adds responses and deletes them again, and the
    rebuild then brings the rollup back to what is stored (until then the rollup
    still counts them, which changes no timing). The quick run rebuilds only the
    100k set: a rebuild of 1M takes minutes by itself. It runs the rebuild task
    on one worker only, for its memory: at 100k a second worker has too little
    to share (0.88-1.00x), and the full run measures scale-out at 1M and 10M."""
    steps: list[tuple[str, list[str]]] = [
        ("100k", ["refresh.py", "--cleanup"]),
        ("100k", ["rebuild.py", "--repeat", "1", "--verify", "--workers", "1"]),
        ("100k", ["read.py"]),
        # The first run on a data set also rebuilds its rollup once, untimed.
        ("1M", ["refresh.py", "--cleanup"]),
        ("1M", ["read.py"]),
        ("1M", ["imports.py", "--rows", str(import_rows)]),
        ("1M", ["submit.py", "--seconds", str(seconds)]),
        ("1M", ["submit_cpu.py"]),
    ]
    if full:
        steps += [
            ("1M", ["rebuild.py", "--repeat", "2", "--workers", "1,2"]),
            ("10M", ["refresh.py", "--cleanup"]),
            ("10M", ["rebuild.py", "--repeat", "1", "--workers", "1,2"]),
            ("10M", ["read.py"]),
        ]
    return steps


def _find(rows: list[Row], bench: str, start: str, data: str) -> Row | None:
    for row in rows:
        if row.bench == bench and row.figure.startswith(start) and row.data == data:
            return row
    return None


def comparisons(rows: list[Row], small: str, large: str, mid: str) -> list[Row]:
    """Figures judged against the same figure on another data set."""
    out = []
    for figure in ("provinces and above: fold + figures", "fold + figures"):
        a = _find(rows, "4 refresh", figure, small)
        b = _find(rows, "4 refresh", figure, large)
        if a and b and a.value and b.value is not None:
            out.append(
                Row(
                    "4 refresh",
                    f"{figure} on {large} vs {small}",
                    b.value,
                    "s",
                    baseline=a.value,
                    baseline_name=f"same on {small}",
                    goal="<= 1.5x",
                    met=b.value <= 1.5 * a.value,
                    data=large,
                )
            )
    for row in rows:
        if row.bench != "5 read" or row.data != large or row.value is None:
            continue
        other = _find(rows, "5 read", row.figure, small)
        if other is None or other.value is None:
            continue
        queries = row.figure.endswith("queries")
        out.append(
            Row(
                "5 read",
                f"{row.figure} on {large} vs {small}",
                row.value,
                row.unit,
                baseline=other.value,
                baseline_name=f"same on {small}",
                goal="same queries" if queries else "",
                met=(row.value == other.value) if queries else None,
                data=large,
            )
        )
    m1 = _find(rows, "7 memory", "worker peak", mid)
    m2 = _find(rows, "7 memory", "worker peak", large)
    if m1 and m2 and mid != large and m1.value and m2.value is not None:
        out.append(
            Row(
                "7 memory",
                f"worker peak RSS on {large} vs {mid}",
                m2.value,
                "MB",
                baseline=m1.value,
                baseline_name=f"same on {mid}",
                goal="same",
                met=m2.value <= 1.1 * m1.value,
                data=large,
            )
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the default")
    mode.add_argument("--full", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="reload the data sets")
    parser.add_argument("--only", help="run only scripts containing this text")
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
    results = out_dir() / "results.jsonl"
    results.unlink(missing_ok=True)
    steps = plan(
        args.full,
        import_rows=1_000_000 if args.full else 200_000,
        seconds=30,
    )
    if args.only:
        steps = [s for s in steps if args.only in " ".join(s[1])]
    started = time.monotonic()
    failed = []
    ready: dict[str, str] = {}
    for data, (script, *script_args) in steps:
        if data not in ready:
            ready[data] = dataset_ensure(data, SIZES[data], fresh=args.fresh)
        env = dict(os.environ, DATABASE_URL=ready[data])
        command = [PYTHON, f"bench/{script}", "--data", data, "--json", str(results)]
        print(f"\n== {script} {' '.join(script_args)} on {data}", flush=True)
        step_started = time.monotonic()
        done = subprocess.run([*command, *script_args], cwd=ROOT, env=env)
        print(f"   ({time.monotonic() - step_started:.0f} s)", flush=True)
        if done.returncode != 0:
            failed.append(f"{script} on {data}")
    rows = load_rows(str(results))
    large = "10M" if args.full else "1M"
    rows += comparisons(rows, "100k", large, "1M")
    rows.sort(key=lambda row: row.bench.split()[0].zfill(2))
    print(
        f"\n{platform.node()}: {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, "
        f"{'full' if args.full else 'quick'} run in {time.monotonic() - started:.0f} s"
    )
    print(f"PostgreSQL: {server_settings()}")
    print(table(rows))
    if failed:
        print(f"\ncould not run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
