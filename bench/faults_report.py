"""The report of `bench/faults.py`: what the clients saw against what the
database holds, the figures against a full rebuild, and the verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.faults import Run


def report_make(run: Run, elapsed: float) -> dict:
    """What the run shows: every acknowledged response stored once, the answers
    the clients got, and the figures against a full rebuild."""
    from django.db import connection, connections

    from indicators.engine import figures, pipeline, reconcile

    connections.close_all()
    tally = run.tally
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
        "submissions": run.args.submissions,
        "clients": run.args.clients,
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
        "refreshes_sent": run.refreshes_sent,
        "refreshes_not_sent": run.refresh_errors,
        "faults": run.faults,
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
