"""Dossier records written the way one-stop systems export them."""

from __future__ import annotations

import csv

from dossiers.records import COLUMNS


def dossier(number: str, **fields) -> dict[str, str]:
    """A resolved, on-time, in-person dossier of Sơn La's centre received on
    3 March 2024, unless `fields` say otherwise."""
    record = {
        "number": number,
        "agency": "14-centre",
        "procedure": "HT-KS",
        "channel": "in_person",
        "received_on": "2024-03-03",
        "due_on": "2024-03-10",
        "resolved_on": "2024-03-08",
        "paused_days": "0",
        "status": "resolved",
    }
    record.update(fields)
    return record


def write_dossiers(path, records) -> str:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    return str(path)
