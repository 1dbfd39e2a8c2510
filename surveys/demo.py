"""Realistic demonstration data: local agencies and responses across provinces,
periods and channels, with satisfaction spread the way published SIPAS figures are
(some provinces clearly under 85%, some near it, some above)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from surveys.models import (
    Agency,
    Channel,
    Procedure,
    Province,
    Questionnaire,
    Response,
    Source,
)
from surveys.reference import DEFAULT_QUESTIONNAIRE
from surveys.response_rules import RESPONSE_COLUMNS

MAP_2025_STARTS = dt.date(2025, 7, 1)
FIRST_DAY = dt.date(2022, 1, 1)
# Share of responses each channel brings, and of intake flags (bots, hurried
# respondents) that officials will find in the review queue.
CHANNEL_WEIGHTS = {Channel.IN_PERSON: 0.62, Channel.ONLINE: 0.34, Channel.POST: 0.04}
FLAGGED_SHARE = 0.01
# Provinces (codes of both maps) whose agencies get enough respondents in the
# current and the previous year to be rated and ranked: the demo's logins look here.
SHOWCASE_PROVINCES = {"01", "14", "48"}
SHOWCASE_PER_YEAR = 40
SUGGESTIONS = [
    "Cần thêm chỗ ngồi chờ vào buổi sáng.",
    "Công chức hướng dẫn rất nhiệt tình.",
    "Nên gửi tin nhắn khi có kết quả.",
    "Thời gian chờ quá lâu.",
    "Cổng dịch vụ công khó đăng nhập.",
]

# Rows are built in the table's order of columns.
COLUMNS = RESPONSE_COLUMNS


@dataclass(frozen=True)
class DemoAgency:
    id: int
    level: float  # share of satisfied answers, before the yearly trend
    until: dt.date | None  # districts closed with the 2025 reorganisation
    since: dt.date | None  # communes of the 2025 map
    province_code: str | None = None


def province_level(code: str, seed: int) -> float:
    """A province's share of satisfied answers in 2022: 0.72 to 0.91, stable per
    province, so that a demo shows the same provinces leading every time."""
    return random.Random(f"{seed}:{code}").uniform(0.72, 0.91)


def demo_agencies_create(
    *, districts_per_province: int = 3, communes_per_unit: int = 4
) -> int:
    """Create district agencies (until 2025) under the 63 provinces and commune
    agencies under the 34 units of 2025; existing ones are left. Returns how many
    were created."""
    agencies = []
    for province in Province.objects.filter(map=Province.Map.MAP_2008):
        for number in range(1, districts_per_province + 1):
            agencies.append(
                Agency(
                    code=f"{province.code}-h{number:03d}",
                    kind=Agency.Kind.DISTRICT,
                    name_vi=f"Bộ phận một cửa huyện {number}, {province.name_vi}",
                    name_en=f"District {number} one-stop counter, {province.name_en}",
                    province=province,
                    active=False,
                )
            )
    for unit in Province.objects.filter(map=Province.Map.MAP_2025):
        for number in range(1, communes_per_unit + 1):
            agencies.append(
                Agency(
                    code=f"n{unit.code}-x{number:03d}",
                    kind=Agency.Kind.COMMUNE,
                    name_vi=f"Bộ phận một cửa xã {number}, {unit.name_vi}",
                    name_en=f"Commune {number} one-stop counter, {unit.name_en}",
                    province=unit,
                )
            )
    before = Agency.objects.count()
    Agency.objects.bulk_create(agencies, ignore_conflicts=True, batch_size=2000)
    return Agency.objects.count() - before


def demo_agencies(seed: int) -> list[DemoAgency]:
    """Every agency with the demo's level of satisfaction for it, drawn from
    `seed` (the demo, its dossiers and the benchmarks draw the same agencies)."""
    rng = random.Random(seed)
    agencies = []
    for agency in Agency.objects.select_related("province__successor"):
        province = agency.province
        if province is None:
            level = rng.uniform(0.8, 0.9)
        elif province.map == Province.Map.MAP_2025:
            old = province.predecessors.order_by("code").first()
            level = province_level(old.code if old else province.code, seed)
        else:
            level = province_level(province.code, seed)
        level = min(0.97, max(0.5, level + rng.gauss(0, 0.025)))
        until = since = None
        if agency.kind == Agency.Kind.DISTRICT:
            until = MAP_2025_STARTS
        elif agency.kind == Agency.Kind.COMMUNE:
            since = MAP_2025_STARTS
        code = province.code if province else None
        if code in SHOWCASE_PROVINCES:
            # Agencies far apart, so that a showcase province has agencies that
            # meet the target, come close to it and miss it.
            level = random.Random(f"{seed}:showcase:{agency.code}").uniform(0.76, 0.97)
        agencies.append(DemoAgency(agency.id, level, until, since, code))
    return agencies


class AnswerPool:
    """Pre-drawn answer strings by satisfaction level: drawing 23 random answers
    per response would dominate the time of a million-response load."""

    def __init__(self, criteria: int, rng: random.Random, size: int = 400) -> None:
        self.levels = [round(0.50 + step * 0.01, 2) for step in range(48)]
        self.pool = {
            level: [self._draw(criteria, level, rng) for _ in range(size)]
            for level in self.levels
        }
        self.rng = rng

    @staticmethod
    def _draw(criteria: int, level: float, rng: random.Random) -> str:
        # Each respondent has a mood around the level, and criteria vary around it.
        mood = min(0.995, max(0.02, rng.gauss(level, 0.08)))
        chars = []
        for _ in range(criteria):
            roll = rng.random()
            if roll < 0.025:
                chars.append("0")
            elif rng.random() < mood:
                chars.append("5" if rng.random() < 0.35 else "4")
            else:
                chars.append(rng.choice("1233"))
        return "".join(chars)

    def draw(self, level: float) -> str:
        bucket = min(self.levels[-1], max(0.5, round(level, 2)))
        return self.rng.choice(self.pool[bucket])


def demo_rows(
    *,
    count: int,
    questionnaire_id: int,
    criteria: int,
    agencies: list[DemoAgency],
    procedure_ids: list[int],
    seed: int,
    last_day: dt.date,
    first_day: dt.date = FIRST_DAY,
    ordered_uids: bool = False,
    plan: list[tuple[DemoAgency, dt.date]] | None = None,
) -> Iterator[tuple]:
    """Yield `count` response rows in COLUMNS order, without touching the database
    (the rows are consumed inside a COPY); with a `plan`, one row for each of its
    agencies and days instead."""
    rng = random.Random(seed + 1)
    pool = AnswerPool(criteria, rng)
    span = (last_day - first_day).days
    channels = list(CHANNEL_WEIGHTS)
    weights = list(CHANNEL_WEIGHTS.values())
    tz = timezone.get_current_timezone()
    for number in range(len(plan) if plan is not None else count):
        if plan is not None:
            agency, day = plan[number]
        else:
            agency, day = _agency_and_day(rng, agencies, first_day, span, last_day)
        # Services improve a little every year, as the published series do.
        level = agency.level + 0.012 * (day.year - 2022)
        flags = 0
        if rng.random() < FLAGGED_SHARE:
            flags = rng.choice(
                [Response.Flag.HONEYPOT, Response.Flag.TOO_FAST, Response.Flag.BURST]
            )
        # To the hour, as intake keeps it; the minute is still drawn, so that a
        # seed gives the same data as before.
        hour, _minute = 8 + rng.randrange(9), rng.randrange(60)
        received = dt.datetime.combine(day, dt.time(hour), tz)
        yield (
            _uid(rng, seed, number, ordered_uids),
            questionnaire_id,
            agency.id,
            rng.choice(procedure_ids),
            rng.choices(channels, weights)[0],
            Source.PAPER if rng.random() < 0.3 else Source.WEB,
            day,
            received,
            pool.draw(level),
            rng.choice([1, 1, 1, 2]),
            rng.choice([1, 2, None]),
            rng.choice([1, 2, 3, 4, 5, None]),
            rng.choice([1, 2, 3, 4, 5, None]),
            rng.choice([1, 2, 3, 4, 5, 6, 7, 8, None]),
            rng.choice(SUGGESTIONS) if rng.random() < 0.05 else "",
            flags,
            Response.Status.SUSPICIOUS if flags else Response.Status.ACCEPTED,
        )


def _agency_and_day(
    rng: random.Random,
    agencies: list[DemoAgency],
    first_day: dt.date,
    span: int,
    last_day: dt.date,
) -> tuple[DemoAgency, dt.date]:
    agency = rng.choice(agencies)
    day = first_day + dt.timedelta(days=rng.randrange(span + 1))
    if agency.until and day >= agency.until:
        day = agency.until - dt.timedelta(days=rng.randrange(1, 900))
    if agency.since and day < agency.since:
        day = agency.since + dt.timedelta(
            days=rng.randrange((last_day - agency.since).days + 1)
        )
    return agency, day


def showcase_plan(
    agencies: list[DemoAgency], *, today: dt.date, seed: int, per_year: int
) -> list[tuple[DemoAgency, dt.date]]:
    """`per_year` respondents in the current and in the previous year for every
    agency of the showcase provinces that was open then, so that their agencies
    have enough respondents to be rated and ranked in both years."""
    rng = random.Random(seed + 2)
    plan = []
    for agency in agencies:
        if agency.province_code not in SHOWCASE_PROVINCES:
            continue
        for year in (today.year - 1, today.year):
            first = max(dt.date(year, 1, 1), agency.since or dt.date.min)
            last = min(dt.date(year, 12, 31), today)
            if agency.until:
                last = min(last, agency.until - dt.timedelta(days=1))
            if first > last:
                continue
            span = (last - first).days
            for _ in range(per_year):
                plan.append(
                    (agency, first + dt.timedelta(days=rng.randrange(span + 1)))
                )
    return plan


def _uid(rng: random.Random, seed: int, number: int, ordered: bool) -> uuid.UUID:
    if not ordered:
        return uuid.UUID(int=rng.getrandbits(128), version=4)
    # Large loads: ids that grow with the row number keep the unique index's
    # inserts at its right edge, as time-ordered client ids (UUIDv7) would.
    return uuid.UUID(int=(seed << 100) | (number << 64) | rng.getrandbits(64))


def responses_bulk_load(
    rows: Iterator[tuple], *, progress: Callable[[int], None]
) -> int:
    """Store response rows fast, with COPY. Returns the number of rows written."""
    written = 0
    columns = ", ".join(COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY surveys_response ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % 20000 == 0:
                    progress(written)
    progress(written)
    return written


def demo_data_generate(
    *,
    responses: int,
    seed: int = 2022,
    progress: Callable[[int], None] = lambda done: None,
    districts_per_province: int = 3,
    communes_per_unit: int = 4,
    ordered_uids: bool = False,
    showcase: bool = False,
) -> int:
    """Create demo agencies and `responses` responses from January 2022 to today,
    with `showcase`, also SHOWCASE_PER_YEAR respondents a year for every agency of
    the showcase provinces. Returns the number of responses written."""
    demo_agencies_create(
        districts_per_province=districts_per_province,
        communes_per_unit=communes_per_unit,
    )
    questionnaire = Questionnaire.objects.get(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    )
    agencies = demo_agencies(seed)
    today = timezone.localdate()
    common = {
        "questionnaire_id": questionnaire.id,
        "criteria": questionnaire.criteria.count(),
        "agencies": agencies,
        "procedure_ids": list(Procedure.objects.values_list("id", flat=True)),
        # Province levels stay tied to `seed`; rows differ on every run, so that a
        # second run adds responses instead of repeating the first run's ids.
        "seed": seed + Response.objects.count(),
        "last_day": today,
        "ordered_uids": ordered_uids,
    }
    rows = demo_rows(count=responses, **common)
    if showcase:
        plan = showcase_plan(
            agencies, today=today, seed=seed, per_year=SHOWCASE_PER_YEAR
        )
        # Other ids than the main rows': the showcase draws from another seed.
        extra = demo_rows(count=0, plan=plan, **{**common, "seed": common["seed"] + 7})
        rows = itertools.chain(rows, extra)
    return responses_bulk_load(rows, progress=progress)
