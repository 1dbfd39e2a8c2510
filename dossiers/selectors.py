"""Reads of dossier records, scoped to the user like every staff read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from dossiers.models import Dossier
from dossiers.records import dossier_number_hash
from surveys.scope import scope_filter, scope_for


def dossiers_visible(user) -> QuerySet[Dossier]:
    return scope_filter(
        Dossier.objects.select_related("agency", "procedure"),
        scope_for(user),
        agency_field="agency_id",
    )


def dossier_by_number(user, number: str) -> Dossier:
    """A dossier of the user's scope by its number (hashed to look it up); 404
    otherwise, as if it did not exist."""
    dossier = dossiers_visible(user).filter(number_hash=dossier_number_hash(number))
    found = dossier.first()
    if found is None:
        raise Http404
    return found
