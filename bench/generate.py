"""Load a benchmark data set into PostgreSQL: 63 provinces in their regions,
hundreds of agencies per province, procedures, channels, and responses from
January 2022 to today with per-province satisfaction spread like the published one.

    DATABASE_URL=postgres://... python bench/generate.py --responses 1000000

Rows stream through COPY from several processes at once.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _setup() -> None:
    import django

    django.setup()


def _load_share(count: int, seed: int, agencies: list) -> int:
    _setup()
    from django.utils import timezone

    from surveys.demo import demo_rows, responses_bulk_load
    from surveys.models import Procedure, Questionnaire
    from surveys.reference import DEFAULT_QUESTIONNAIRE

    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    rows = demo_rows(
        count=count,
        questionnaire_id=questionnaire.id,
        criteria=questionnaire.criteria.count(),
        agencies=agencies,
        procedure_ids=list(Procedure.objects.values_list("id", flat=True)),
        seed=seed,
        last_day=timezone.localdate(),
        ordered_uids=True,
    )
    from django.db import connection
    from django.db.utils import DatabaseError

    try:
        # The rows carry ids read from this database, so the foreign-key checks
        # cannot fail; PostgreSQL queues one per row and column until COMMIT
        # (Django's constraints are deferred), over a minute per 5 million rows.
        # Needs a superuser; without one the load is only slower.
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    except DatabaseError:
        connection.close()
    return responses_bulk_load(rows, progress=lambda done: None)


def _database_create() -> None:
    """Create the database of DATABASE_URL when it does not exist yet."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        return  # generate() says what it needs
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def generate(
    *, responses: int, agencies_per_province: int = 150, processes: int = 2
) -> float:
    """Load `responses` rows; returns the seconds it took."""
    _database_create()
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from surveys.demo import demo_agencies, demo_agencies_create
    from surveys.models import Response

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command("load_indicator_defaults", verbosity=0)
    demo_agencies_create(
        districts_per_province=agencies_per_province,
        communes_per_unit=agencies_per_province,
    )
    base_seed = 7_000 + Response.objects.count()
    # Once here rather than in every process: it reads each agency's province
    # history one query at a time (tens of seconds with 150 agencies a province).
    agencies = demo_agencies(2022)
    connection.close()
    started = time.perf_counter()
    shares = [responses // processes] * processes
    shares[0] += responses - sum(shares)
    with ProcessPoolExecutor(max_workers=processes) as pool:
        futures = [
            pool.submit(_load_share, share, base_seed + index * 1_000_003, agencies)
            for index, share in enumerate(shares)
        ]
        written = sum(future.result() for future in futures)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_response")
    print(f"{written:,} responses in {elapsed:.1f} s ({written / elapsed:,.0f}/s)")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--agencies-per-province", type=int, default=150)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    generate(
        responses=args.responses,
        agencies_per_province=args.agencies_per_province,
        processes=args.processes,
    )


if __name__ == "__main__":
    main()
