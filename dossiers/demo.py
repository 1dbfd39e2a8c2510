"""Demonstration dossiers: what one-stop systems would report for the demo's
agencies in the current and the previous year, so that the scorecard's on-time
and online rates mean something. Stored through the same loader as an import."""

from __future__ import annotations

import datetime as dt
import random

from dossiers.load import dossier_rows_load
from dossiers.models import Dossier
from dossiers.records import DossierImportReport, DossierRow, dossier_number_hash
from surveys.demo import SHOWCASE_PROVINCES, demo_agencies, province_level
from surveys.models import Channel, Procedure


def demo_dossiers_generate(*, today: dt.date, seed: int, per_year: int = 12) -> int:
    """Store `per_year` dossiers a year (three times as many in the showcase
    provinces) for every agency open in the current or the previous year.
    Returns how many were stored."""
    rng = random.Random(seed + 3)
    limits = dict(Procedure.objects.values_list("id", "time_limit_days"))
    procedures = list(limits)
    rows: list[DossierRow] = []
    for agency in demo_agencies(seed):
        if agency.province_code is None:
            continue
        # Provinces that satisfy citizens tend to be on time and online too.
        level = province_level(agency.province_code, seed)
        count = per_year * (3 if agency.province_code in SHOWCASE_PROVINCES else 1)
        for year in (today.year - 1, today.year):
            first = max(dt.date(year, 1, 1), agency.since or dt.date.min)
            last = min(dt.date(year, 12, 31), today)
            if agency.until:
                last = min(last, agency.until - dt.timedelta(days=1))
            if first > last:
                continue
            for _ in range(count):
                procedure = rng.choice(procedures)
                received = first + dt.timedelta(
                    days=rng.randrange((last - first).days + 1)
                )
                due = received + dt.timedelta(days=limits[procedure])
                late = rng.random() > level + 0.05
                resolved = due + dt.timedelta(
                    days=rng.randrange(1, 15)
                    if late
                    else -rng.randrange(0, limits[procedure])
                )
                done = resolved <= today
                rows.append(
                    DossierRow(
                        row=len(rows) + 1,
                        number_hash=dossier_number_hash(
                            f"demo-{seed}-{agency.id}-{year}-{len(rows)}"
                        ),
                        agency_id=agency.id,
                        procedure_id=procedure,
                        channel=Channel.ONLINE
                        if rng.random() < level - 0.35
                        else Channel.IN_PERSON,
                        received_on=received,
                        due_on=due,
                        resolved_on=resolved if done else None,
                        paused_days=0,
                        status=Dossier.Status.RESOLVED
                        if done
                        else Dossier.Status.IN_PROGRESS,
                    )
                )
    report = DossierImportReport(rows_read=len(rows))
    if rows:
        dossier_rows_load(rows, report)
    return report.imported
