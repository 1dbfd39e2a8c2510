"""Reads of survey data. Anything shown to staff goes through `scope_filter`."""

from __future__ import annotations

import ipaddress
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.db.models.signals import post_delete, post_save
from django.http import Http404

from surveys.models import (
    Agency,
    Criterion,
    InvitationBatch,
    KnownAddress,
    Procedure,
    Questionnaire,
    UsedInvitation,
)
from surveys.reference import DEFAULT_QUESTIONNAIRE
from surveys.scope import scope_filter, scope_for

T = TypeVar("T")

# Every submission reads its questionnaire (with elements and criteria), agency
# and procedure: five queries for data that changes a few times a year. Each
# process keeps what it read for SURVEY_REFERENCE_CACHE_SECONDS; saving or deleting
# one of these rows empties it at once in that process, and within that many
# seconds in the others (also after a bulk update, which sends no signal).
_recent: dict[tuple, tuple[float, object]] = {}
_recent_lock = threading.Lock()


def _remembered(key: tuple, load: Callable[[], T]) -> T:
    seconds = settings.SURVEY_REFERENCE_CACHE_SECONDS
    if seconds <= 0:
        return load()
    now = time.monotonic()
    with _recent_lock:
        hit = _recent.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    value = load()
    with _recent_lock:
        _recent[key] = (now + seconds, value)
    return value


def reference_cache_clear(**_kwargs) -> None:
    with _recent_lock:
        _recent.clear()


for _model in (Questionnaire, Criterion, Agency, Procedure, KnownAddress):
    post_save.connect(reference_cache_clear, sender=_model, weak=False)
    post_delete.connect(reference_cache_clear, sender=_model, weak=False)


def known_address_for(address: str, agency_id: int) -> KnownAddress | None:
    """The active registration of `agency_id` whose network holds `address` (the
    narrowest, when several do), or None. Remembered like the reference data:
    every submission asks."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    networks = _remembered(("known-addresses",), _known_addresses_load)
    matches = [
        (network, known)
        for network, known in networks.get(agency_id, ())
        if ip.version == network.version and ip in network
    ]
    if not matches:
        return None
    return max(matches, key=lambda match: match[0].prefixlen)[1]


def _known_addresses_load() -> dict[int, list]:
    by_agency: dict[int, list] = {}
    for known in KnownAddress.objects.filter(active=True):
        try:
            network = ipaddress.ip_network(known.network, strict=False)
        except ValueError:
            continue
        by_agency.setdefault(known.agency_id, []).append((network, known))
    return by_agency


def questionnaire_current(code: str = DEFAULT_QUESTIONNAIRE) -> Questionnaire | None:
    """The current version of a questionnaire, with its elements and criteria
    loaded, or None. Remembered for a while: treat it as read-only."""
    return _remembered(("questionnaire", code), lambda: _questionnaire_load(code))


def _questionnaire_load(code: str) -> Questionnaire | None:
    questionnaire = (
        Questionnaire.objects.filter(code=code, is_current=True)
        .prefetch_related("elements", "criteria")
        .first()
    )
    if questionnaire is not None:
        questionnaire._criteria_cache = sorted(
            questionnaire.criteria.all(), key=lambda c: c.position
        )
    return questionnaire


def questionnaire_layout(questionnaire: Questionnaire) -> list[tuple]:
    """[(element, [criterion, ...]), ...] in the order they are asked."""
    criteria: list[Criterion] = sorted(
        questionnaire.criteria.all(), key=lambda c: c.position
    )
    layout = []
    for element in sorted(questionnaire.elements.all(), key=lambda e: e.position):
        layout.append((element, [c for c in criteria if c.element_id == element.id]))
    return layout


def scale_labels(questionnaire: Questionnaire, language: str) -> list[dict]:
    """The scale as [{"value", "label"}] in a language, "does not apply" last."""
    english = (language or "vi").startswith("en")
    items = []
    for item in questionnaire.scale:
        label = (item.get("label_en") if english else None) or item.get("label_vi")
        items.append({"value": int(item["value"]), "label": label})
    return sorted(items, key=lambda item: (item["value"] == 0, item["value"]))


def agency_for_survey(code: str) -> Agency | None:
    """An agency citizens can rate, by its code. Every active agency is read in
    one query and remembered for a while: submissions spread over thousands of
    agencies, and remembered one by one most of them missed."""
    return _remembered(("agencies",), _active_agencies).get(code)


def _active_agencies() -> dict[str, Agency]:
    active = Agency.objects.filter(active=True).order_by()
    return {agency.code: agency for agency in active}


def search_fold(text: str) -> str:
    """Lower case without diacritics ("Sơn La" gives "son la"), for the finder."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search_pattern(query: str) -> re.Pattern | None:
    """The finder's match: the words of the query, in order, each the start of
    consecutive words of a name ("son la" finds "Sơn La", not "Lạng Sơn")."""
    words = search_fold(query).split()
    if not words:
        return None
    return re.compile(r"\b" + r"\w*\s+".join(re.escape(word) for word in words))


def agencies_by_province(*, query: str = "") -> tuple[list[dict], list[dict]]:
    """The finder: active agencies under the province of the current (2025) map
    they belong to (agencies of a 2008 unit under its successor), then the central
    agencies; with a query, only the agencies whose name or province matches it
    (`search_pattern`), diacritics and case ignored."""
    pattern = search_pattern(query)
    provinces: dict[int, dict] = {}
    central = []
    agencies = Agency.objects.filter(active=True).select_related(
        "province", "province__successor"
    )
    for agency in agencies:
        unit = agency.province.in_2025_map if agency.province else None
        names = [agency.name_vi, agency.name_en]
        if unit is not None:
            names += [unit.name_vi, unit.name_en, agency.province.name_vi]
        search = search_fold(" | ".join(names))
        if pattern is not None and not pattern.search(search):
            continue
        item = {"code": agency.code, "name": agency.name, "search": search}
        if unit is None:
            central.append(item)
            continue
        group = provinces.setdefault(
            unit.id, {"name": unit.name, "code": unit.code, "agencies": []}
        )
        group["agencies"].append(item)
    for group in provinces.values():
        group["agencies"].sort(key=lambda item: search_fold(item["name"]))
    central.sort(key=lambda item: search_fold(item["name"]))
    return sorted(provinces.values(), key=lambda g: search_fold(g["name"])), central


def procedure_by_code(code: str) -> Procedure | None:
    """A procedure by its code (remembered for a while)."""
    return _remembered(
        ("procedure", code), lambda: Procedure.objects.filter(code=code).first()
    )


def agencies_visible(user) -> QuerySet[Agency]:
    return scope_filter(Agency.objects.all(), scope_for(user), agency_field="id")


def agency_visible(user, pk: int) -> Agency:
    """An agency the user may see; 404 otherwise, so that what lies outside a
    scope is indistinguishable from what does not exist."""
    agency = agencies_visible(user).filter(pk=pk).first()
    if agency is None:
        raise Http404
    return agency


def invitation_rates(user) -> list[dict]:
    """Per agency in scope: invitations issued and answered."""
    scope = scope_for(user)
    issued = (
        scope_filter(InvitationBatch.objects.all(), scope, agency_field="agency_id")
        .values("agency_id")
        .annotate(issued=Sum("count"))
    )
    used = dict(
        scope_filter(UsedInvitation.objects.all(), scope, agency_field="agency_id")
        .values("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )
    return [
        {
            "agency_id": row["agency_id"],
            "issued": row["issued"],
            "answered": used.get(row["agency_id"], 0),
        }
        for row in issued
    ]


def questionnaire_changes(questionnaire: Questionnaire) -> dict | None:
    """What changed in this version since the previous one of its code, by
    criterion code: {"previous", "added", "removed", "reworded", "changed"} (the
    last: now required, optional, or with another "does not apply" rule); None
    for a first version."""
    previous = (
        Questionnaire.objects.filter(
            code=questionnaire.code, version__lt=questionnaire.version
        )
        .order_by("-version")
        .first()
    )
    if previous is None:
        return None
    before = {c.code: c for c in previous.criteria.all()}
    after = {c.code: c for c in questionnaire.criteria.all()}
    common = [code for code in after if code in before]
    return {
        "previous": previous,
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "reworded": sorted(
            code
            for code in common
            if (before[code].text_vi, before[code].text_en)
            != (after[code].text_vi, after[code].text_en)
        ),
        "changed": sorted(
            code
            for code in common
            if (before[code].required, before[code].allows_not_applicable)
            != (after[code].required, after[code].allows_not_applicable)
        ),
    }


def agencies_within(agency_ids: frozenset[int] | None) -> QuerySet[Agency]:
    """The agencies an import may name: all of them, or those of an official's
    scope (`agency_ids`), chosen by the database."""
    agencies = Agency.objects.all()
    return agencies if agency_ids is None else agencies.filter(id__in=agency_ids)
